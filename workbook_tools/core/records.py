"""Field names and copies of the spec's frozen :class:`msgspec.Struct` records (the ``dataclasses`` helpers' namesakes).

The spec and its expressions are msgspec structs: declaring one compiles nothing, where
``@dataclass(frozen=True)`` compiled six methods per class, most of what ``import workbook_tools.core.spec``
took. These two helpers keep the callers that walk a record's fields independent of that choice.
"""

from __future__ import annotations

from typing import TypeVar, cast

import msgspec
import msgspec.structs

T = TypeVar("T")


def fields(obj: object) -> tuple[str, ...]:
    """Names of a record's fields, in declaration order (base classes' first)."""
    return tuple(f.name for f in msgspec.structs.fields(cast(msgspec.Struct, obj)))


def replace(obj: T, **changes: object) -> T:
    """A copy of ``obj`` with some fields changed."""
    return cast(T, msgspec.structs.replace(cast(msgspec.Struct, obj), **changes))


__all__ = ["fields", "replace"]
