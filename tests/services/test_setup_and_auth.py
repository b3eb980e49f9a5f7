"""Loading the configuration idempotently; signing in, tokens and their limits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from queue_server.adapters.orm import Counter, Device, Service, User
from queue_server.centre_config import parse_centre_config
from queue_server.domain.errors import ConfigError, Forbidden, TooManyAttempts, Unauthorized
from queue_server.services import tickets
from queue_server.services.auth import Authenticator, hash_password
from queue_server.services.setup import apply_centre_config
from tests.support.centres import PASSWORD, TEST_CONFIG


def row_counts(uow) -> dict:
    with uow(write=False) as unit:
        return {
            model.__name__: unit.session.scalar(select(func.count()).select_from(model))
            for model in (Service, Counter, Device, User)
        }


def test_loading_the_same_file_twice_changes_nothing(uow):
    before = row_counts(uow)
    with uow(write=False) as unit:
        hashes = {u.username: u.password_hash for u in unit.session.scalars(select(User))}
    apply_centre_config(parse_centre_config(TEST_CONFIG, "test"), uow=uow)
    assert row_counts(uow) == before
    with uow(write=False) as unit:
        assert {u.username: u.password_hash for u in unit.session.scalars(select(User))} == hashes


def test_a_changed_file_updates_what_it_names_and_keeps_history(uow, kiosk, deps):
    ticket = tickets.issue_ticket(kiosk, "TST", "KRA", **deps)
    changed = TEST_CONFIG.replace(
        'name = { en = "KRA PIN", sw = "PIN ya KRA" }',
        'name = { en = "KRA PIN registration", sw = "Usajili wa PIN" }',
    )
    changed = changed.replace(
        '  [[centre.counter]]\n  number = 5\n  services = ["KRA"]',
        '  [[centre.counter]]\n  number = 5\n  services = ["KRA", "ID"]',
    )
    apply_centre_config(parse_centre_config(changed, "test"), uow=uow)
    services = {s["code"]: s for s in tickets.list_services("TST", uow=uow, clock=deps["clock"])}
    assert services["KRA"]["name"]["en"] == "KRA PIN registration"
    assert tickets.get_ticket(ticket["id"], uow=uow, clock=deps["clock"])["service"] == "KRA"
    with uow(write=False) as unit:
        counter = unit.repo.counter(unit.repo.centre("TST"), 5)
        assert [s.code for s in counter.services] == ["ID", "KRA"]


def test_a_device_left_out_of_the_file_loses_its_access_at_once(uow, clock):
    auth = Authenticator(uow, clock, max_age_s=3600)
    assert auth.principal("kiosk-8-token-0123456789").name == "kiosk-8"
    removed = TEST_CONFIG.replace(
        '\n  [[centre.device]]\n  kind = "kiosk"\n  name = "kiosk-8"\n'
        '  token = "kiosk-8-token-0123456789"\n',
        "\n",
    )
    assert removed != TEST_CONFIG
    apply_centre_config(parse_centre_config(removed, "test"), uow=uow)
    with pytest.raises(Unauthorized):
        auth.principal("kiosk-8-token-0123456789")
    assert auth.principal("kiosk-7-token-0123456789").name == "kiosk-7"


def _without_user(config: str, username: str) -> str:
    """The configuration text without the [[user]] table of `username`."""
    tables = config.split("\n[[user]]")
    kept = [t for t in tables[1:] if f'username = "{username}"' not in t]
    assert len(kept) == len(tables) - 2
    return "\n[[user]]".join([tables[0], *kept])


def test_a_user_left_out_of_the_file_is_refused_at_once_and_cannot_sign_in(uow, clock):
    auth = Authenticator(uow, clock, max_age_s=3600)
    token = auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)["token"]
    assert auth.principal(token).name == "clerk1"  # and kept by this process
    apply_centre_config(parse_centre_config(_without_user(TEST_CONFIG, "clerk1"), "t"), uow=uow)
    with pytest.raises(Unauthorized):
        auth.principal(token)
    with pytest.raises(Unauthorized):
        auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)
    apply_centre_config(parse_centre_config(TEST_CONFIG, "test"), uow=uow)  # back again
    assert auth.principal(token).name == "clerk1"


def test_a_user_whose_centres_change_is_seen_with_the_new_centres_at_once(uow, clock):
    auth = Authenticator(uow, clock, max_age_s=3600)
    token = auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)["token"]
    assert auth.principal(token).may_act_in("TST")
    tables = TEST_CONFIG.split("\n[[user]]")
    moved = "\n[[user]]".join(
        [tables[0]]
        + [
            t.replace('centres = ["TST"]', 'centres = ["OTH"]') if 'username = "clerk1"' in t else t
            for t in tables[1:]
        ]
    )
    assert moved != TEST_CONFIG
    apply_centre_config(parse_centre_config(moved, "test"), uow=uow)
    principal = auth.principal(token)
    assert not principal.may_act_in("TST") and principal.may_act_in("OTH")


def test_a_signed_out_token_is_refused_in_every_process(uow, clock):
    auth, other = Authenticator(uow, clock, max_age_s=3600), Authenticator(uow, clock, 3600)
    token = auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)["token"]
    second = auth.login("clerk1", PASSWORD, "10.0.0.2", allowed=5, window_s=300)["token"]
    assert other.principal(token).name == "clerk1"
    auth.logout(token)
    for process in (auth, other):
        with pytest.raises(Unauthorized):
            process.principal(token)
    assert other.principal(second).name == "clerk1"  # the clerk's other screen stays


def test_a_device_token_cannot_sign_out(auth):
    with pytest.raises(Forbidden):
        auth.logout("kiosk-7-token-0123456789")


def test_login_gives_a_token_that_names_the_user(auth):
    result = auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)
    assert result["user"] == {"username": "clerk1", "role": "clerk", "centres": ["TST"]}
    principal = auth.principal(result["token"])
    assert (principal.kind, principal.name, principal.centres) == (
        "user",
        "clerk1",
        frozenset({"TST"}),
    )


def test_admins_may_act_in_every_centre(auth):
    token = auth.login("boss", PASSWORD, "10.0.0.1", allowed=5, window_s=300)["token"]
    principal = auth.principal(token)
    assert principal.may_act_in("TST") and principal.may_act_in("OTH")


@pytest.mark.parametrize(("username", "password"), [("clerk1", "wrong"), ("nobody", PASSWORD)])
def test_wrong_credentials_are_refused_alike(auth, username, password):
    with pytest.raises(Unauthorized) as info:
        auth.login(username, password, "10.0.0.1", allowed=5, window_s=300)
    assert info.value.code == "bad_credentials"


def test_repeated_failures_lock_the_account_for_a_while(auth, clock):
    for _ in range(5):
        with pytest.raises(Unauthorized):
            auth.login("clerk1", "wrong", "10.0.0.1", allowed=5, window_s=300)
    with pytest.raises(TooManyAttempts):
        auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)
    clock.advance(301)
    assert auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)["token"]


def test_tokens_survive_a_restart_and_forged_or_expired_ones_do_not(uow, clock, auth):
    token = auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)["token"]
    restarted = Authenticator(uow, clock, max_age_s=3600)
    assert restarted.principal(token).name == "clerk1"
    with pytest.raises(Unauthorized):
        restarted.principal(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(Unauthorized):
        Authenticator(uow, clock, max_age_s=-1).principal(token)
    with pytest.raises(Unauthorized):
        restarted.principal(None)
    with pytest.raises(Unauthorized):
        restarted.principal("not-a-device-token")


def test_device_tokens_are_stored_hashed(uow):
    with uow(write=False) as unit:
        stored = list(unit.session.scalars(select(Device.token_hash)))
    assert stored and all(len(h) == 64 and "token" not in h for h in stored)


def test_failures_from_other_addresses_cannot_lock_a_named_clerk_out(auth):
    for i in range(5):
        with pytest.raises(Unauthorized):
            auth.login("clerk1", "wrong", f"10.9.0.{i}", allowed=5, window_s=300)
        with pytest.raises(Unauthorized):
            auth.login("clerk1", "wrong", "10.9.9.9", allowed=5, window_s=300)
    with pytest.raises(TooManyAttempts):  # the guesser's address is locked out
        auth.login("clerk1", PASSWORD, "10.9.9.9", allowed=5, window_s=300)
    assert auth.login("clerk1", PASSWORD, "10.0.0.1", allowed=5, window_s=300)["token"]


def test_a_password_hash_in_the_file_signs_in_and_is_kept_as_given(uow, clock):
    given = hash_password("from-a-vault-42")
    config = TEST_CONFIG.replace(
        f'username = "clerk2"\npassword = "{PASSWORD}"',
        f'username = "clerk2"\npassword_hash = "{given}"',
    )
    assert config != TEST_CONFIG
    for _ in range(2):
        apply_centre_config(parse_centre_config(config, "test"), uow=uow)
        with uow(write=False) as unit:
            assert unit.repo.user("clerk2").password_hash == given
    auth = Authenticator(uow, clock, max_age_s=3600)
    assert auth.login("clerk2", "from-a-vault-42", "10.0.0.1", allowed=5, window_s=300)["token"]


@pytest.mark.parametrize(
    "user",
    [
        'password = "long enough 1"\npassword_hash = "$argon2id$v=19$m=19456,t=2,p=1$'
        'abcdefghijklmnopqrstuv"',
        'password_hash = "plain text, not a hash"',
        "",
    ],
)
def test_a_user_needs_exactly_one_password_or_argon2_hash(user):
    text = f'[[user]]\nusername = "x"\n{user}\nrole = "clerk"\n'
    with pytest.raises(ConfigError):
        parse_centre_config(text, "test")
