"""The portal's forms; a scoring rules file is checked by the library before a round accepts it."""

from __future__ import annotations

from django import forms
from django.conf import settings

from .services import PortalError, check_rules


class RoundForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200)
    year = forms.IntegerField(label="评价年度", min_value=2000, max_value=2100)
    deadline = forms.DateTimeField(label="截止时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    rules = forms.FileField(label="评分规则文件（JSON，可不选：用内置规则）", required=False)

    def clean_rules(self) -> tuple[str, str] | None:
        f = self.cleaned_data.get("rules")
        if not f:
            return None
        if f.size > 1024 * 1024:
            raise forms.ValidationError("评分规则文件过大（上限 1 MB）")
        try:
            text = f.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("评分规则文件不是 UTF-8 文本") from None
        try:
            check_rules(text, f.name)
        except PortalError as exc:
            raise forms.ValidationError(str(exc)) from None
        return f.name, text


class ImportForm(forms.Form):
    departments = forms.FileField(label="单位名单（CSV 或 XLSX，与 workbook-tools prefill 相同）")


class UploadForm(forms.Form):
    workbook = forms.FileField(label="填好的工作簿（.xlsx）",
                               widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_workbook(self):  # type: ignore[no-untyped-def]
        f = self.cleaned_data["workbook"]
        if f.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件过大（{f.size / 1048576:.1f} MB），上限为 {settings.MAX_UPLOAD_BYTES / 1048576:.0f} MB")
        return f


class ReturnForm(forms.Form):
    comment = forms.CharField(label="退回意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "写明需要修改的内容，单位登录后即可看到"}))
