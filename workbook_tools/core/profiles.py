"""Profiles: a jurisdiction's choices as data, validated by code (like ``scoring_rules.json``).

The form has no single national column set and every county scores it its own way (docs/profiles.md).
A profile names those choices: which execution-rate definition feeds the score, the grade labels and
bands, which optional blocks its template shows, its scoring rules, the severity of check codes, and the
report's outline options. Profiles live in ``workbook_tools/data/profiles/<id>.json``; the workbook records
the profile it was made for (defined name ``profile`` in ``_meta``), so validate, fill, export and batch
follow the workbook, not a command-line flag.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from . import DATA, spec
from .errors import WorkbookToolsError
from .findings import CATALOGUE, SEVERITY_ORDER, Finding
from .scoring import Rules, RulesError, load_rules, parse_rules

DEFAULT_PROFILE = "anhua"
PROFILE_DIR = ("data", "profiles")

#: The execution-rate definitions a profile may score on: defined name → what it is.
EXECUTION_RATES: dict[str, str] = {
    "total_rate": "执行率 = 决算 ÷ 年初预算 × 100（种子报告口径）",
    "adjusted_rate": "预算执行率 = 全年执行数 ÷ 全年预算数（调整后）× 100（全国自评表口径；四川“预算执行数 ÷ 调整后预算数”）",
    "completion_rate": "预算完成率 = (上年结转 + 年初预算 + 本年追加 − 年末结余) ÷ (上年结转 + 年初预算 + 本年追加) × 100（湖南指标表口径）",
}
#: “三公”经费变动率 on final accounts (the seed) or on budgets (Hunan-style tables).
SANGONG_BASES: dict[str, str] = {
    "final": "sangong_change_pct",
    "budget": "sangong_budget_change_pct",
}
#: Optional template blocks a profile may show; the rows of the others are hidden (never removed).
BLOCKS: dict[str, str] = {
    "adjustments": "预算调整与结转结余（年中追加、全年预算数、上年结转、年末结转结余）",
    "totals_only": "只有总额时的填法（支出总额、基本支出总额、其他支出）",
    "personnel_public": "基本支出按人员经费、公用经费",
    "sources": "资金来源（财政拨款、上年结转、其他资金）",
    "income": "收入情况（收入合计、财政拨款收入、其他收入）",
    "sangong_detail": "“三公”经费明细（公务用车购置费、运行维护费）与上年预算",
    "other_data": "其他指标数据（政府采购、重点项目支出）",
    "project_functions": "项目支出功能分类",
    "indicator_details": "评分表的指标性质、年度指标值、实际完成值、计量单位、偏差原因",
}
#: The keys a profile file may have, and those of its ``report`` object.
KEYS = {"$comment", "id", "title", "title_en", "source", "execution_rate", "sangong_basis", "grades", "blocks",
         "rules", "severity", "report"}
REPORT_KEYS = {"score_first", "unit_word", "rate_label", "sections"}


class ProfileError(WorkbookToolsError, ValueError):
    """A profile file cannot be used; the message names the file and the key, in Chinese."""

    code = "profile-invalid"


class ReportOptions(msgspec.Struct, frozen=True):
    score_first: bool = False  # 自评得分情况 as the first section (南县 style)
    unit_word: str = "单位"  # how the report calls the reporting body: 单位 or 部门
    rate_label: str = ""  # the execution-rate sentence's own name for the figure
    sections: tuple[str, ...] = ()  # optional sections: "adjustments", "sources", "income", …


class Profile(msgspec.Struct, frozen=True):
    id: str
    title: str
    title_en: str
    source: str
    execution_rate: str
    sangong_basis: str
    grades: tuple[tuple[str, Decimal], ...]  # (label, lower bound inclusive), highest first
    blocks: frozenset[str]
    rules: Rules
    severity: dict[str, str]
    report: ReportOptions
    where: str

    @property
    def is_default(self) -> bool:
        return self.id == DEFAULT_PROFILE

    @property
    def sangong_change(self) -> str:
        """Defined name of the “三公”经费变动率 this profile scores."""
        return SANGONG_BASES[self.sangong_basis]

    def shows(self, block: str) -> bool:
        return block in self.blocks

    def apply_severity(self, findings: list[Finding]) -> list[Finding]:
        """The findings with this profile's severity for the codes it re-grades (a county's own rules)."""
        for f in findings:
            sev = self.severity.get(f.code)
            if sev is not None:
                f.severity = sev  # type: ignore[assignment]
        return findings


def _where(name: str) -> str:
    return f"workbook_tools/data/profiles/{name}.json"


def _text(raw: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    v = raw.get(key, "")
    if not isinstance(v, str) or (required and not v.strip()):
        raise ProfileError(f"{where}：{key} 应为非空文字")
    return v.strip()


def parse_profile(raw: Any, where: str) -> Profile:
    """A profile from parsed JSON; every key is checked so a typo never silently changes a county's rules."""
    if not isinstance(raw, Mapping):
        raise ProfileError(f"{where}：顶层必须是 JSON 对象")
    unknown = set(raw) - KEYS
    if unknown:
        raise ProfileError(f"{where}：未知的键 {', '.join(sorted(unknown))}（可用：{', '.join(sorted(KEYS - {'$comment'}))}）")
    pid = _text(raw, "id", where)
    rate = raw.get("execution_rate", "total_rate")
    if rate not in EXECUTION_RATES:
        raise ProfileError(f"{where}：execution_rate {rate!r} 不是执行率口径之一（{'、'.join(EXECUTION_RATES)}）")
    basis = raw.get("sangong_basis", "final")
    if basis not in SANGONG_BASES:
        raise ProfileError(f"{where}：sangong_basis 应为 final（决算口径）或 budget（预算口径），实为 {basis!r}")
    blocks = raw.get("blocks", sorted(BLOCKS))
    if not isinstance(blocks, list) or not all(isinstance(b, str) for b in blocks):
        raise ProfileError(f"{where}：blocks 应为文字数组")
    bad = [b for b in blocks if b not in BLOCKS]
    if bad:
        raise ProfileError(f"{where}：blocks 中 {', '.join(bad)} 不是可选区块（可用：{', '.join(BLOCKS)}）")
    severity = raw.get("severity", {})
    if not isinstance(severity, Mapping):
        raise ProfileError(f"{where}：severity 应为 {{检查代码: error|warning|info}} 对象")
    for code, sev in severity.items():
        if code not in CATALOGUE:
            raise ProfileError(f"{where}：severity 中 {code!r} 不是检查代码（见 docs/checks.md）")
        if sev not in SEVERITY_ORDER:
            raise ProfileError(f"{where}：severity.{code} 应为 error、warning 或 info，实为 {sev!r}")
        if CATALOGUE[code].family in ("file", "structure"):
            raise ProfileError(f"{where}：severity.{code}：文件和结构检查的级别不可改（否则会错读工作簿）")
    report = raw.get("report", {})
    if not isinstance(report, Mapping) or set(report) - REPORT_KEYS:
        raise ProfileError(f"{where}：report 应为对象，键只能是 {', '.join(sorted(REPORT_KEYS))}")
    unit_word = report.get("unit_word", "单位")
    if unit_word not in ("单位", "部门"):
        raise ProfileError(f"{where}：report.unit_word 应为“单位”或“部门”")
    sections = report.get("sections", [])
    if not isinstance(sections, list) or any(s not in BLOCKS for s in sections):
        raise ProfileError(f"{where}：report.sections 只能列出可选区块（{', '.join(BLOCKS)}）")
    rules = _rules(raw, where)
    return Profile(
        id=pid, title=_text(raw, "title", where), title_en=_text(raw, "title_en", where),
        source=_text(raw, "source", where), execution_rate=rate, sangong_basis=basis,
        grades=rules.grades, blocks=frozenset(blocks), rules=rules, severity=dict(severity),
        report=ReportOptions(score_first=bool(report.get("score_first", False)), unit_word=unit_word,
                             rate_label=str(report.get("rate_label", "")), sections=tuple(sections)),
        where=where)


