"""Figures that are legal but make a reviewer ask why: warnings, never errors, quiet when the text says why.

Execution far above 100 % is real (the seed's 项目支出 is 741.33 % of its initial budget because funds were
added during the year); what a reviewer wants is the reason in the report. So each check looks for the
reason in the narrative, the goals and the scoring notes before it speaks.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from ..core import spec
from ..core.findings import Finding
from ..xlsx.reader import Loaded
from . import Computed, finding, fmt, place

#: Execution rates (决算 ÷ 预算 × 100) outside [LOW, HIGH] ask for a reason.
RATE_HIGH = Decimal(150)
RATE_LOW = Decimal(50)
#: 三公 growth (变动率, %) above this asks for a reason.
SANGONG_GROWTH = Decimal(10)
RATES: tuple[str, ...] = ("total_rate", "basic_rate", "project_rate", "adjusted_rate")

#: Patterns as text: ``re`` compiles (and caches) one the first time a check needs it, not at import.
_HIGH_REASON = r"追加|调增|预算调整|调整预算|上级(?:专项|补助|转移支付)|新增(?:项目|资金|任务)|上年结转"
_LOW_REASON = r"结转|结余|延期|推迟|暂缓|调减|收回|进度(?:慢|缓慢|偏慢|滞后)|未(?:支付|拨付|到位|完成|实施|启动)"
#: A reason counts only in a sentence about money (预算, 支出, 资金 …), not “新增学位” or “形象进度”.
_MONEY = r"预算|支出|资金|经费|执行|拨款|拨付"
_SENTENCE = r"[^。；;！？!?\n]+"
_WHY = r"由于|因为|原因|主要是|主要用于|系因|增加的?(?:是|为)"
_SANGONG = r"三公|公务接待|公务用车|公车|出国"
_ADDED = r"追加|调增|结转"


def texts(loaded: Loaded) -> list[str]:
    """Every free text of the workbook where a unit explains its figures (normalised: full-width folded)."""
    out: list[str] = []
    m = loaded.model
    for table, keys in (("narrative", ("heading", "text")), ("goals", ("title", "text")), ("indicators", ("basis",))):
        for row in m.lists.get(table, []):
            out += [str(row[k]) for k in keys if isinstance(row.get(k), str)]
    out += [str(m.values[n]) for n in ("main_tasks",) if isinstance(m.values.get(n), str)]
    return [unicodedata.normalize("NFKC", t).replace("“", "").replace("”", "").replace('"', "") for t in out]


def gives_reason(said: list[str], reason: str) -> bool:
    """Some sentence about money says why (追加, 结转, 延期 …)."""
    return any(re.search(reason, s) and re.search(_MONEY, s) for t in said for s in re.findall(_SENTENCE, t))


def _rates(loaded: Loaded, computed: Computed, said: list[str]) -> list[Finding]:
    out: list[Finding] = []
    for name in RATES:
        if name not in spec.FIELD_BY_NAME:
            continue
        v = computed.get(name)
        if not isinstance(v, Decimal) or RATE_LOW <= v <= RATE_HIGH:
            continue
        high = v > RATE_HIGH
        if gives_reason(said, _HIGH_REASON if high else _LOW_REASON):
            continue
        f = spec.FIELD_BY_NAME[name]
        sheet, cell = place(loaded, name)
        out.append(finding("rate-implausible", "high" if high else "low",
                           {"label": f.label, "label_en": f.label_en, "rate": v, "bound": RATE_HIGH if high else RATE_LOW},
                           sheet=sheet, cell=cell, name=name, actual=fmt(v, 2)))
    return out


def _sangong(loaded: Loaded, computed: Computed, said: list[str]) -> list[Finding]:
    v = computed.get("sangong_change_pct")
    if not isinstance(v, Decimal) or v <= SANGONG_GROWTH:
        return []
    if any(re.search(_SANGONG, t) and re.search(_WHY, t) for t in said):
        return []
    sheet, cell = place(loaded, "sangong_change_pct")
    return [finding("sangong-growth", "default", {"growth": v, "limit": SANGONG_GROWTH},
                    sheet=sheet, cell=cell, name="sangong_change_pct", actual=fmt(v, 2))]


def _above_budget(loaded: Loaded, computed: Computed, said: list[str]) -> list[Finding]:
    adjusted = loaded.model.number("adjusted_budget")
    actual = computed.get("total_actual")
    if adjusted is None or adjusted <= 0 or not isinstance(actual, Decimal):
        return []
    carried = loaded.model.number("carryover_prev") or Decimal(0)
    if actual <= adjusted + carried or gives_reason(said, _ADDED):
        return []
    sheet, cell = place(loaded, "adjusted_budget")
    return [finding("actual-above-budget", "default", {"actual": actual, "budget": adjusted, "carried": carried},
                    sheet=sheet, cell=cell, name="adjusted_budget", expected=f"≥ {fmt(actual, 2)}", actual=fmt(adjusted, 2))]


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    said = texts(loaded)
    return _rates(loaded, computed, said) + _sangong(loaded, computed, said) + _above_budget(loaded, computed, said)


__all__ = ["RATES", "RATE_HIGH", "RATE_LOW", "SANGONG_GROWTH", "check", "gives_reason", "texts"]
