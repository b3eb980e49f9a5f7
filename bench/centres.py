"""The benchmark centre (centre.toml) and configurations made from it: several centres, a zone."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path

CENTRE_FILE = Path(__file__).resolve().parent / "centre.toml"
PASSWORD = "bench-password"


def load_centre() -> dict:
    """The benchmark configuration as parsed TOML (one centre, its clerks)."""
    return tomllib.loads(CENTRE_FILE.read_text(encoding="utf-8"))


def kiosk_tokens(config: dict, code: str) -> list[str]:
    """The kiosk tokens of centre `code` in `config`."""
    centre = next(c for c in config["centre"] if c["code"] == code)
    return [d["token"] for d in centre["device"] if d["kind"] == "kiosk"]


def many_centres(count: int) -> dict:
    """`count` copies of the benchmark centre (NBI, C02, C03, …), each with one clerk account."""
    base = load_centre()["centre"][0]
    centres, users = [], []
    for index in range(1, count + 1):
        code = base["code"] if index == 1 else f"C{index:02d}"
        centre = copy.deepcopy(base)
        centre["code"], centre["name"] = code, f"{base['name']} {index}"
        for device in centre["device"]:
            device["token"] = f"{code}-{device['token']}"
        centres.append(centre)
        users.append(
            {"username": f"clerk-{code}", "password": PASSWORD, "role": "clerk", "centres": [code]}
        )
    return {"centre": centres, "user": users}


def in_zone(config: dict, timezone: str) -> dict:
    """The configuration with every centre in `timezone`."""
    config = copy.deepcopy(config)
    for centre in config["centre"]:
        centre["timezone"] = timezone
    return config


def write_config(config: dict, path: Path) -> Path:
    """Write `config` as TOML to `path`; the path."""
    path.write_text(to_toml(config), encoding="utf-8")
    return path


def to_toml(document: dict) -> str:
    """TOML for a document of arrays of tables (the shape of a centre configuration)."""
    return "".join(_table(key, table) for key, tables in document.items() for table in tables)


def _table(path: str, table: dict) -> str:
    """One [[path]] table: its plain values, then its own arrays of tables."""
    nested = {k: v for k, v in table.items() if _is_tables(v)}
    lines = [f"\n[[{path}]]"] + [
        f"{key} = {_value(value)}" for key, value in table.items() if key not in nested
    ]
    return (
        "\n".join(lines)
        + "\n"
        + "".join(_table(f"{path}.{key}", item) for key, items in nested.items() for item in items)
    )


def _is_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _value(value: object) -> str:
    """A TOML value: string, boolean, number, array or inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    return str(value)
