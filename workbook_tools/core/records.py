"""Frozen record classes that cost nothing to declare: the spec's vocabulary without dataclasses' start-up.

``@dataclass(frozen=True)`` compiles six methods per class from source text when the class is created
(about 1 ms each class on Python 3.11); the spec and its expressions declare thirty such classes, which
was most of the time ``import workbook_tools.core.spec`` took and so part of every ``validate``. A
:func:`record` class behaves the same for its users: keyword or positional construction with defaults,
frozen attributes, equality and hashing by value, a readable repr, ``__match_args__``. Its methods are
shared functions that read the class's field list, so declaring a class compiles nothing.
:func:`fields` and :func:`replace` stand in for their :mod:`dataclasses` namesakes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")
_MISSING: Any = object()


class FrozenRecordError(AttributeError):
    """Assigning to a field of a record (they are values, like frozen dataclasses)."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is made fresh for each record (``dataclasses.field(default_factory=…)``)."""
    return _Factory(default_factory)  # type: ignore[return-value]


def fields(obj: object) -> tuple[str, ...]:
    """Names of a record's fields, in declaration order (base classes' first)."""
    names: tuple[str, ...] = type(obj).__record_fields__  # type: ignore[attr-defined]
    return names


def replace(obj: T, **changes: object) -> T:
    """A copy of ``obj`` with some fields changed."""
    values = {n: getattr(obj, n) for n in fields(obj)}
    values.update(changes)
    return type(obj)(**values)


def _make_init(cls_name: str, names: tuple[str, ...], defaults: dict[str, object]) -> Callable[..., None]:
    """The class's ``__init__``: a closure over its field list (nothing compiled; about as fast as dataclasses')."""
    count = len(names)
    index = frozenset(names)
    plain = {n: v for n, v in defaults.items() if not isinstance(v, _Factory)}
    factories = tuple((n, v.make) for n, v in defaults.items() if isinstance(v, _Factory))

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        given = len(args)
        if given == count and not kwargs:
            self.__dict__.update(zip(names, args, strict=True))
            return
        if given > count:
            raise TypeError(f"{cls_name}() takes {count} arguments but {given} were given")
        values = dict(plain)
        values.update(zip(names, args, strict=False))
        if kwargs:
            if not index.issuperset(kwargs) or not kwargs.keys().isdisjoint(names[:given]):
                raise TypeError(f"{cls_name}() got an unexpected or repeated argument among {', '.join(kwargs)}")
            values.update(kwargs)
        for name, make in factories:
            if name not in values:
                values[name] = make()
        if len(values) < count:
            missing = [n for n in names if n not in values]
            raise TypeError(f"{cls_name}() missing required arguments: {', '.join(missing)}")
        self.__dict__.update(values)

    return __init__


def _astuple(self: object) -> tuple[object, ...]:
    d = self.__dict__
    return tuple(d[n] for n in type(self).__record_fields__)  # type: ignore[attr-defined]


def _eq(self: object, other: object) -> object:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _astuple(self) == _astuple(other)


def _hash(self: object) -> int:
    return hash(_astuple(self))


def _repr(self: object) -> str:
    parts = ", ".join(f"{n}={v!r}" for n, v in zip(type(self).__record_fields__, _astuple(self), strict=True))  # type: ignore[attr-defined]
    return f"{type(self).__qualname__}({parts})"


def _setattr(self: object, name: str, value: object) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r}")


def _delattr(self: object, name: str) -> None:
    raise FrozenRecordError(f"cannot delete field {name!r}")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen record of its annotated attributes (a class attribute is the field's default).

    As with dataclasses, fields come from the class's own annotations after those of record base classes;
    a plain base class's annotations (``Expr.decimals``) are not fields.
    """
    names: list[str] = []
    defaults: dict[str, object] = {}
    for base in reversed(cls.__mro__[1:]):
        for name in base.__dict__.get("__record_fields__", ()):
            if name not in names:
                names.append(name)
        defaults.update(base.__dict__.get("__record_defaults__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if "ClassVar" in str(annotation):
            continue
        if name not in names:
            names.append(name)
        if name in cls.__dict__:
            defaults[name] = cls.__dict__[name]
            if isinstance(defaults[name], _Factory):
                delattr(cls, name)
        else:
            defaults.pop(name, None)
    required = [n for n in names if n not in defaults]
    if any(names.index(n) > min((names.index(d) for d in defaults), default=len(names)) for n in required):
        raise TypeError(f"{cls.__name__}: a field without a default follows one with a default")
    shared = {"__record_fields__": tuple(names), "__record_defaults__": defaults, "__match_args__": tuple(names),
              "__init__": _make_init(cls.__name__, tuple(names), defaults), "__repr__": _repr, "__eq__": _eq,
              "__hash__": _hash, "__setattr__": _setattr, "__delattr__": _delattr}
    for attr, value in shared.items():
        setattr(cls, attr, value)
    return cls


__all__ = ["FrozenRecordError", "field", "fields", "record", "replace"]
