"""The served OpenAPI document, and schemathesis running every operation in it against the server.

Every operation is called with generated inputs (the document's examples, its boundary values
and random ones; a fixed seed, so a run is reproducible) once without a token and once each with
a clerk's, a supervisor's and a kiosk's. Each answer must be no 5xx, have a documented status
and content type, and a body that matches its documented schema. Path parameters are now and
then the test centre's real ones (a centre, a service, a counter, an issued ticket, a booked
appointment, a lodged document), so that answers past the 404 are checked too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.meta import TestPhase

from tests.support.centres import KIOSK_TOKEN, PASSWORD, TEST_CONFIG, make_config_file
from tests.support.clients import issue, login
from tests.support.databases import BACKENDS, database_url
from tests.support.server import ServerProcess
from tests.support.zones import daytime_zone, in_zone

SUPERVISOR = f"""
[[user]]
username = "super"
password = "{PASSWORD}"
role = "supervisor"
centres = ["TST"]
"""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 2
"""Random examples per operation, besides schemathesis' boundary values (the coverage phase)."""
SEED = 20261202
SPARE_TOKENS = 6
"""Tokens for signing out (sign-ins are limited, and the fuzzed ones fail)."""


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A server of the test centres (mid-morning there, so today has slots), with real things."""
    folder = tmp_path_factory.mktemp("openapi")
    config = make_config_file(folder, in_zone(daytime_zone(), TEST_CONFIG) + SUPERVISOR)
    with database_url(request.param, folder) as url:
        server = ServerProcess(url, folder, config=config)
        server.start()
        try:
            yield Api(server.url)
        finally:
            server.kill()


class Api:
    """The server's URL, the tokens the operations are called with, and real path values."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()  # one connection kept open: the run stays short
        clerk, supervisor = login(base, "clerk1"), login(base, "super")
        self.tokens: dict[str, str | None] = {
            "anonymous": None,
            "clerk": clerk,
            "supervisor": supervisor,
            "kiosk": KIOSK_TOKEN,
        }
        self.turns = itertools.cycle(self.tokens)
        self.spare_tokens = [login(base, "clerk2") for _ in range(SPARE_TOKENS)]
        ticket = issue(base, KIOSK_TOKEN, "ID")
        self.values: dict[str, list[Any]] = {
            "centre": ["TST", "OTH"],
            "service": ["ID", "BC", "KRA", "OLD"],
            "number": [1, 2, 4],
            "ticket_id": [ticket["id"]],
            "ref": [self._book(), self._lodge(clerk)],
            "message_id": [1],
            "job_id": [1],
        }

    def _book(self) -> str:
        """The ref of an appointment booked for the next free slot of KRA."""
        slots = requests.get(
            f"{self.base}/api/v1/centres/TST/services/KRA/free-slots",
            params={"after": datetime.now().astimezone().isoformat()},
            timeout=10,
        ).json()
        booked = requests.post(
            f"{self.base}/api/v1/centres/TST/appointments",
            json={"service": "KRA", "start": slots[0]["start"]},
            timeout=10,
        )
        assert booked.status_code == 201, booked.text
        return str(booked.json()["ref"])

    def _lodge(self, clerk: str) -> str:
        """The ref of a document lodged at the test centre."""
        lodged = requests.post(
            f"{self.base}/api/v1/centres/TST/documents",
            json={"service": "ID", "phone": "0712345678", "consent": True},
            headers={"Authorization": f"Bearer {clerk}"},
            timeout=10,
        )
        assert lodged.status_code == 201, lodged.text
        return str(lodged.json()["ref"])

    def callers(self, case: schemathesis.Case) -> list[tuple[str, str | None]]:
        """Who sends a case: everyone for random cases; for schemathesis' many boundary values
        (the coverage phase) one caller each, in turn, so that the run stays short."""
        if case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE:
            who = next(self.turns)
            return [(who, self.tokens[who])]
        return list(self.tokens.items())

    def real_path_values(self, names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
        """Path parameters drawn from the test centre's real things."""
        return st.fixed_dictionaries({n: st.sampled_from(self.values[n]) for n in names})

    def token_to_sign_out(self) -> str:
        """A clerk's token of its own, so that signing out leaves the others valid (once none is
        left, the last one again: revoked by then, it must be refused)."""
        return self.spare_tokens.pop() if len(self.spare_tokens) > 1 else self.spare_tokens[0]


@pytest.fixture(scope="module")
def api_schema(api: Api) -> schemathesis.BaseSchema:
    """The served document, loaded by schemathesis with a bounded, seeded generation."""
    config = schemathesis.Config(seed=SEED)
    config.projects.override.generation.update(
        max_examples=EXAMPLES_PER_OPERATION, deterministic=True
    )
    config.projects.override.phases.update(phases=["coverage", "fuzzing"])
    # Methods a path lacks get 405 from Flask, which test_bad_input checks; not here.
    config.projects.override.phases.coverage.unexpected_methods = set()
    schema = schemathesis.openapi.from_url(f"{api.base}/api/v1/openapi.json", config=config)

    @schema.hook  # type: ignore[untyped-decorator]
    def before_generate_path_parameters(
        context: schemathesis.HookContext, strategy: st.SearchStrategy
    ) -> st.SearchStrategy:
        names = [p.name for p in context.operation.path_parameters] if context.operation else []
        return st.one_of(strategy, api.real_path_values(names)) if names else strategy

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


def test_the_document_is_openapi_3_1_of_every_api_route(api: Api) -> None:
    document = requests.get(f"{api.base}/api/v1/openapi.json", timeout=10).json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    assert "/api/v1/centres/{centre}/tickets" in paths
    assert "/healthz" in paths and "/readyz" in paths
    issue_ticket = paths["/api/v1/centres/{centre}/tickets"]["post"]
    body = issue_ticket["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/IssueTicketRequest"}
    assert {"device": []} in issue_ticket["security"]
    assert paths["/api/v1/print-jobs/{job_id}"]["get"]["parameters"][0]["schema"]["type"] == (
        "integer"
    )
    assert not any(p.startswith(("/kiosk", "/static", "/metrics")) for p in paths)


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    max_examples=EXAMPLES_PER_OPERATION,
)
def test_every_operation_answers_as_documented(case: schemathesis.Case, api: Api) -> None:
    for who, token in api.callers(case):
        if token and case.operation.definition.raw.get("operationId") == "api.logout":
            token = api.token_to_sign_out() if who != "kiosk" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        case.call_and_validate(
            base_url=api.base, session=api.session, headers=headers, checks=CHECKS
        )
