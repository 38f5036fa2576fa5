"""Findings are data: a stable code from the catalogue, a severity, a place, parameters, expected and actual.

Each catalogue entry carries its zh and en message templates (one per variant, with named placeholders);
a finding names its variant and carries the parameters, and :func:`render` alone turns them into the
message. Text, JSON and annotated-workbook output all render these same objects; nothing else decides
what the user is told.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import msgspec

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


class CheckType(msgspec.Struct, frozen=True):
    """One entry of the catalogue (docs/checks.md is generated from these)."""

    code: str
    severity: Severity
    family: str
    title: str
    title_en: str
    description: str
    #: Message templates by variant: (Chinese, English), with ``{name:spec}`` placeholders (see :func:`render`).
    messages: Mapping[str, tuple[str, str]] = msgspec.field(default_factory=dict)


def _c(code: str, severity: Severity, family: str, title: str, title_en: str, description: str) -> CheckType:
    return CheckType(code, severity, family, title, title_en, description, MESSAGES.get(code, {}))


# -- message templates ------------------------------------------------------------------------------
# Placeholders are ``{param}`` or ``{param:spec}``; the specs are the one place messages format values:
#   (none)   as an f-string would (str(), or a standard format spec such as ``.2f``); ``!r`` is repr()
#   v, vN    a figure as a person types it (:func:`fmt`): N decimals kept; blank is 空白
#   ve, vNe  the same, blank written "blank" (English messages)
#   list     items joined by 、        qlist  each item in “”, joined by 、        enlist  joined by ", "
#   joinSEP  items joined by SEP (``{advice:join；}``)
# The workbook's own 校验 sheet (spec key ``checks``) renders the Chinese text of the ``checks-*`` variants in
# Excel formulas (core/live_checks.py): ``checks-input`` a checked input cell (``checks-input-KIND`` the range of
# one kind), ``checks-derived`` a derived cell, ``checks-cross`` a check across tables (sangong-exceeds-basic and
# weights-not-100 say what validate says and reuse ``default``). Their {label}, {value}, {rounded}, {shown} and
# {expected} are the cell's text as Excel shows it (no spec); ``v``/``vN`` figures become the value or
# FIXED(value, N). The ``live`` and ``live-many`` variants are validate's and fill's findings about the 校验
# sheet's own formulas.

MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    # -- formulas
    "formula-deleted": {
        "field": ("“{label}”的公式被删除了（单元格为空）。请恢复模板公式 {formula}（或运行 workbook-tools fill）",
                  "the formula of {label_en} was deleted; restore {formula} (or run workbook-tools fill)"),
        "live": ("“{sheet}”表 {cell}（{what}）的自动检查公式被删除了。请运行 workbook-tools fill 恢复",
                 "the live-check formula of {sheet}!{cell} was deleted; run workbook-tools fill"),
        "checks-derived": ("“{label}”的公式被删除了（单元格为空）。请恢复公式（撤销改动，或由财政局运行 fill）",
                          "the formula of {label} was deleted (the cell is empty); "
                          "restore the formula (undo the change, or have the finance bureau run fill)"),
    },
    "formula-changed": {
        "field": ("“{label}”的公式被改成了 ={found}，与模板公式 {formula} 不同。请恢复模板公式（或运行 workbook-tools fill）",
                  "the formula of {label_en} was changed to ={found}; the template's is {formula}"),
        "live": ("“{sheet}”表 {cell}（{what}）的自动检查公式被改动了。请运行 workbook-tools fill 恢复",
                 "the live-check formula of {sheet}!{cell} was changed; run workbook-tools fill"),
        "live-many": ("工作簿自动检查的 {count} 个公式（如 {places:list}）被删除或改动，“校验”表和状态行已不可信。"
                      "请运行 workbook-tools fill 恢复（或在新模板上重新填写）",
                      "{count} formulas of the workbook's live checks (e.g. {places:list}) were deleted or changed; "
                      "run workbook-tools fill to restore them"),
    },
    # -- cross-table
    "project-list-mismatch": {
        "more": ("项目明细的{column}合计 {listed:v2} 万元（{count} 个项目）与表4“{total_label}” {total:v2} 万元不符，"
                 "差 {diff:v2} 万元（明细多）。请补全或核对项目明细，或核对项目支出总额",
                 "the project list's {column_en} total {listed:v2} ({count} projects) does not match "
                 "{total_label_en} {total:v2}: difference {diff:v2}"),
        "less": ("项目明细的{column}合计 {listed:v2} 万元（{count} 个项目）与表4“{total_label}” {total:v2} 万元不符，"
                 "差 {diff:v2} 万元（明细少）。请补全或核对项目明细，或核对项目支出总额",
                 "the project list's {column_en} total {listed:v2} ({count} projects) does not match "
                 "{total_label_en} {total:v2}: difference {diff:v2}"),
        "checks-cross": ("项目明细{column}合计 {listed:v2} 万元，"
                         "与表4“{total_label}” {total:v2} 万元相差 {diff:v2} 万元。请补全或核对项目明细，或核对项目支出总额",
                        "the project list's {column} total {listed:v2} differs from {total_label} {total:v2} by {diff:v2}; "
                        "complete or check the project list, or the project total"),
    },
    "sangong-exceeds-basic": {
        "default": ("“三公”经费{what}合计 {sangong:v2} 万元大于基本支出{what}合计 {basic:v2} 万元；三公经费属于基本支出，"
                    "不应更大。请核对表1和表2的金额",
                    "the three public expenses' {what_en} ({sangong:v2}) exceeds basic expenditure's {what_en} ({basic:v2})"),
    },
    "score-exceeds-weight": {
        "named": ("评分表第 {row} 行“{what}”得分 {score:v} 超过分值 {weight:v}。请把得分改为不超过 {weight:v}",
                  "scoring row {row} ({what}) scores {score:v}, above its points {weight:v}"),
        "unnamed": ("评分表第 {row} 行“第 {row} 行”得分 {score:v} 超过分值 {weight:v}。请把得分改为不超过 {weight:v}",
                    "scoring row {row} (第 {row} 行) scores {score:v}, above its points {weight:v}"),
        "checks-cross": ("评分表第 {row} 行得分 {score:v} 超过分值 {weight:v}。请把得分改为不超过 {weight:v}",
                        "scoring row {row} scores {score:v}, above its points {weight:v}"),
    },
    "weights-not-100": {
        "default": ("评分表各指标分值合计为 {total:v}，应为 100。请调整“分值”列", "the indicators' points total {total:v}, not 100"),
    },
    "staff-without-quota": {
        "zero": ("填写了实有人数 {staff:v} 人，但编制数为 0，在职人员控制率无法计算。请填写核定编制数",
                 "actual staff is {staff:v} but the authorised staff (编制数) is 0"),
        "blank": ("填写了实有人数 {staff:v} 人，但编制数为空，在职人员控制率无法计算。请填写核定编制数",
                  "actual staff is {staff:v} but the authorised staff (编制数) is empty"),
        "checks-cross": ("填写了实有人数 {staff:v} 人，但编制数为空或为 0，在职人员控制率无法计算。请填写核定编制数",
                        "actual staff is {staff:v} but the authorised staff (编制数) is empty or 0"),
    },
    "parts-not-total": {
        "default": ("{what}合计 {listed:v2} 万元，与“{total_label}” {total:v2} 万元不符，差 {diff:v2} 万元。请核对分项和合计",
                    "{what}: parts sum to {listed:v2}, but {total_label_en} is {total:v2}"),
    },
    "value-imprecise": {
        "project-list": ("项目明细的{column}合计 {listed:v2} 万元与“{total_label}” {total:v2} 万元相差 {diff:v2} 万元，"
                         "只能用各金额的舍入误差解释。请核对，使明细合计与项目支出一致",
                         "the project list's {column_en} total {listed:v2} differs from {total_label_en} {total:v2} "
                         "by {diff:v2}, within rounding only"),
        "typed": ("“{label}”的公式被改写成了数字 {shown}：按填写的金额四舍五入应为 {expected}；只有把各金额视为 ±0.005 万元的"
                  "舍入区间（结果在 {range} 之间）才能得到 {shown}，说明计算用了更精确的原始金额。请恢复公式（或运行 workbook-tools fill）",
                  "the formula of {label_en} was typed over with {shown}; the stated amounts round to {expected}; only more "
                  "precise amounts (range {range}) give {shown}; restore the formula (or run workbook-tools fill)"),
        "typed-worked": ("“{label}”的公式被改写成了数字 {shown}：按填写的金额四舍五入应为 {expected}（{how}）；只有把各金额视为"
                         " ±0.005 万元的舍入区间（结果在 {range} 之间）才能得到 {shown}，说明计算用了更精确的原始金额。"
                         "请恢复公式（或运行 workbook-tools fill）",
                         "the formula of {label_en} was typed over with {shown}; the stated amounts round to {expected}; "
                         "only more precise amounts (range {range}) give {shown}; restore the formula (or run workbook-tools fill)"),
        "checks-cross": ("项目明细{column}合计 {listed:v2} 万元，"
                         "与表4“{total_label}” {total:v2} 万元相差 {diff:v2} 万元，只能用各金额的舍入误差解释。请核对",
                        "the project list's {column} total {listed:v2} differs from {total_label} {total:v2} by {diff:v2}, "
                        "within rounding only; check it"),
    },
    # -- arithmetic (a constant typed over a formula, a stale or missing cached result)
    "formula-overwritten": {
        "grade": ("“{label}”的公式被改写成了“{shown}”（与按得分计算的等级一致）。请恢复公式（或运行 workbook-tools fill）",
                  "{label_en} was typed over with {shown!r}; restore the formula (or run workbook-tools fill)"),
        "consistent": ("“{label}”的公式被改写成了数字 {shown}，数值与计算结果一致，但输入改变后不会再更新。"
                       "请恢复公式（或运行 workbook-tools fill）",
                       "the formula of {label_en} was typed over with {shown} (still correct); restore the formula "
                       "(or run workbook-tools fill)"),
        "blank-zero": ("“{label}”的公式被改写成了 0；分母为 0 时模板把该比率留空。请恢复公式（或运行 workbook-tools fill）",
                       "the formula of {label_en} was typed over with 0; the template leaves it blank when the denominator "
                       "is 0; restore the formula (or run workbook-tools fill)"),
        "checks-derived": ("“{label}”的公式被改写成了 {shown}，数值与计算结果一致，但输入改变后不会再更新。"
                           "请恢复公式（撤销改动，或由财政局运行 fill）",
                          "the formula of {label} was typed over with {shown} (still correct, but it no longer follows the "
                          "inputs); restore the formula (undo the change, or have the finance bureau run fill)"),
    },
    "value-mismatch": {
        "grade": ("“{label}”被改写成了“{shown}”，按得分合计应为“{expected}”。请恢复公式（或运行 workbook-tools fill）",
                  "{label_en} was typed over with {shown!r}; the score gives {expected!r}"),
        "text": ("“{label}”的公式被改写成了文本“{shown}”，应为 {expected}。请恢复公式（或运行 workbook-tools fill）",
                 "{label_en} was typed over with the text {shown!r}; expected {expected}"),
        "typed": ("“{label}”的公式被改写成了 {shown}，与按输入计算的 {expected} 不符，任何四舍五入或截尾都得不到。"
                  "请恢复公式（或运行 workbook-tools fill），并核对输入的金额",
                  "{label_en} was typed over with {shown}, but the inputs give {expected}; no rounding or truncation "
                  "explains it; restore the formula (or run workbook-tools fill)"),
        "typed-worked": ("“{label}”的公式被改写成了 {shown}，与按输入计算的 {expected}（{how}） 不符，任何四舍五入或截尾都得不到。"
                         "请恢复公式（或运行 workbook-tools fill），并核对输入的金额",
                         "{label_en} was typed over with {shown}, but the inputs give {expected} ({how}); no rounding or "
                         "truncation explains it; restore the formula (or run workbook-tools fill)"),
        "typed-range": ("“{label}”的公式被改写成了 {shown}，与按输入计算的 {expected} 不符，任何四舍五入或截尾都得不到；"
                        "各金额按舍入区间计算，结果也只能在 {range} 之间。请恢复公式（或运行 workbook-tools fill），并核对输入的金额",
                        "{label_en} was typed over with {shown}, but the inputs give {expected}; no rounding or truncation "
                        "explains it; restore the formula (or run workbook-tools fill)"),
        "typed-worked-range": ("“{label}”的公式被改写成了 {shown}，与按输入计算的 {expected}（{how}） 不符，任何四舍五入或截尾都"
                               "得不到；各金额按舍入区间计算，结果也只能在 {range} 之间。请恢复公式（或运行 workbook-tools fill），"
                               "并核对输入的金额",
                               "{label_en} was typed over with {shown}, but the inputs give {expected} ({how}); no rounding or "
                               "truncation explains it; restore the formula (or run workbook-tools fill)"),
        "checks-derived": ("“{label}”被改写成了 {shown}，按输入计算应为 {expected}。请恢复公式（撤销改动，"
                           "或由财政局运行 fill），并核对输入的金额",
                          "{label} was typed over with {shown}; the inputs give {expected}; restore the formula (undo the "
                          "change, or have the finance bureau run fill), and check the amounts typed"),
    },
    "value-truncated": {
        "typed": ("“{label}”的公式被改写成了 {shown}，这是截尾而不是四舍五入的结果：四舍五入为 {expected}；把各金额视为 ±0.005 万元"
                  "的舍入区间，结果在 {range}，截尾才得 {shown}。请恢复公式（或运行 workbook-tools fill）",
                  "{label_en}: the formula was typed over with {shown}, a truncated figure: rounded {expected}; only "
                  "truncating a value in {range} gives {shown}; restore the formula (or run workbook-tools fill)"),
        "typed-worked": ("“{label}”的公式被改写成了 {shown}，这是截尾而不是四舍五入的结果：{how}，四舍五入为 {expected}；"
                         "把各金额视为 ±0.005 万元的舍入区间，结果在 {range}，截尾才得 {shown}。请恢复公式（或运行 workbook-tools fill）",
                         "{label_en}: the formula was typed over with {shown}, a truncated figure: {how}, rounded {expected}; "
                         "only truncating a value in {range} gives {shown}; restore the formula (or run workbook-tools fill)"),
    },
    "cache-stale": {
        "auto": ("“{label}”的公式完好，但文件中保存的结果 {saved} 与按输入重新计算的 {computed} 不符：文件最后由 {program} 保存，"
                 "保存前没有重新计算。请在 Excel 中按 Ctrl+Alt+F9 重新计算后保存",
                 "the formula of {label_en} is intact but its saved result {saved} differs from the recomputed {computed}; "
                 "the file was last saved by {program_en} without recalculating — recalculate (Ctrl+Alt+F9) and save"),
        "manual": ("“{label}”的公式完好，但文件中保存的结果 {saved} 与按输入重新计算的 {computed} 不符：文件最后由 {program} 保存，"
                   "且工作簿处于手动计算模式，保存前没有重新计算。请在 Excel 中按 Ctrl+Alt+F9 重新计算后保存",
                   "the formula of {label_en} is intact but its saved result {saved} differs from the recomputed {computed}; "
                   "the file was last saved by {program_en} in manual calculation mode without recalculating — "
                   "recalculate (Ctrl+Alt+F9) and save"),
        "checks-derived": ("“{label}”的结果 {shown} 与按输入计算的 {expected} 不符：它引用的计算单元格被改写了，"
                           "请先恢复那些单元格的公式",
                          "{label} shows {shown} but the inputs give {expected}: a derived cell it reads was typed over; "
                          "restore those formulas first"),
    },
    "cache-missing": {
        "default": ("文件由 {program} 写出，其中 {count} 个公式单元格没有保存计算结果（写出它的程序不计算公式）；已按输入重新计算校验。"
                    "用 Excel 或 WPS 打开并保存即可补上",
                    "the file was written by {program_en}: {count} formula cells carry no saved result (the program that "
                    "wrote it does not calculate formulas); they were recomputed from the inputs. Opening and saving the "
                    "file in Excel adds them"),
    },
    # -- inputs
    "required-missing": {
        "default": ("必填项“{label}”未填写，请在 {sheet}!{cell} 填写", "required field {label_en} is empty; fill in {sheet}!{cell}"),
        "checks-input": ("必填项“{label}”未填写，请填写",
                        "required field {label} is empty; fill it in"),
    },
    "text-number": {
        "convertible": ("请把“{label}”改为数字 {shown}（{advice:join；}）：现在是文本“{raw}”，公式会忽略它",
                        "change {label_en} to the number {shown} ({advice_en:join; }): it holds the text {raw!r}, "
                        "which formulas ignore"),
        "not-number": ("“{label}”应填数字，现在是文本“{raw}”：{note}", "{label_en} must be a number but holds the text {raw!r}"),
        "not-number-wan": ("“{label}”应填数字，现在是文本“{raw}”：{note}。如果是 {wan} 万元，请填 {wan_shown}",
                           "{label_en} must be a number but holds the text {raw!r}"),
        "checks-input": ("“{label}”应填数字，现在是文本“{value}”，公式会忽略它。请只填数字（不要逗号、空格、单位或撇号）",
                        "{label} must be a number but holds the text {value}, which formulas ignore; "
                        "type digits only (no commas, spaces, units or apostrophes)"),
    },
    "negative-amount": {
        "default": ("“{label}”是负数 {value:v} 万元，金额不能为负数。请填写实际金额（没有请填 0）",
                    "{label_en} is negative ({value:v}); amounts cannot be negative"),
        "checks-input": ("“{label}”是负数 {rounded} 万元，金额不能为负数。请填写实际金额（没有请填 0）",
                        "{label} is negative ({rounded}); amounts cannot be negative: type the real amount (0 if none)"),
    },
    "out-of-range": {
        "fraction": ("“{label}”应为整数，现在是 {value:v}", "{label_en} must be a whole number"),
        "money": ("“{label}”为 {value:v}万元，超出允许范围 {bounds}，请确认金额单位是万元（不是元）",
                  "{label_en} is {value:v}, outside {bounds}"),
        "other": ("“{label}”为 {value:v}，超出允许范围 {bounds}", "{label_en} is {value:v}, outside {bounds}"),
        "checks-input-integer": ("“{label}”为 {value}，超出允许范围：应为 {span} 之间的整数",
                                "{label} is {value}, outside the range: a whole number in {span}"),
        "checks-input-money": ("“{label}”为 {value}，超出允许范围：{span} 万元，请确认金额单位是万元（不是元）",
                              "{label} is {value}, outside {span} (万元): check that the amount is in 万元, not 元"),
        "checks-input-other": ("“{label}”为 {value}，超出允许范围：{span}",
                              "{label} is {value}, outside {span}"),
    },
    "excess-digits": {
        "money": ("“{label}”填了 {value:v}，超过两位小数；金额以万元为单位保留两位小数，请改为 {rounded}",
                  "{label_en} has more than 2 decimals ({value:v}); type {rounded}"),
        "score": ("“{label}”填了 {value:v}，超过两位小数；分值保留两位小数，请改为 {rounded}",
                  "{label_en} has more than 2 decimals ({value:v}); type {rounded}"),
        "checks-input": ("“{label}”填了 {value}，超过两位小数，请改为 {rounded}",
                        "{label} has more than 2 decimals ({value}); type {rounded}"),
    },
    "unit-yuan-suspected": {
        "default": ("“{label}”为 {value:v}，比本工作簿其他金额大约一万倍，像是以元填写；本模板金额单位为万元，应为 {wan:v2}。请核对后改正",
                    "{label_en} is {value:v}, about ten thousand times the other amounts: it looks like 元; in 万元 it "
                    "would be {wan:v2}"),
    },
    "invalid-choice": {
        "default": ("“{label}”填的是“{value}”，不是下拉列表中的选项。请从下拉列表选择：{choices:list}",
                    "{label_en} is {value!r}, not one of the choices: {choices:enlist}"),
        "checks-input": ("“{label}”填的是“{value}”，不是下拉列表中的选项。请点单元格右侧的箭头选择",
                        "{label} is {value}, not one of the drop-down's choices: pick one with the arrow beside the cell"),
    },
    "boolean-in-number": {
        "default": ("“{label}”中是逻辑值 {shown}，不是数字，所有合计都会忽略它。请改为数字（没有请填 0）",
                    "{label_en} holds the logical value {shown}, not a number; every total ignores it"),
    },
    "input-formula-uncached": {
        "default": ("“{label}”是公式 ={formula}，但文件中没有保存它的计算结果（写出文件的程序不计算公式），按空白处理。"
                    "请在 Excel 或 WPS 中打开并保存，或直接填写数字",
                    "{label_en} is the formula ={formula} with no cached result (the writing program does not calculate); "
                    "read as blank. Open and save it in Excel or WPS, or type the number"),
    },
    "date-in-number": {
        "default": ("“{label}”单元格被设成了日期格式（数值 {value:v} 会显示成日期）。请把单元格格式改为“数值”并核对数值",
                    "{label_en} is formatted as a date; format it as a number and check the value {value:v}"),
    },
    "excel-error": {
        "field-derived": ("“{label}”是错误值 {error}（{why}）。请恢复模板公式（或运行 workbook-tools fill）",
                          "{label_en} holds the error {error} ({why_en})"),
        "field-formula": ("“{label}”是错误值 {error}（{why}）。请检查公式引用的单元格", "{label_en} holds the error {error} ({why_en})"),
        "field-value": ("“{label}”是错误值 {error}（{why}）。请改为正确的值或清空", "{label_en} holds the error {error} ({why_en})"),
        "cell-formula": ("单元格 {cell} 是错误值 {error}（{why}）。请检查公式引用的单元格", "cell {cell} holds the error {error} ({why_en})"),
        "cell-value": ("单元格 {cell} 是错误值 {error}（{why}）。请改为正确的值或清空", "cell {cell} holds the error {error} ({why_en})"),
        "checks-input": ("“{label}”含错误值（如 #VALUE!、#DIV/0!），请改为正确的值或清空",
                        "{label} holds an error value (such as #VALUE! or #DIV/0!); correct it or clear the cell"),
        "checks-derived": ("“{label}”是错误值（参与计算的单元格中有文本或错误）。请改正它引用的填写项",
                          "{label} is an error value (a cell it computes from holds text or an error); "
                          "correct the inputs it reads"),
    },
    "text-too-long": {
        "default": ("“{label}”有 {length} 个字符，超过单元格上限 {limit}；Excel 会截掉超出部分。请把内容拆成多行段落",
                    "{label_en} has {length} characters, beyond the cell limit of {limit}; split it into paragraphs"),
    },
    "control-characters": {
        "default": ("“{label}”中有 {count} 个不可见的控制字符（{codes:list}），多半来自复制粘贴，报告中会被删去。请检查并重新输入该处文字",
                    "{label_en} contains {count} control characters ({codes:list}); they are dropped from the report"),
    },
    "list-row-incomplete": {
        "default": ("{table}第 {row} 行填写了部分内容，但缺少“{column}”。请补上，或清空整行",
                    "{table_en} row {row} is partly filled but {column_en} is empty"),
        "checks-input": ("“{label}”未填写：这一行已填写了部分内容，请补上，或清空整行",
                        "{label} is empty but its row is partly filled; complete it or clear the row"),
    },
    # -- scores
    "score-contradicts-rule": {
        "default": ("评分表第 {row} 行“{indicator}”：按评分规则“{rule}”，{basis}，填报得分 {typed:v}。"
                    "请把得分改为 {score:v}，或核对指标值和评分规则",
                    "scoring row {row} ({indicator}): by the rule, {basis_en}; the typed score is {typed:v}"),
    },
    "indicator-score-above-completion": {
        "positive": ("评分表第 {row} 行“{name}”为正向指标（{nature}），年度指标值 {target}，实际完成值 {actual}，未达到指标值；"
                     "按完成程度（完成值 ÷ 指标值 × 分值 {weight:v}）最多 {most:v} 分，填报得分 {typed:v}。"
                     "请核对得分；按本地评分办法另有依据时，在偏差原因中写明",
                     "scoring row {row} ({name}) is a positive indicator ({nature}): target {target}, actual {actual}, "
                     "not met; by completion it earns at most {most:v} of {weight:v}, the typed score is {typed:v}"),
        "negative": ("评分表第 {row} 行“{name}”为反向指标（{nature}），年度指标值 {target}，实际完成值 {actual}，未达到指标值；"
                     "按完成程度（指标值 ÷ 完成值 × 分值 {weight:v}）最多 {most:v} 分，填报得分 {typed:v}。"
                     "请核对得分；按本地评分办法另有依据时，在偏差原因中写明",
                     "scoring row {row} ({name}) is a negative indicator ({nature}): target {target}, actual {actual}, "
                     "not met; by completion it earns at most {most:v} of {weight:v}, the typed score is {typed:v}"),
    },
    "score-without-reason": {
        "default": ("评分表第 {row} 行“{name}”得分 {score:v}，低于分值 {weight:v}，但评分依据为空。请写明扣分原因（扣 {deducted:v} 分的依据）",
                    "scoring row {row} ({name}) scores {score:v} of {weight:v} with no reason given"),
    },
    "subtotal-mismatch": {
        "weight": ("评分表第 {row} 行“{block}”小计分值 {stated:v}，所属 {count} 个指标的分值之和为 {total:v}。请改正小计或所属指标",
                   "scoring row {row} ({block}) subtotal points {stated:v}; its {count} rows sum to {total:v}"),
        "score": ("评分表第 {row} 行“{block}”小计得分 {stated:v}，所属 {count} 个指标的得分之和为 {total:v}。请改正小计或所属指标",
                  "scoring row {row} ({block}) subtotal score {stated:v}; its {count} rows sum to {total:v}"),
    },
    "narrative-total-mismatch": {
        "weight": ("报告正文第 {paragraph} 段写“{quote}”，评分表的分值合计（{sheet}!{cell}）为 {total:v}。请改正正文或评分表",
                   "narrative paragraph {paragraph} says “{quote}”; the scoring table's total is {total:v} ({sheet}!{cell})"),
        "score": ("报告正文第 {paragraph} 段写“{quote}”，评分表的得分合计（{sheet}!{cell}）为 {total:v}。请改正正文或评分表",
                  "narrative paragraph {paragraph} says “{quote}”; the scoring table's total is {total:v} ({sheet}!{cell})"),
        "block": ("报告正文第 {paragraph} 段写“{quote}”，评分表“{block}”类 {count} 个指标得分之和为 {total:v}。请改正正文或评分表",
                  "narrative paragraph {paragraph} says “{quote}”; the {block} rows of the scoring table sum to {total:v}"),
    },
    "narrative-grade-mismatch": {
        "default": ("报告正文第 {paragraph} 段写“{quote}”，按评分表得分合计 {total:v} 评定的等级为“{grade}”（{sheet}!{cell}）。"
                    "请改正正文或评分表",
                    "narrative paragraph {paragraph} says “{quote}”; the scoring table's total {total:v} gives “{grade}”"),
    },
    # -- narrative
    "narrative-figure-mismatch": {
        "money": ("{where}写“{quote}”，{sheet}!{cell}“{label}”为 {shown} 万元。请改正文字或表格，使两者一致",
                  "{where_en} says “{quote}”, but {label_en} ({sheet}!{cell}) is {shown}"),
        "rate": ("{where}写“{quote}”，{sheet}!{cell}“{label}”为 {shown}%。请改正文字或表格，使两者一致",
                 "{where_en} says “{quote}”, but {label_en} ({sheet}!{cell}) is {shown}"),
        "count": ("{where}写“{quote}”，{sheet}!{cell}“{label}”为 {shown} 人。请改正文字或表格，使两者一致",
                  "{where_en} says “{quote}”, but {label_en} ({sheet}!{cell}) is {shown}"),
    },
    "narrative-unit-slip": {
        "times-yuan": ("{where}写“{quote}”，是{sheet}!{cell}“{label}” {shown} 万元的一万倍，多半把单位写错了。"
                       "请把单位改为“元”或把数字改为 {figure:v2}",
                       "{where_en} says “{quote}”, which is 10,000 times {label_en} {shown} ({sheet}!{cell}): probably 元 and "
                       "万元 mixed up"),
        "times-wan": ("{where}写“{quote}”，是{sheet}!{cell}“{label}” {shown} 万元的一万倍，多半把单位写错了。"
                      "请把单位改为“万元”或把数字改为 {figure:v2}",
                      "{where_en} says “{quote}”, which is 10,000 times {label_en} {shown} ({sheet}!{cell}): probably 元 and "
                      "万元 mixed up"),
        "fraction-yuan": ("{where}写“{quote}”，是{sheet}!{cell}“{label}” {shown} 万元的万分之一，多半把单位写错了。"
                          "请把单位改为“元”或把数字改为 {figure:v2}",
                          "{where_en} says “{quote}”, which is 1/10,000 of {label_en} {shown} ({sheet}!{cell}): probably 元 "
                          "and 万元 mixed up"),
        "fraction-wan": ("{where}写“{quote}”，是{sheet}!{cell}“{label}” {shown} 万元的万分之一，多半把单位写错了。"
                         "请把单位改为“万元”或把数字改为 {figure:v2}",
                         "{where_en} says “{quote}”, which is 1/10,000 of {label_en} {shown} ({sheet}!{cell}): probably 元 "
                         "and 万元 mixed up"),
    },
    "narrative-count-mismatch": {
        "list": ("{where}写“{quote}”，但“{sheet}”表的{what}有 {rows} 行。请改正文字或补全列表",
                 "{where_en} says “{quote}”, but the {what_en} list has {rows} rows"),
        "enumeration": ("{where}写“{quote}”，但列举了 {count} 个（{items:list}）。请改正个数或补全列举",
                        "{where_en} says “{quote}” but lists {count}"),
    },
    # -- previous
    "previous-figure-mismatch": {
        "default": ("“{label}”填 {stated:v2} 万元，而上年工作簿（{path}）{last_sheet}!{last_cell}“{last_label}”为 {last:v2} 万元。"
                    "请按上年决算改正",
                    "{label_en} is {stated:v2}, but last year's workbook ({path}) has {last_label_en} {last:v2} at "
                    "{last_sheet}!{last_cell}"),
    },
    "staff-quota-change": {
        "up": ("编制数 {quota:v} 比上年（{path}）的 {quota_then:v} 增加 {size:v} 名（{share:v}%）。请核对编制数，或在报告正文中说明编制调整",
               "staff quota {quota:v} against {quota_then:v} last year (+{change:v}, {pct:v}%)"),
        "down": ("编制数 {quota:v} 比上年（{path}）的 {quota_then:v} 减少 {size:v} 名（{share:v}%）。请核对编制数，或在报告正文中说明编制调整",
                 "staff quota {quota:v} against {quota_then:v} last year ({change:v}, {pct:v}%)"),
    },
    "narrative-copied": {
        "default": ("{where}与上年工作簿（{path}）的段落一字不差，其中有上年的{stale:qlist}。请按本年情况改写",
                    "{where_en} is word for word last year's ({path}) and still says {stale:enlist}"),
    },
    "previous-not-comparable": {
        "reason": ("上年工作簿 {path}：{reason}，未做本年与上年的对比", "last year's workbook {path}: {reason}; no comparison made"),
        "crashed": ("上年工作簿 {path}：无法读取（{error}），未做本年与上年的对比",
                    "last year's workbook {path}: 无法读取（{error}）; no comparison made"),
        "unreadable": ("上年工作簿 {path}：无法读取，未做本年与上年的对比",
                       "last year's workbook {path}: cannot be read; no comparison made"),
        "other-unit": ("上年工作簿 {path}：单位名称为“{unit_then}”，与本年“{unit}”不是同一单位，未做本年与上年的对比",
                       "last year's workbook {path}: its unit is “{unit_then}”, not “{unit}”; no comparison made"),
        "other-year": ("上年工作簿 {path}：评价年度为 {year_then:v}，不是本年（{year:v}）的上一年，未做本年与上年的对比",
                       "last year's workbook {path}: its year is {year_then}, not the year before {year}; no comparison made"),
    },
    # -- plausibility
    "rate-implausible": {
        "high": ("“{label}”为 {rate:v2}%，高于 {bound:v}%，正文中未见原因。这不是错误，但请在报告正文中说明原因（如年中追加、上年结转资金）",
                 "{label_en} is {rate:v2}%, above {bound:v}%, and the narrative gives no reason"),
        "low": ("“{label}”为 {rate:v2}%，低于 {bound:v}%，正文中未见原因。这不是错误，但请在报告正文中说明原因（如项目延期、资金结转）",
                "{label_en} is {rate:v2}%, below {bound:v}%, and the narrative gives no reason"),
    },
    "sangong-growth": {
        "default": ("“三公”经费比上年增长 {growth:v2}%（超过 {limit:v}%），正文中未见增长原因。请在报告正文中说明原因",
                    "the three public expenses grew {growth:v2}% on last year (more than {limit:v}%) with no reason given"),
    },
    "actual-above-budget": {
        "default": ("支出总额决算 {actual:v2} 万元大于全年预算数（调整后）{budget:v2} 万元与上年结转 {carried:v2} 万元之和，"
                    "正文中未见追加或结转资金的说明。请核对全年预算数，或在正文中说明资金来源",
                    "final account {actual:v2} exceeds the full-year budget {budget:v2} plus carry-over {carried:v2}"),
    },
    # -- file (the reason comes from the reader or the converter)
    **{code: {"reason": ("{file}：{reason}", "{file}: {reason_en}")}
       for code in ("file-missing", "file-corrupt", "file-encrypted-or-xls", "file-not-workbook", "file-special",
                    "file-hostile", "legacy-not-converted")},
    "file-unreadable": {
        "reason": ("{file}：{reason}", "{file}: {reason_en}"),
        "crashed": ("{file}：文件无法读取（{error}）", "{file}: cannot be read ({error})"),
        "check-failed": ("{file}：校验时无法处理此文件（{error}: {detail}）", "{file}: could not be checked ({error}: {detail})"),
    },
    "legacy-converted": {"default": ("{note}", "{note_en}")},
    # -- structure
    "template-unknown": {
        "other-id": ("工作簿的模板标识是“{id}”，不是本模板（{ours}）。请用 workbook-tools template 生成的模板填写",
                     "the workbook's template id is {id!r}, not {ours!r}; fill in the template made by `workbook-tools template`"),
        "foreign": ("这不是部门整体支出绩效评价模板的工作簿：没有模板标识，也没有模板的工作表（现有工作表：{sheets:list}）。"
                    "请用 workbook-tools template 生成的模板填写",
                    "not a workbook of the evaluation template: no template id and none of its sheets (sheets: {sheets:list}); "
                    "fill in the template made by `workbook-tools template`"),
        "foreign-many": ("这不是部门整体支出绩效评价模板的工作簿：没有模板标识，也没有模板的工作表（现有工作表：{sheets:list}……）。"
                         "请用 workbook-tools template 生成的模板填写",
                         "not a workbook of the evaluation template: no template id and none of its sheets (sheets: "
                         "{sheets:list}……); fill in the template made by `workbook-tools template`"),
    },
    "template-version": {
        "newer": ("工作簿使用的是模板 {version} 版，本程序按 {current} 版校验；为避免错读，未做逐项校验。请升级 workbook_tools 后再校验",
                  "the workbook uses template version {version}; this program checks version {current} and stopped to "
                  "avoid mis-reading it; upgrade workbook_tools"),
        "older": ("工作簿使用的是模板 {version} 版，本程序按 {current} 版校验；为避免错读，未做逐项校验。"
                  "请把数据转填到 {current} 版模板（workbook-tools template 生成）后再提交",
                  "the workbook uses template version {version}; this program checks version {current} and stopped to "
                  "avoid mis-reading it; copy the data into the {current} template"),
    },
    "template-old": {
        "default": ("工作簿使用的是模板 {version} 版，已按 {version} 版的结构读取和校验；{current} 版新增的填写项视为未填。"
                    "可运行 workbook-tools migrate 本文件.xlsx -o 新文件.xlsx 转为 {current} 版（数据原样带入）",
                    "the workbook uses template version {version} and was read and checked as such; figures added in "
                    "{current} count as blank. `workbook-tools migrate FILE -o NEW.xlsx` carries it into {current}"),
    },
    "profile-unknown": {
        "default": ("工作簿记录的配置“{profile}”不是内置配置，已按默认配置 {default} 校验。"
                    "请用 workbook-tools template --profile 配置名 生成的模板填写",
                    "the workbook records the profile {profile!r}, which is not a packaged one; checked with the default "
                    "profile {default}"),
    },
    "sheet-missing": {
        "meta": ("缺少隐藏的模板信息表“{sheet}”，无法确认模板版本。请在 workbook-tools template 生成的模板上填写，"
                 "不要把工作表复制到新工作簿",
                 "the hidden template sheet {sheet!r} is missing, so the template version cannot be confirmed; fill in a "
                 "template made by `workbook-tools template`"),
        "default": ("缺少工作表“{sheet}”（被删除或改名）。请恢复模板中的“{sheet}”工作表",
                    "sheet {sheet!r} ({sheet_en}) is missing (deleted or renamed)"),
        "others": ("缺少工作表“{sheet}”（被删除或改名）；工作簿中有模板以外的工作表“{extras:list}”，如果是改了名，请改回“{sheet}”。"
                   "请恢复模板中的“{sheet}”工作表",
                   "sheet {sheet!r} ({sheet_en}) is missing (deleted or renamed); the workbook has other sheets "
                   "({extras:enlist}): if one was renamed, rename it back"),
    },
    "macros-ignored": {
        "default": ("工作簿带有 VBA 宏。本工具不会运行宏，导出和填充的文件也不保留宏；请在 Excel/WPS 中另存为 .xlsx 后再提交",
                    "the workbook carries a VBA project; macros are never run nor kept; save it as .xlsx"),
    },
    "sheet-order": {
        "default": ("工作表顺序与模板不同：现在是“{order:list}”，模板顺序是“{template:list}”。请拖动工作表标签恢复顺序",
                    "sheets are in a different order: {order:enlist}; the template's order is {template:enlist}"),
    },
    "sheet-hidden": {
        "default": ("工作表“{sheet}”被隐藏了，审核人员可能看不到。请右键工作表标签 → 取消隐藏",
                    "sheet {sheet!r} is hidden; unhide it (right-click a sheet tab → Unhide)"),
    },
    "name-missing": {
        "broken": ("定义名称 {name}（{meaning}）已失效（#REF!，所指单元格被删除），程序改按模板位置 {sheet}!{ref} 读取。"
                   "请在 workbook-tools template 生成的模板上重新填写，或用“公式 → 名称管理器”恢复",
                   "defined name {name} is broken (#REF!, its cells were deleted); read from the template address "
                   "{sheet}!{ref} instead"),
        "deleted": ("定义名称 {name}（{meaning}）被删除了，程序改按模板位置 {sheet}!{ref} 读取。"
                    "请在 workbook-tools template 生成的模板上重新填写，或用“公式 → 名称管理器”恢复",
                    "defined name {name} was deleted; read from the template address {sheet}!{ref} instead"),
        "many": ("工作表“{sheet}”的 {count} 个定义名称（如 {examples:list}）缺失或已失效，程序改按模板位置读取。"
                 "通常是工作表被复制到了新工作簿；请在 workbook-tools template 生成的模板上重新填写",
                 "{count} defined names of sheet {sheet!r} (e.g. {examples:list}) are missing or broken; cells were read "
                 "from the template addresses"),
    },
    "name-moved": {
        "one": ("定义名称 {name}（{meaning}）应指向 {want_sheet}!{want_ref}，现在指向 {found_sheet}!{found_ref}。"
                "通常是表内插入或删除了行/列；请恢复模板结构（删除插入的行，或撤销删除）",
                "defined name {name} should point to {want_sheet}!{want_ref} but points to {found_sheet}!{found_ref}"),
        "other-sheet": ("{count} 个定义名称（如 {examples:list}）应指向工作表“{want_sheet}”，现在指向“{found_sheet}”。"
                        "请在 workbook-tools template 生成的模板上重新填写",
                        "{count} defined names (e.g. {examples:list}) should point to sheet {want_sheet!r} but point to "
                        "{found_sheet!r}"),
        "resized": ("“{want_sheet}”的 {count} 个列表名称（如 {examples:list}）的范围{size}：{cause}（列表的行数是固定的）。"
                    "例如 {name} 应为 {want_ref}，现在是 {found_ref}",
                    "{count} list ranges of sheet {want_sheet!r} (e.g. {examples:list}) changed size ({want_ref} → "
                    "{found_ref}): rows were inserted or deleted inside a list"),
        "shifted": ("“{want_sheet}”的 {count} 个定义名称（如 {examples:list}）整体{way}：{cause}。例如 {name} 应在 {want_ref}，"
                    "现在在 {found_ref}",
                    "{count} defined names of sheet {want_sheet!r} (e.g. {examples:list}) moved {way_en}: rows or columns "
                    "were inserted or deleted inside the template's tables"),
    },
    "rows-shifted": {
        "changed": ("单元格 {cell} 应为模板标签“{label}”，现在是“{now}”：标签被改动，或表中插入/删除了行。"
                    "请恢复模板原样（不要改动灰色和标题单元格）",
                    "cell {cell} should hold the template label {label!r} but holds {now!r}: the label was edited or rows "
                    "were inserted/deleted"),
        "blanked": ("单元格 {cell} 应为模板标签“{label}”，现在是空白：标签被改动，或表中插入/删除了行。"
                    "请恢复模板原样（不要改动灰色和标题单元格）",
                    "cell {cell} should hold the template label {label!r} but holds 'nothing': the label was edited or rows "
                    "were inserted/deleted"),
        "down": ("从第 {row} 行起，标签“{label}”下移了 {n} 行（原在 {cell}，现在在 {now_cell}）：表中插入了 {n} 行，请删除插入的行",
                 "from row {row}, the label {label!r} moved down {n} rows (was {cell}, now {now_cell}): rows were inserted "
                 "inside a fixed table"),
        "up": ("从第 {row} 行起，标签“{label}”上移了 {n} 行（原在 {cell}，现在在 {now_cell}）：表中删除了 {n} 行，"
               "请撤销删除或在模板上重新填写",
               "from row {row}, the label {label!r} moved up {n} rows (was {cell}, now {now_cell}): rows were deleted "
               "inside a fixed table"),
        "down-many": ("从第 {row} 行起，标签“{label}”等 {count} 个标签下移了 {n} 行（原在 {cell}，现在在 {now_cell}）："
                      "表中插入了 {n} 行，请删除插入的行",
                      "from row {row}, the label {label!r} and {more} more moved down {n} rows (was {cell}, now {now_cell}): "
                      "rows were inserted inside a fixed table"),
        "up-many": ("从第 {row} 行起，标签“{label}”等 {count} 个标签上移了 {n} 行（原在 {cell}，现在在 {now_cell}）："
                    "表中删除了 {n} 行，请撤销删除或在模板上重新填写",
                    "from row {row}, the label {label!r} and {more} more moved up {n} rows (was {cell}, now {now_cell}): "
                    "rows were deleted inside a fixed table"),
    },
    "merged-input": {
        "default": ("合并单元格 {range} 覆盖了填写项{inputs:qlist}，只有左上角的值会被保留。请取消合并（开始 → 合并后居中 → 取消单元格合并）",
                    "merged range {range} covers input cells ({count}); only the top-left value is kept — unmerge it"),
        "more": ("合并单元格 {range} 覆盖了填写项{inputs:qlist}等，只有左上角的值会被保留。请取消合并（开始 → 合并后居中 → 取消单元格合并）",
                 "merged range {range} covers input cells ({count}); only the top-left value is kept — unmerge it"),
    },
    "external-link": {
        "links": ("工作簿含有 {count} 个外部链接（引用了其他工作簿），数据无法核实。请在 Excel 中“数据 → 编辑链接 → 断开链接”后保存",
                  "the workbook has {count} external link(s) to other workbooks; break the links (Data → Edit Links → "
                  "Break Link) and save"),
        "formula": ("公式 ={formula} 引用了其他工作簿。请改为直接填写数值，或恢复模板公式",
                    "the formula ={formula} refers to another workbook; type the value or restore the template formula"),
    },
    # -- fill (what fill changed)
    "fill-formula-restored": {
        "changed": ("{label}：公式被修改，已恢复为模板公式（计算结果 {value}）",
                    "{label_en}: formula changed; template formula restored (value {value})"),
        "deleted": ("{label}：公式被删除，已恢复为模板公式（计算结果 {value}）",
                    "{label_en}: formula deleted; template formula restored (value {value})"),
        "typed-over": ("{label}：公式被改写为常数，已恢复为模板公式（计算结果 {value}）",
                       "{label_en}: formula typed over; template formula restored (value {value})"),
        "live": ("“{sheet}”表 {cell}（{what}）：自动检查公式已恢复", "{sheet}!{cell}: live-check formula restored"),
        "live-many": ("已恢复工作簿自动检查的 {count} 个公式（“校验”表和状态行）",
                      "{count} live-check formulas restored (校验 sheet and status lines)"),
    },
    "fill-text-converted": {
        "field": ("{label}：文本“{raw}”已转换为数字 {value}（{why}）", "{label}: text {raw!r} converted to the number {value}"),
        "row": ("{table}第{row}行 {column}：文本“{raw}”已转换为数字 {value}（{why}）",
                "{table}第{row}行 {column}: text {raw!r} converted to the number {value}"),
    },
    "fill-value-computed": {
        "grade-table": ("等级标准表：已按评分规则（{source}）写入 {value}", "grade table: set to {value} from the rules ({source})"),
        "stale": ("{label}：保存的计算结果已过期，已写入重新计算的值", "{label_en}: stale cached value replaced by the computed one"),
        "missing": ("{count} 个计算单元格没有保存计算结果（文件由不重算的程序写出），已写入 Python 计算的值",
                    "{count} formula cells had no cached result; the values computed in Python were written"),
    },
    "fill-score-suggested": {
        "default": ("评分表“{indicator}”得分为空，建议得分 {score}：{basis}", "{indicator}: blank score, suggested {score}: {basis_en}"),
    },
    "fill-score-written": {
        "default": ("评分表“{indicator}”得分为空，已写入建议得分 {score}：{basis}", "{indicator}: blank score set to {score}: {basis_en}"),
    },
    "fill-recalc-skipped": {
        "missing": ("未找到 LibreOffice，未重新计算；文件已写出，公式单元格带有 Python 计算的缓存值",
                    "LibreOffice not found: not recalculated; the file was written with the values computed in Python "
                    "as cached values"),
        "failed": ("LibreOffice 重算失败，文件保持 fill 写出的内容：{error}",
                   "LibreOffice recalculation failed; the file is as fill wrote it: {error}"),
    },
    "fill-unmerged": {
        "default": ("合并单元格 {range} 遮住了计算单元格，已取消合并以恢复模板的单元格",
                    "the merged range {range} hid a derived cell; it was unmerged to restore the template's cell"),
    },
    "fill-parts-dropped": {
        "default": ("输出文件不含原文件的以下部分：{parts:join；}", "not carried over to the output: {parts:join; }"),
    },
    # -- batch (across files; the timeout, memory and crash texts are a file's reason, in the batch's language)
    "duplicate-submission": {
        "default": ("与 {others:list} 的单位名称和年度相同（重复提交），请确认以哪一份为准",
                    "same unit and year as {others:list} (duplicate submission)"),
    },
    "batch-timeout": {
        "default": ("处理超过 {seconds} 秒，已停止（文件可能异常，请打开检查或重新保存后再提交）",
                    "processing took longer than {seconds} s and was stopped"),
    },
    "batch-memory": {
        "default": ("读取时超出内存上限（{mb} MB），已停止；文件可能异常庞大或已损坏",
                    "stopped: reading it needed more than the {mb} MB memory limit"),
    },
    "batch-worker-crashed": {
        "default": ("读取该文件时工作进程异常退出（文件可能损坏或触发了读取库的缺陷）",
                    "the worker process died while reading this file"),
    },
}

#: Words the messages and the expected/found columns use, outside any one template.
EXPECT_NUMBER = "数字"
EXPECT_WHOLE = "整数"
#: What to do about each defect ``parse_text_number`` notes in a number typed as text: (Chinese, English).
TEXT_NUMBER_ADVICE: dict[str, tuple[str, str]] = {
    "千分位逗号": ("不要千分位逗号", "no thousands separators"),
    "全角数字": ("用半角数字", "use half-width digits"),
    "多余空格": ("去掉多余空格", "remove the spaces"),
    "前导撇号": ("去掉开头的撇号 '", "remove the leading apostrophe"),
    "数字以文本形式保存": ("单元格是文本格式：先把格式设为“数值”，再重新输入", "the cell is formatted as text"),
}
#: What each Excel error value means: (Chinese, English).
EXCEL_ERRORS: dict[str, tuple[str, str]] = {
    "#DIV/0!": ("除数为 0", "division by zero"),
    "#REF!": ("引用的单元格已被删除", "a referenced cell was deleted"),
    "#VALUE!": ("参与计算的单元格中有文本", "text where a number was expected"),
    "#N/A": ("查找不到数据", "value not available"),
    "#NAME?": ("公式中有无法识别的名称", "unknown name in a formula"),
    "#NUM!": ("数值无效", "invalid number"),
    "#NULL!": ("区域引用无交集", "empty intersection"),
}
EXCEL_ERROR_UNKNOWN = ("错误值", "error value")
#: How a cell of a list is named in messages: (Chinese, English) templates.
ROW_LABEL = ("{table}第 {row} 行 {column}", "{table_en} row {row}, {column_en}")
#: A scoring row without a name of its own.
NUMBERED_ROW = ("第 {n} 行", "row {n}")
#: How a passage of the narrative, the goals, the scoring notes or a text field is named in messages.
PASSAGE_LABELS: dict[str, tuple[str, str]] = {
    "narrative": ("报告正文第 {n} 段", "narrative paragraph {n}"),
    "goals": ("绩效目标第 {n} 行", "goal {n}"),
    "indicators": ("评分表第 {n} 行评分依据", "scoring note {n}"),
    "field": ("基本情况“{label}”", "unit {label_en}"),
}
#: What the narrative-count check calls each list it counts: (Chinese, English).
COUNTED_LISTS: dict[str, tuple[str, str]] = {
    "duties": ("主要职责", "duties"),
    "goals": ("绩效目标", "goals"),
    "projects": ("项目明细", "projects"),
    "indicators": ("评分表三级指标", "level-3 indicators"),
}
#: A scoring rule in the form's own words, by the rule's kind (``bands``: one per band, joined by ；).
RULE_WORDS: dict[str, str] = {
    "rate_times_points": "指标值×分值，最高不超过分值",
    "full_if_at_most": "≤{limit}%计满分，每超过{per}个百分点扣{deduct}分",
    "full_if_at_most_zero": "≤0计满分，每超过{per}个百分点扣{deduct}分",
    "full_if_at_least": "≥{limit}%计满分，每低于{per}个百分点扣{deduct}分",
    "band": "{band}计{points}分",
    "bands": "{bands:join；}",
}
#: Parts of the name-moved messages: how a group of names moved or changed size, and the likely cause.
NAME_SHIFT_WORDS: dict[str, tuple[str, str]] = {
    "rows-more": ("多了 {n} 行", "{n} more rows"),
    "rows-fewer": ("少了 {n} 行", "{n} fewer rows"),
    "columns-more": ("多了 {n} 列", "{n} more columns"),
    "columns-fewer": ("少了 {n} 列", "{n} fewer columns"),
    "list-inserted": ("列表中插入了行，请删除插入的行", "rows were inserted inside a list"),
    "list-deleted": ("列表中删除了行，请撤销删除或在模板上重新填写", "rows were deleted inside a list"),
    "down": ("下移了 {n} 行", "down {n} rows"),
    "up": ("上移了 {n} 行", "up {n} rows"),
    "right": ("右移了 {n} 列", "right {n} columns"),
    "left": ("左移了 {n} 列", "left {n} columns"),
    "table-inserted": ("表内插入了行（或列），请删除插入的行", "rows or columns were inserted"),
    "table-deleted": ("表内删除了行（或列），请撤销删除或在模板上重新填写", "rows or columns were deleted"),
}
#: How the year before is written in a text (what a copied paragraph still says).
YEAR_WORD = "{year}年"
#: The unit a figure of each kind is written with in the expected column.
FIGURE_UNITS: dict[str, str] = {"money": "万元", "rate": "%", "count": "人"}


CATALOGUE_LIST: tuple[CheckType, ...] = (
    # -- file ------------------------------------------------------------------------------------
    _c("file-missing", "error", "file", "文件不存在", "File not found", "给出的路径下没有文件。"),
    _c("file-unreadable", "error", "file", "文件无法读取", "File cannot be read",
       "文件无法作为工作簿读取（权限、损坏等），命令以退出码 2 结束。"),
    _c("file-corrupt", "error", "file", "文件已损坏", "Corrupt file",
       "压缩包或其中的 XML 不完整，通常是下载或拷贝中断。"),
    _c("file-encrypted-or-xls", "error", "file", "文件加密或为旧版 .xls", "Encrypted or legacy .xls",
       "OLE 复合文档：设置了打开密码的 .xlsx，或 Excel 97-2003 的 .xls。需取消密码或另存为 .xlsx。"),
    _c("file-not-workbook", "error", "file", "不是 Excel 工作簿", "Not an .xlsx workbook",
       "文件不是 .xlsx 工作簿（如 .docx、.xlsb、.ods、CSV、随机字节）。"),
    _c("file-special", "error", "file", "不是普通文件", "Not a regular file",
       "路径是文件夹、命名管道（FIFO）、设备文件或符号链接循环，不会被打开（打开管道或设备会一直等待）。"),
    _c("file-hostile", "error", "file", "疑似恶意文件，已拒绝", "Hostile file refused",
       "XML 实体/DTD（如“十亿笑声”）或解压后异常膨胀（压缩炸弹），在解析前拒绝。"),
    _c("legacy-converted", "info", "file", "旧版文件已转换", "Legacy file converted",
       ".xls/.ods 等旧版文件已用 LibreOffice 转换为 .xlsx（放在临时文件夹，原文件未改动），再按转换后的文件校验。"),
    _c("legacy-not-converted", "error", "file", "旧版文件无法转换", "Legacy file not converted",
       ".xls/.ods 等旧版文件需要 LibreOffice 转换：本机未安装 LibreOffice（消息给出安装命令），或 LibreOffice 无法打开该文件。"),
    # -- structure -------------------------------------------------------------------------------
    _c("template-unknown", "error", "structure", "不是本模板的工作簿", "Not our template",
       "工作簿缺少模板标识和模板的工作表，无法按本模板读取。"),
    _c("template-version", "error", "structure", "模板版本不符", "Template version not supported",
       "工作簿是本模板的其他版本（更旧或更新），为避免错读不做逐项校验；请使用当前版本模板重新填写。"),
    _c("template-old", "info", "structure", "旧版模板，已按其版本校验", "Earlier template version",
       "工作簿是本模板的较早版本：按该版本的结构读取和校验，之后新增的填写项视为未填；workbook-tools migrate 可把数据带入当前版本。"),
    _c("profile-unknown", "warning", "structure", "配置不是内置配置", "Unknown profile",
       "工作簿 _meta 中记录的配置（地区口径）不是内置配置之一，程序按默认配置校验、计算和导出。"),
    _c("sheet-missing", "error", "structure", "缺少工作表", "Sheet missing",
       "模板的工作表被删除或改名。"),
    _c("macros-ignored", "warning", "structure", "文件含宏，已忽略", "Macros ignored",
       "工作簿带有 VBA 宏（.xlsm）。本工具从不运行宏，生成的文件也不保留宏；请另存为 .xlsx 再提交。"),
    _c("sheet-order", "warning", "structure", "工作表顺序被改变", "Sheets reordered",
       "工作表仍在，但顺序与模板不同。"),
    _c("sheet-hidden", "warning", "structure", "工作表被隐藏", "Sheet hidden",
       "模板中可见的工作表被设为隐藏，审核人员可能看不到。"),
    _c("name-missing", "error", "structure", "定义名称缺失", "Defined name missing",
       "模板的工作簿级定义名称被删除或已失效（#REF!），程序改按模板位置读取。"),
    _c("name-moved", "error", "structure", "定义名称指向了别处", "Defined name points elsewhere",
       "定义名称不再指向模板规定的单元格，通常是表内插入或删除了行。"),
    _c("rows-shifted", "error", "structure", "固定表格中插入或删除了行", "Rows inserted or deleted in a fixed table",
       "固定表格的行标签不在原位置。"),
    _c("merged-input", "warning", "structure", "填写单元格被合并", "Input cells merged",
       "合并单元格覆盖了填写项，只有左上角的值会被保留。"),
    # -- formulas --------------------------------------------------------------------------------
    _c("formula-overwritten", "warning", "formula", "公式被改写为常数", "Formula typed over",
       "计算单元格的公式被手工数字覆盖，数值与重新计算结果一致；请恢复公式（或运行 fill）。"),
    _c("formula-deleted", "error", "formula", "公式被删除", "Formula deleted",
       "计算单元格为空，公式已被删除。"),
    _c("formula-changed", "error", "formula", "公式被修改", "Formula changed",
       "计算单元格的公式与模板不同（比较时忽略大小写、空格、$ 与工作表引号）。"),
    _c("external-link", "error", "formula", "引用了外部工作簿", "External workbook link",
       "公式或名称引用了其他工作簿，数据无法核实，程序不会打开外部链接。"),
    # -- arithmetic ------------------------------------------------------------------------------
    _c("value-mismatch", "error", "arithmetic", "数值与计算不符", "Value does not match the computation",
       "填写或缓存的计算结果与按输入重新计算（Decimal，Excel 四舍五入）的结果不符，任何舍入或截尾都无法解释。"),
    _c("value-truncated", "warning", "arithmetic", "数值为截尾而非四舍五入", "Value truncated, not rounded",
       "结果只能由截尾（而非四舍五入）解释：按区间推算（每个两位小数的金额代表 ±0.005 的区间）截尾后一致。"),
    _c("cache-stale", "warning", "arithmetic", "缓存值已过期", "Stale cached value",
       "公式完好，但文件中保存的计算结果与重新计算不符（手动计算模式保存，或由未重算的程序写出）。"),
    _c("value-imprecise", "warning", "arithmetic", "数值只能由更精确的金额解释", "Value explained only by imprecise inputs",
       "按填写的两位小数金额四舍五入得不到该结果，但把每个金额视为其舍入区间（±0.005 万元，即可能是元级金额舍入而来）时，"
       "区间内某个值四舍五入后一致；请核对是否用了更精确的原始金额。"),
    _c("cache-missing", "info", "arithmetic", "文件中没有保存计算结果", "No cached results",
       "公式单元格没有保存计算结果（openpyxl 等程序写出的文件从不保存），程序已按输入重新计算；在 Excel 中打开并保存即可补上。"),
    # -- cross-table -----------------------------------------------------------------------------
    _c("project-list-mismatch", "error", "cross-table", "项目明细合计与项目支出不符", "Project list does not reconcile",
       "项目明细的年初预算或决算金额之和与表4项目支出不相等。"),
    _c("sangong-exceeds-basic", "error", "cross-table", "三公经费超过基本支出", "三公 exceeds basic expenditure",
       "“三公”经费属于基本支出，其决算（或预算）不应大于基本支出。"),
    _c("score-exceeds-weight", "error", "cross-table", "得分超过分值", "Score above its points",
       "评分表中某指标得分大于该指标分值。"),
    _c("weights-not-100", "error", "cross-table", "分值合计不是100", "Points do not total 100",
       "评分表各指标分值之和应为100分。"),
    _c("parts-not-total", "warning", "cross-table", "分项之和与合计不符", "Parts do not add up",
       "填写了的可选分项（公务用车购置/运行维护、人员经费/公用经费、资金来源、收入、只有总额时的总额、年初预算 + 年中追加）"
       "之和与对应合计不相等。"),
    _c("staff-without-quota", "error", "cross-table", "有实有人数但无编制数", "Staff without quota",
       "填写了实有人数但编制数为空或为0，在职人员控制率无法计算。"),
    # -- inputs ----------------------------------------------------------------------------------
    _c("required-missing", "error", "input", "必填项未填写", "Required field empty", "模板规定必须填写的项目为空。"),
    _c("text-number", "error", "input", "数字被填成了文本", "Text where a number belongs",
       "金额、人数等数字单元格中是文本（千分位逗号、“万”字、全角数字、空格、前导撇号等），公式会忽略或出错。"),
    _c("negative-amount", "error", "input", "金额为负数", "Negative amount", "预算、决算等金额不能为负数。"),
    _c("out-of-range", "error", "input", "数值超出范围", "Value out of range",
       "年度、人数、分值或金额超出模板允许的范围（如年度不在 2000–2100，金额大得不合理）。"),
    _c("excess-digits", "warning", "input", "小数位数过多", "Too many decimals",
       "金额以万元为单位保留两位小数；多出的位数在报告中会被舍去。"),
    _c("unit-yuan-suspected", "warning", "input", "金额像是以元填写", "Amount looks like 元",
       "金额比工作簿中其他金额大约一万倍，像是把元填进了万元单元格（决算公开表常以元为单位）；消息给出换算后的万元数。"),
    _c("invalid-choice", "error", "input", "不是下拉列表中的选项", "Not one of the choices",
       "单元格的值不在模板的下拉列表中。"),
    _c("boolean-in-number", "error", "input", "数字单元格中是逻辑值", "Logical value where a number belongs",
       "金额、人数等数字单元格中是 TRUE/FALSE，所有合计都会忽略它。"),
    _c("input-formula-uncached", "error", "input", "填写项是没有计算结果的公式", "Input formula without a result",
       "填写单元格中是公式（如 =200+85.48），但文件没有保存它的计算结果（由不计算公式的程序写出），只能按空白读取。"),
    _c("date-in-number", "error", "input", "数字单元格中是日期", "Date where a number belongs",
       "数字单元格被设成了日期格式，显示和计算都会出错。"),
    _c("excel-error", "error", "input", "单元格含 Excel 错误值", "Excel error value",
       "单元格含 #DIV/0!、#REF!、#VALUE!、#N/A 等错误值。"),
    _c("text-too-long", "error", "input", "文字超过单元格上限", "Text beyond the cell limit",
       "一个单元格最多 32767 个字符（Excel 的上限），超出部分会被 Excel 截掉；请把长文字拆成多行段落。"),
    _c("control-characters", "warning", "input", "文字中有控制字符", "Control characters in text",
       "文字中有不可见的控制字符（通常来自复制粘贴），报告中会被删去；请检查并重新输入该处文字。"),
    _c("list-row-incomplete", "error", "input", "列表行不完整", "Incomplete list row",
       "列表中某行填写了部分内容，但缺少该行的必填列。"),
    # -- scores (a typed score against its rule, subtotals, the narrative's total and grade) --------
    _c("score-contradicts-rule", "warning", "scores", "得分与评分规则不符", "Score contradicts its rule",
       "评分规则（scoring_rules.json 或 --rules）能算出该行得分，而填报得分与之相差超过规则的舍入（按指标值两位小数的舍入区间、"
       "得分保留一位或两位小数）；消息写明规则、输入和按规则应得的分数。"),
    _c("indicator-score-above-completion", "warning", "scores", "得分高于指标完成程度", "Score above the indicator's completion",
       "指标性质为正向（≥）或反向（≤）、年度指标值和实际完成值都是数字的行：未达到指标值时，按完成程度（正向 完成值 ÷ 指标值，"
       "反向 指标值 ÷ 完成值，乘以分值）应得的分数低于填报得分。达到指标值、定性指标、有评分规则的行不在此列；得分更低是本地扣分，不报。"),
    _c("score-without-reason", "warning", "scores", "扣分但未说明原因", "Points deducted without a reason",
       "得分低于分值，但评分依据（扣分原因、偏差原因）为空；审核时须说明扣分原因。"),
    _c("subtotal-mismatch", "error", "scores", "小计与所属指标不符", "Subtotal does not match its rows",
       "评分表中的一级或二级指标小计行（三级指标为空、下有所属指标）的分值或得分不等于所属各行之和。"),
    _c("narrative-total-mismatch", "error", "scores", "正文中的总分与评分表不符", "Total score in the text differs",
       "报告正文写的总分值或得分（如“实得95分”“投入类指标得分18分”）与评分表的合计不符。"),
    _c("narrative-grade-mismatch", "error", "scores", "正文中的评价等级与评分表不符", "Grade in the text differs",
       "报告正文写的评价等级（如“被评为优秀等级”）与按评分表得分合计评定的等级不符。"),
    # -- narrative against tables ----------------------------------------------------------------
    _c("narrative-figure-mismatch", "warning", "narrative", "正文数字与表格不符", "Figure in the text differs from the table",
       "正文（报告正文、绩效目标、评分依据等）中带单位（万元、亿元、元、%、人）的数字，能唯一对应到工作簿中的一个数值，"
       "但与该数值不符（按正文写出的小数位数四舍五入或截尾后仍不相等）。对应不上的数字不做判断，只在 --json 中计数。"),
    _c("narrative-unit-slip", "warning", "narrative", "正文金额疑似元/万元混用", "Probable 元/万元 slip in the text",
       "正文中的金额恰为表中数值（万元）的 10000 倍或万分之一，多半是把元写成了万元或反之。"),
    _c("narrative-count-mismatch", "warning", "narrative", "正文中的个数与列表不符", "Count in the text differs from the list",
       "正文写的个数（如“主要职责9项”“内设……四个股室”）与工作簿列表的行数或文中列举的项数不符。"),
    # -- this year against last (validate --previous, batch --previous-dir) ----------------------
    _c("previous-figure-mismatch", "error", "previous", "上年数与上年工作簿不符", "Last year's figure differs from last year's workbook",
       "本年工作簿中的上年数（如三公经费上年决算、上年结转结余）与同一单位上年工作簿的决算数不符。"),
    _c("staff-quota-change", "warning", "previous", "编制数变化较大", "Large change in staff quota",
       "同一单位的编制数与上年相比变化超过阈值（默认 10%）；请核对编制数，或在正文中说明编制调整。"),
    _c("narrative-copied", "warning", "previous", "正文段落照抄上年", "Paragraph copied from last year",
       "报告正文的段落与上年工作簿逐字相同，且其中有上年的年份或上年的数字（如 2022 年报告中的“2021年”），多半是未更新的旧文字。"),
    _c("previous-not-comparable", "warning", "previous", "上年工作簿无法对比", "Last year's workbook not comparable",
       "给出的上年工作簿不是同一单位，或不是上一年度，或没有可对比的数据；本年与上年的对比未进行。"),
    # -- plausibility (warnings that ask for a reason in the narrative) --------------------------
    _c("rate-implausible", "warning", "plausibility", "执行率异常，正文未说明原因", "Unusual execution rate, no reason given",
       "支出总额、基本支出或项目支出的执行率高于 150% 或低于 50%，而正文和评分依据中没有说明原因（如年中追加、结转）。"
       "执行率远超 100% 本身不是错误（真实报告有 741%）。"),
    _c("sangong-growth", "warning", "plausibility", "三公经费增长，正文未说明原因", "三公 grew, no reason given",
       "“三公”经费决算比上年增长超过 10%，而正文中没有说明增长原因。"),
    _c("actual-above-budget", "warning", "plausibility", "决算超过全年预算，未见追加或结转", "Final account above the full-year budget",
       "支出决算大于全年预算数（调整后）与上年结转之和，而正文中没有说明追加或结转资金。"),
    # -- fill (what fill changed) ----------------------------------------------------------------
    _c("fill-formula-restored", "info", "fill", "已恢复公式", "Formula restored",
       "fill 把被改写、删除或修改的计算单元格恢复为模板公式。"),
    _c("fill-text-converted", "info", "fill", "已把文本数字转换为数字", "Text number converted",
       "fill 把明显的文本数字（千分位、全角、空格、撇号）转换为数字。"),
    _c("fill-value-computed", "info", "fill", "已写入计算结果", "Computed value written",
       "fill 按输入重新计算并写入该单元格的值。"),
    _c("fill-score-suggested", "info", "fill", "建议得分", "Suggested score",
       "评分表某行得分为空，按评分规则文件（scoring_rules.json 或 --rules）算出建议得分；fill 从不改写已填写的得分。"),
    _c("fill-score-written", "info", "fill", "已写入建议得分", "Suggested score written",
       "使用 --write-scores 时，fill 把建议得分写入得分为空的行。"),
    _c("fill-recalc-skipped", "warning", "fill", "未能用 LibreOffice 重算", "LibreOffice recalculation skipped",
       "--recalc 需要 LibreOffice；未安装或重算失败时文件仍已写出，公式单元格带有 Python 计算的缓存值。"),
    _c("fill-unmerged", "info", "fill", "已取消遮住计算单元格的合并", "Merged range over a derived cell undone",
       "合并单元格遮住了模板的计算单元格（公式不可见也无法写入）；fill 取消该合并，恢复模板公式。"),
    _c("fill-parts-dropped", "warning", "fill", "输出文件不含原文件的部分内容", "Parts not carried over",
       "fill 用 openpyxl 写出文件，图形、宏、扩展数据验证等 openpyxl 不支持的部分不会出现在输出文件中；"
       "原文件未改动（--in-place 时另存 .bak）。"),
    # -- batch (across files) --------------------------------------------------------------------
    _c("duplicate-submission", "error", "batch", "重复提交", "Duplicate submission",
       "批量处理中，两个或更多文件的单位名称和评价年度相同；汇总表只计其中一份（按文件路径排序的第一份），请确认以哪一份为准。"),
    _c("batch-timeout", "error", "batch", "处理超时，已停止", "Processing timed out",
       "批量处理中，该文件超过每个文件的时限（--timeout）仍未处理完，工作进程已被终止，文件列入“未处理”。"),
    _c("batch-memory", "error", "batch", "读取时超出内存上限", "Memory limit exceeded",
       "读取和校验一个文件时，工作进程超出了每个文件的内存上限（--memory-limit，默认 4096 MB），该文件被停止并列入“未处理”，批处理继续。"),
    _c("batch-worker-crashed", "error", "batch", "处理时工作进程崩溃", "Worker process crashed",
       "批量处理中，读取该文件时工作进程异常退出（单独重试后仍然如此），文件列入“未处理”。"),
)

CATALOGUE: dict[str, CheckType] = {c.code: c for c in CATALOGUE_LIST}


def fmt(v: object, decimals: int | None = None) -> str:
    """A value as a person would type it: 1234.50 for money, 30 for a count, text as is."""
    if v is None or v == "":
        return "空白"
    if isinstance(v, Decimal):
        if v.is_finite() and v.adjusted() >= 16:  # 1e26 or 1e308: digits nobody can read
            return f"{v.normalize():E}"
        if decimals is not None and decimals > 0 and -v.as_tuple().exponent <= decimals:  # type: ignore[operator]
            return format(v.quantize(Decimal(1).scaleb(-decimals)), "f")
        return format(v.normalize(), "f")
    return str(v)


def fmt_en(v: object, decimals: int | None = None) -> str:
    return "blank" if v is None or v == "" else fmt(v, decimals)


class _Formatter(string.Formatter):
    """str.format with the message specs of the catalogue (see the table above ``MESSAGES``)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "list":
            return "、".join(str(x) for x in value)
        if format_spec == "qlist":
            return "、".join(f"“{x}”" for x in value)
        if format_spec == "enlist":
            return ", ".join(str(x) for x in value)
        if format_spec.startswith("join"):
            return format_spec[4:].join(str(x) for x in value)
        if format_spec[:1] == "v" and (format_spec[1:].rstrip("e").isdigit() or format_spec[1:] in ("", "e")):
            digits = format_spec[1:].rstrip("e")
            decimals = int(digits) if digits else None
            return fmt_en(value, decimals) if format_spec.endswith("e") else fmt(value, decimals)
        return format(value, format_spec)


