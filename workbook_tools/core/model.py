"""The evaluation model: what a department states in its workbook, in the vocabulary of the report.

It is deliberately keyed by the template's defined names (the public interface), so the JSON form,
the workbook and the documentation share one vocabulary. Amounts are Decimal, never float.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from . import spec
from .errors import WorkbookToolsError
from .numbers import to_decimal

Value = Decimal | int | str | bool | None
Row = dict[str, Value]

JSON_SCHEMA_ID = "workbook_tools/evaluation.json"
#: C0/C1 control characters other than tab and line breaks: invisible, and not allowed in a .docx.
#: Control characters, lone surrogates (``_xD800_``) and the non-characters U+FFFE/U+FFFF: validate warns about
#: them and every output drops them (JSON encoders and XML writers refuse the last two kinds).
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class ModelError(WorkbookToolsError, ValueError):
    """The JSON form does not fit the template; the message says which key and why."""

    code = "model-invalid"


def _is_numeric_kind(kind: str) -> bool:
    return kind in spec.NUMERIC_KINDS


class Evaluation(msgspec.Struct):
    """One department's year: input values, lists, and any derived cell that was typed over."""

    values: dict[str, Value] = msgspec.field(default_factory=dict)
    lists: dict[str, list[Row]] = msgspec.field(default_factory=dict)
    stated: dict[str, Value] = msgspec.field(default_factory=dict)
    template_version: str = spec.TEMPLATE_VERSION
    #: The profile the workbook was made for (``_meta`` name ``profile``); None: the default profile.
    profile: str | None = None
    #: The workbook's own locked tables (grade labels and minimums), which the grade formula reads.
    constants: dict[str, list[Value]] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        for f in spec.INPUT_FIELDS:
            self.values.setdefault(f.name, None)
        for t in spec.TABLES:
            self.lists.setdefault(t.name, [])
        for k in spec.CONSTANTS:
            self.constants.setdefault(k.name, list(k.values))

    # -- typed access ---------------------------------------------------------------------------
    def get(self, name: str) -> Value:
        return self.values.get(name)

    def number(self, name: str) -> Decimal | None:
        """An input as Decimal; text and blanks give None (validation reports text)."""
        return to_decimal(self.values.get(name))

    def text(self, name: str) -> str:
        v = self.values.get(name)
        return "" if v is None else str(v)

    def rows(self, table: str) -> list[Row]:
        return self.lists[table]

    @property
    def unit_name(self) -> str:
        return self.text("unit_name")

    @property
    def fiscal_year(self) -> int | None:
        v = self.values.get("fiscal_year")
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    def env(self) -> dict[str, Any]:
        """Inputs and list columns by defined name, numbers as Decimal, for :mod:`workbook_tools.core.compute`."""
        out: dict[str, Any] = {}
        for f in spec.INPUT_FIELDS:
            v = self.values.get(f.name)
            out[f.name] = to_decimal(v) if _is_numeric_kind(f.kind) else v
        for t in spec.TABLES:
            rows = self.lists.get(t.name, [])
            for c in t.columns:
                col = [r.get(c.key) for r in rows]
                out[t.range_name(c.key)] = [to_decimal(v) for v in col] if _is_numeric_kind(c.kind) else col
        for k in spec.CONSTANTS:
            out[k.name] = list(self.constants.get(k.name, k.values))
        return out

    def grade_bands(self) -> tuple[tuple[str, Decimal], ...] | None:
        """The workbook's threshold table as (label, lower bound), or None when it is not usable as one."""
        labels = self.constants.get("grade_labels", [])
        lows = [to_decimal(v) for v in self.constants.get("grade_minimums", [])]
        if not labels or len(labels) != len(lows) or any(v is None for v in lows) \
                or any(not isinstance(x, str) or not x.strip() for x in labels):
            return None
        return tuple((str(lab).strip(), low) for lab, low in zip(labels, lows, strict=True) if low is not None)

    def without_control_characters(self) -> Evaluation:
        """A copy whose texts carry no control characters (validate warns about them; reports drop them)."""

        def clean(v: Value) -> Value:
            return CONTROL_CHARS.sub("", v) if isinstance(v, str) else v

        return msgspec.structs.replace(self, values={k: clean(v) for k, v in self.values.items()},
                       lists={t: [{k: clean(v) for k, v in row.items()} for row in rows] for t, rows in self.lists.items()})

    # -- JSON -----------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Lossless JSON form: Decimals as strings (exact), ints as ints, blanks omitted."""
        return {
            "$schema": JSON_SCHEMA_ID,
            "template_version": self.template_version,
            "values": {f.name: _dump(self.values[f.name]) for f in spec.INPUT_FIELDS
                       if self.values.get(f.name) is not None},
            "lists": {t.name: [{k: _dump(v) for k, v in row.items() if v is not None} for row in self.lists[t.name]]
                      for t in spec.TABLES},
            "stated": {k: _dump(v) for k, v in self.stated.items() if v is not None},
            **({"profile": self.profile} if self.profile else {}),
            **({"constants": {k: [_dump(v) for v in vs] for k, vs in self.constants.items()}}
               if any(list(self.constants.get(k.name, k.values)) != list(k.values) for k in spec.CONSTANTS) else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Evaluation:
        if not isinstance(data, Mapping):
            raise ModelError("顶层必须是 JSON 对象 / top level must be an object")
        unknown = set(data) - {"$schema", "template_version", "values", "lists", "stated", "profile", "constants"}
        if unknown:
            raise ModelError(f"未知的键 / unknown keys: {', '.join(sorted(unknown))}")
        values: dict[str, Value] = {}
        for name, raw in dict(data.get("values") or {}).items():
            f = spec.FIELD_BY_NAME.get(name)
            if f is None or f.is_derived:
                raise ModelError(f"values.{name}: 不是模板的输入项 / not an input of the template")
            values[name] = _load(raw, f.kind, f"values.{name}")
        stated: dict[str, Value] = {}
        for name, raw in dict(data.get("stated") or {}).items():
            f = spec.FIELD_BY_NAME.get(name)
            if f is None or not f.is_derived:
                raise ModelError(f"stated.{name}: 不是模板的计算项 / not a derived cell of the template")
            stated[name] = _load(raw, f.kind, f"stated.{name}")
        lists: dict[str, list[Row]] = {}
        for tname, rows in dict(data.get("lists") or {}).items():
            t = spec.TABLE_BY_NAME.get(tname)
            if t is None:
                raise ModelError(f"lists.{tname}: 模板中没有这个列表 / no such list")
            if not isinstance(rows, Sequence) or isinstance(rows, str):
                raise ModelError(f"lists.{tname}: 应为数组 / must be an array")
            if len(rows) > t.capacity:
                raise ModelError(f"lists.{tname}: 最多 {t.capacity} 行 / at most {t.capacity} rows")
            keys = {c.key: c for c in t.columns}
            out: list[Row] = []
            for i, row in enumerate(rows):
                if not isinstance(row, Mapping):
                    raise ModelError(f"lists.{tname}[{i}]: 应为对象 / must be an object")
                bad = set(row) - set(keys)
                if bad:
                    raise ModelError(f"lists.{tname}[{i}]: 未知列 / unknown columns {', '.join(sorted(bad))}")
                out.append({k: _load(row.get(k), c.kind, f"lists.{tname}[{i}].{k}") for k, c in keys.items()})
            lists[tname] = out
        constants: dict[str, list[Value]] = {}
        for cname, raw_values in dict(data.get("constants") or {}).items():
            k = next((k for k in spec.CONSTANTS if k.name == cname), None)
            if k is None or not isinstance(raw_values, list) or len(raw_values) != len(k.values):
                raise ModelError(f"constants.{cname}: 不是模板的常量表，或行数不是模板的行数 / not a constant table of the template")
            kind = "score" if isinstance(k.values[0], Decimal) else "text"
            constants[cname] = [_load(v, kind, f"constants.{cname}") for v in raw_values]
        profile = data.get("profile")
        if profile is not None and not isinstance(profile, str):
            raise ModelError("profile: 应为配置名称 / must be a profile id")
        version = str(data.get("template_version") or spec.TEMPLATE_VERSION)
        return cls(values=values, lists=lists, stated=stated, template_version=version, profile=profile,
                   constants=constants)


def unit_key(unit: str) -> str:
    """A unit name as compared across files (duplicates, last year's workbook): full-width folded, spaces
    dropped, case folded."""
    return "".join(unicodedata.normalize("NFKC", unit).split()).casefold()


def canonical(d: Decimal) -> str:
    """Shortest exact text of a Decimal without exponent: 12.50 → "12.5", 100 → "100"."""
    return format(d.normalize(), "f")  # "f" writes 1E+2 as 100 (quantize would overflow on 1e308)


def _dump(v: Value) -> Any:
    if isinstance(v, Decimal):
        return canonical(v)
    return v


#: The largest number a spreadsheet cell holds (IEEE double).
EXCEL_MAX = Decimal("1.7976931348623157E+308")


class NonFinite(str):
    """A JSON number that is no number (NaN, Infinity, 1e400), kept as its text so the field can be named."""


def load_json_text(text: str) -> Any:
    """``json.loads`` that keeps NaN, Infinity and overflowing numbers as :class:`NonFinite` (Python's json
    accepts them silently); :meth:`Evaluation.from_json` then names the field. Deep nesting raises
    RecursionError, which the caller reports."""

    def number(s: str) -> float | NonFinite:
        f = float(s)
        return f if math.isfinite(f) else NonFinite(s)

    return json.loads(text, parse_float=number, parse_constant=NonFinite)


def _load(raw: Any, kind: str, where: str) -> Value:
    """JSON → model value. Numbers may be given as strings ("285.48", exact) or JSON numbers."""
    if raw is None:
        return None
    if isinstance(raw, NonFinite) or (isinstance(raw, float) and not math.isfinite(raw)):
        raise ModelError(f"{where}: {raw} 不是有限的数字 / is not a finite number")
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > 10**30:
        raise ModelError(f"{where}: 数字过大 / number too large")
    if kind in spec.NUMERIC_KINDS and kind not in spec.INTEGRAL_KINDS:
        if isinstance(raw, bool):
            raise ModelError(f"{where}: 应为数字 / must be a number")
        if isinstance(raw, int | float):
            return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if isinstance(raw, str):
            try:
                d = Decimal(raw)
            except InvalidOperation:
                return raw  # kept as text, as a workbook can hold it; validation reports it
            if not d.is_finite() or abs(d) > EXCEL_MAX:
                raise ModelError(f"{where}: “{raw}” 不是 Excel 能保存的数字 / is not a number Excel can hold")
            return d
    if kind in spec.INTEGRAL_KINDS:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            return int(raw)
        if isinstance(raw, str):
            return raw
        raise ModelError(f"{where}: 应为整数 / must be an integer")
    if not isinstance(raw, str | int | float | bool):
        raise ModelError(f"{where}: 应为文本 / must be text")
    return raw if isinstance(raw, str) else str(raw)
