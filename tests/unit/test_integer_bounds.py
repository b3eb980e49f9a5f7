"""Every whole number a request or event may carry is bounded by what the database can hold."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing

import pytest
from pydantic import BaseModel

import queue_server
from queue_server.api.answers import Answer
from queue_server.schemas import DB_INT_MAX


def _is_int(annotation: object) -> bool:
    """Whether the field holds an int (alone, optional, or annotated), not a bool or a literal."""
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_is_int(arg) for arg in typing.get_args(annotation))
    return False


def _upper_bound(metadata: list[object]) -> int | None:
    for item in metadata:  # pydantic's Field(le=…) / Field(lt=…) constraints
        if getattr(item, "le", None) is not None:
            return int(item.le)  # type: ignore[attr-defined]
        if getattr(item, "lt", None) is not None:
            return int(item.lt) - 1  # type: ignore[attr-defined]
    return None


def _models() -> list[type[BaseModel]]:
    found = []
    for info in pkgutil.walk_packages(queue_server.__path__, "queue_server."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseModel)
                and obj.__module__ == module.__name__
                and not issubclass(obj, Answer)  # what the server sends, not what it takes
            ):
                found.append(obj)
    return found


@pytest.mark.filterwarnings("ignore:(?s).*Eventlet is deprecated")  # imported by the workers
def test_every_integer_field_has_an_upper_bound_a_database_column_can_hold():
    unbounded = [
        f"{model.__module__}.{model.__name__}.{name}"
        for model in _models()
        for name, field in model.model_fields.items()
        if _is_int(field.annotation)
        and ((bound := _upper_bound(field.metadata)) is None or bound > DB_INT_MAX)
    ]
    assert not unbounded, f"add le=DB_INT_MAX (queue_server.schemas) to {unbounded}"