_FORMATTER = _Formatter()


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


def template(code: str, variant: str) -> tuple[str, str]:
    """The (zh, en) templates of one variant of a catalogued code."""
    try:
        return CATALOGUE[code].messages[variant]
    except KeyError:
        raise KeyError(f"no message template {code}/{variant} in the catalogue") from None


def render(code: str, variant: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """The (zh, en) message of a finding: the one place a message is made from its parameters."""
    zh, en = template(code, variant)
    return _FORMATTER.vformat(zh, (), params), _FORMATTER.vformat(en, (), params)


def wording(template_pair: tuple[str, str], params: Mapping[str, Any]) -> tuple[str, str]:
    """A (zh, en) pair of words rendered by the message renderer (a list cell's label, a passage's name)."""
    zh, en = template_pair
    return _FORMATTER.vformat(zh, (), params), _FORMATTER.vformat(en, (), params)


def phrase(template_text: str, params: Mapping[str, Any]) -> str:
    """One piece of wording (a rule, a row's name) rendered by the message renderer."""
    return _FORMATTER.vformat(template_text, (), params)


def figure_text(shown: str, kind: str, spaced: bool = False) -> str:
    """A figure with its unit for the expected column: ``2795.64万元`` (``2795.64 万元`` when ``spaced``)."""
    unit = FIGURE_UNITS[kind]
    return f"{shown} {unit}" if spaced else f"{shown}{unit}"


def listing(items: Any) -> str:
    """Items joined as the messages list them (``a、b、c``), for the expected and found columns."""
    return _FORMATTER.format_field(items, "list")


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


class Finding(msgspec.Struct):
    """One problem at one place. Made with :meth:`of` (code, variant, params), its message is rendered from
    the catalogue; a message given as text is kept for the few callers outside the checks that still do so."""

    code: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    name: str | None = None
    expected: Any = None
    actual: Any = None
    message_en: str = ""
    #: The catalogue template the message is rendered from, and its parameters (JSON-able once plain).
    variant: str | None = None
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    #: Always the catalogue's, whatever is passed (a profile may re-grade a code afterwards,
    #: :meth:`Profile.apply_severity`); last, so that the positional fields are the other ones.
    severity: Severity = "error"

    def __post_init__(self) -> None:
        entry = CATALOGUE.get(self.code)
        if entry is None:
            raise KeyError(f"finding code not in catalogue: {self.code}")
        self.severity = entry.severity
        if self.variant is not None and not self.message:
            self.message, self.message_en = render(self.code, self.variant, self.params)

    @classmethod
    def of(cls, code: str, variant: str, params: Mapping[str, Any] | None = None, *, sheet: str | None = None,
           cell: str | None = None, name: str | None = None, expected: Any = None, actual: Any = None) -> Finding:
        """A finding whose message is rendered from the catalogue template ``code``/``variant``."""
        return cls(code=code, message="", sheet=sheet, cell=cell, name=name, expected=expected, actual=actual,
                   variant=variant, params=dict(params or {}))

    @property
    def place(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    @property
    def title(self) -> str:
        return CATALOGUE[self.code].title

    def text(self, lang: str = "zh") -> str:
        msg = self.message_en if lang == "en" and self.message_en else self.message
        if self.expected is None and self.actual is None:
            return msg
        en = lang == "en"
        found = _plain(self.actual) if self.actual is not None else ("blank" if en else "空白")
        if self.expected is None:
            return msg + (f" (found {found})" if en else f"（实为 {found}）")
        if en:
            return msg + f" (expected {_plain(self.expected)}, found {found})"
        return msg + f"（应为 {_plain(self.expected)}，实为 {found}）"

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "sheet": self.sheet, "cell": self.cell, "name": self.name,
                "expected": _plain(self.expected), "actual": _plain(self.actual), "message_en": self.message_en,
                "severity": self.severity, "params": _plain(self.params), "title": self.title}


def sort_key(f: Finding) -> tuple[int, str, int, int, str]:
    from .cells import rc

    try:
        row, col = rc(f.cell) if f.cell else (0, 0)
    except ValueError:
        row, col = 0, 0
    return (SEVERITY_ORDER.get(f.severity, 9), f.sheet or "", row, col, f.code)


class Report(msgspec.Struct):
    """The result of validating (or filling) one file."""

    file: str
    findings: list[Finding] = msgspec.field(default_factory=list)
    template_version: str | None = None
    application: str | None = None
    unreadable: Finding | None = None
    #: How many numbers with a unit the narrative states, how many were tied to a figure, how many left alone.
    numbers_in_text: dict[str, int] | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.unreadable is None and not self.errors

    def exit_code(self, strict: bool = False) -> int:
        if self.unreadable is not None:
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def summary(self, lang: str = "zh") -> str:
        if self.unreadable is not None:
            return "file could not be read" if lang == "en" else "文件无法读取"
        e, w = len(self.errors), len(self.warnings)
        return f"{e} errors, {w} warnings" if lang == "en" else f"{e} 个错误，{w} 个警告"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "template_version": self.template_version,
            "application": self.application,
            "valid": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "unreadable": self.unreadable.to_json() if self.unreadable else None,
            "findings": [f.to_json() for f in sorted(self.findings, key=sort_key)],
            "numbers_in_text": self.numbers_in_text,
        }
