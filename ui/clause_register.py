"""ClauseRegisterView: the region's clause register beside the checklist.

Each clause of the notice in its own words, then what serves it — the checklist items with their
current status, materials, procedure steps, documents — or why it sets no condition. Read-only;
rebuilt only when shown, so live checking while typing costs nothing here.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from alliance_desk.rules import clauses
from alliance_desk.rules.packs import PackError, get_pack
from ui.editor.icons import STATUS_COLORS

translate = QCoreApplication.translate

STATUS_ZH = {"pass": "符合", "fail": "不符合", "warn": "提示", "manual": "待人工确认", "na": "不适用"}


class ClauseRegisterView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("clause_register")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.summary = QLabel("")
        self.summary.setObjectName("clause_summary")
        self.summary.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setObjectName("clause_browser")
        self.browser.setOpenLinks(False)
        lay.addWidget(self.summary)
        lay.addWidget(self.browser, 1)
        self._result = None
        self._shown_for: tuple | None = None

    def set_result(self, result) -> None:
        self._result = result
        if self.isVisible():
            self.refresh()

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        self.refresh()

    def text(self) -> str:
        return self.summary.text() + "\n" + self.browser.toPlainText()

    def refresh(self) -> None:
        res = self._result
        key = None if res is None else (res.region, tuple((i.rule, i.status) for i in res.items))
        if key == self._shown_for and key is not None:
            return
        self._shown_for = key
        if res is None:
            self.summary.setText(translate("ClauseRegister", "打开一份申报后显示其所属地区通知的条款对照。"))
            self.browser.clear()
            return
        try:
            pack = get_pack(res.region)
            reg = clauses.get_register(res.region)
        except (PackError, clauses.ClauseError) as exc:
            self.summary.setText(str(exc))
            self.browser.clear()
            return
        status = {i.rule: i.status for i in res.items}
        rows = clauses.as_rows(reg, pack)
        n_rules = sum(1 for r in rows if any(t.startswith("rule:") for t in r["serves"]))
        n_none = sum(1 for r in rows if not r["serves"])
        self.summary.setText(translate(
            "ClauseRegister", "{0}（{1}）共 {2} 条：{3} 条由审查清单逐项审查，{4} 条不设条件（注明理由）。").format(
            pack.name, pack.seed[:3], len(rows), n_rules, n_none))
        self.browser.setHtml(self._html(rows, status))

    @staticmethod
    def _html(rows: list[dict], status: dict[str, str]) -> str:
        parts = []
        for r in rows:
            parts.append(f"<p style='margin:6px 0 2px 0'><b>{escape(r['clause'])}</b>　{escape(r['quote'])}</p>")
            if not r["serves"]:
                parts.append("<p style='margin:0 0 8px 14px; color:#757575'>"
                             f"{escape(translate('ClauseRegister', '不设条件：'))}{escape(r['no_condition'])}</p>")
                continue
            lines = []
            for target, label in zip(r["serves"], r["serves_text"]):
                rule = target[5:] if target.startswith("rule:") else None
                if rule and rule in status:
                    st = status[rule]
                    color = STATUS_COLORS[st].name()
                    lines.append(f"<span style='color:{color}'>●</span> {escape(label)} "
                                 f"<span style='color:{color}'>【{STATUS_ZH[st]}】</span>")
                else:
                    lines.append(f"<span style='color:#9e9e9e'>○</span> {escape(label)}")
            parts.append("<p style='margin:0 0 8px 14px'>" + "<br>".join(lines) + "</p>")
        return "".join(parts)
