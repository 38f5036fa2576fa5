"""Findings are data: a stable code from the catalogue, a severity, a place, a message, expected and actual.

Text, JSON and annotated-workbook output all render these same objects; nothing else decides what
the user is told.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class CheckType:
    """One entry of the catalogue (docs/checks.md is generated from these)."""

    code: str
    severity: Severity
    family: str
    title: str
    title_en: str
    description: str


def _c(code: str, severity: Severity, family: str, title: str, title_en: str, description: str) -> CheckType:
    return CheckType(code, severity, family, title, title_en, description)


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


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    return v


@dataclass
class Finding:
    code: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    name: str | None = None
    expected: Any = None
    actual: Any = None
    message_en: str = ""
    severity: Severity = field(default="error")

    def __post_init__(self) -> None:
        entry = CATALOGUE.get(self.code)
        if entry is None:
            raise KeyError(f"finding code not in catalogue: {self.code}")
        if self.severity == "error" and entry.severity != "error":
            self.severity = entry.severity

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
        d = {k: _plain(v) for k, v in asdict(self).items()}
        d["title"] = self.title
        return d


def sort_key(f: Finding) -> tuple[int, str, int, int, str]:
    from .cells import rc

    try:
        row, col = rc(f.cell) if f.cell else (0, 0)
    except ValueError:
        row, col = 0, 0
    return (SEVERITY_ORDER.get(f.severity, 9), f.sheet or "", row, col, f.code)


@dataclass
class Report:
    """The result of validating (or filling) one file."""

    file: str
    findings: list[Finding] = field(default_factory=list)
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
