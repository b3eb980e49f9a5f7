"""Every package the code imports directly is pinned in the requirements files."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ["queue_server", "printer", "common", "kiosk", "display", "counter", "track"]
DEV_PACKAGES = ["tests", "bench", "scripts"]


def _top_level_imports(folders: list[str]) -> set[str]:
    """Top-level module names imported (absolute imports only) by the Python files there."""
    names: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names


def _third_party(names: set[str]) -> set[str]:
    """The distributions (normalised names) that provide the non-standard, non-local modules."""
    local = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    provided = packages_distributions()
    missing = names - set(provided) - set(sys.stdlib_module_names) - local
    assert not missing, f"imported but installed by no distribution: {sorted(missing)}"
    return {
        _normalise(provided[name][0])
        for name in names
        if name in provided and name not in sys.stdlib_module_names and name not in local
    }


def _pinned(requirements: str) -> set[str]:
    """Distribution names pinned in a requirements file and the files it includes."""
    names: set[str] = set()
    for line in (ROOT / requirements).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            names |= _pinned(line[3:].strip())
        elif line:
            names.add(_normalise(re.split(r"[=<>~!\[; ]", line)[0]))
    return names


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_runtime_imports_are_pinned_in_requirements() -> None:
    missing = _third_party(_top_level_imports(RUNTIME_PACKAGES)) - _pinned("requirements.txt")
    assert not missing, f"add to requirements.txt: {sorted(missing)}"


def test_test_and_tool_imports_are_pinned_in_dev_requirements() -> None:
    missing = _third_party(_top_level_imports(DEV_PACKAGES)) - _pinned("requirements-dev.txt")
    assert not missing, f"add to requirements-dev.txt: {sorted(missing)}"