def _rules(raw: Mapping[str, Any], where: str) -> Rules:
    """The profile's scoring rules: a packaged rules file by name, or inline rules; grades always inline."""
    spec_rules = raw.get("rules", "scoring_rules.json")
    try:
        if isinstance(spec_rules, str):
            if "/" in spec_rules or "\\" in spec_rules:
                raise ProfileError(f"{where}：rules 只能是内置规则文件名（如 scoring_rules.json）或规则数组")
            base = load_rules(None) if spec_rules == "scoring_rules.json" else load_rules(_packaged(spec_rules))
            rules = base.rules
        elif isinstance(spec_rules, list):
            rules = parse_rules({"rules": spec_rules}, f"{where}：rules").rules
        else:
            raise ProfileError(f"{where}：rules 应为内置规则文件名或规则数组")
        grades = parse_rules({"grades": raw.get("grades"), "rules": []}, where).grades
    except RulesError as exc:
        raise ProfileError(str(exc)) from None
    return Rules(grades, tuple(rules), where)


def _packaged(name: str) -> Path:
    return DATA / name


def _read(path: Path | Any, where: str) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"{where}：配置文件不存在") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{where}：配置文件无法读取（{exc}）") from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{where}：不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）") from None
    return parse_profile(data, where)


@cache
def available() -> tuple[str, ...]:
    """Ids of the packaged profiles, the default first."""
    folder = DATA.joinpath(*PROFILE_DIR[1:])
    names = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))
    return tuple(sorted(names, key=lambda n: (n != DEFAULT_PROFILE, n)))


@cache
def get(name: str | None = None) -> Profile:
    """A packaged profile by id (None: the default). Raises :class:`ProfileError` naming the known ids."""
    pid = name or DEFAULT_PROFILE
    if pid not in available():
        raise ProfileError(f"没有名为“{pid}”的配置（可用：{'、'.join(available())}；workbook-tools profiles 列出全部）")
    profile = _read(DATA.joinpath(*PROFILE_DIR[1:], f"{pid}.json"), _where(pid))
    if profile.id != pid:
        raise ProfileError(f"{_where(pid)}：id {profile.id!r} 应与文件名 {pid!r} 一致")
    return profile


def load_file(path: str | Path) -> Profile:
    """A county's own profile file (same format as the packaged ones)."""
    return _read(Path(path), str(path))


def all_profiles() -> tuple[Profile, ...]:
    return tuple(get(n) for n in available())


def for_workbook(recorded: str | None) -> tuple[Profile, str | None]:
    """The profile a workbook records, and a problem to report when the record names no known profile."""
    if not recorded:
        return get(), None
    if recorded in available():
        return get(recorded), None
    return get(), recorded


def grade_rows() -> int:
    """Rows of the template's threshold table (every profile has exactly that many grades)."""
    return len(spec.GRADE_BANDS)


__all__ = ["BLOCKS", "DEFAULT_PROFILE", "EXECUTION_RATES", "Profile", "ProfileError", "ReportOptions",
           "SANGONG_BASES", "all_profiles", "available", "for_workbook", "get", "load_file", "parse_profile"]
