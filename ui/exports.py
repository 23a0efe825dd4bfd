"""The export dialog: choose what to produce (推荐汇总表, 成员单位表, 申请表, 公示, 证书, 上报包), for which
region, call, county and applications; preview what it will contain; run it in the background with
a progress bar and 取消; then open the produced file.

Every action is a method that takes plain values (`set_selection`, `set_output`, `preview`,
`start_export`, `cancel_export`, `open_result`), so tests and the main window drive the dialog
without file pickers. The work is done by alliance_desk.exports / alliance_desk.exchange.packages.
"""
from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from alliance_desk import exports
from alliance_desk.exports.guard import DOCUMENT_ZH, DocumentsRefused
from alliance_desk.rules.packs import all_packs

from ui import file_dialogs
from ui.workers import Task, run_in_background

FORMATS = {  # kind -> [(suffix, label)]
    "recommendation-table": [(".xlsx", "Excel（.xlsx）")],
    "member-table": [(".xlsx", "Excel（.xlsx）")],
    "application-form": [(".pdf", "PDF"), (".xlsx", "Excel（.xlsx）")],
    "notice": [(".pdf", "PDF（GB/T 9704 版式）"), (".docx", "Word（.docx，可编辑）")],
    "certificates": [(".pdf", "PDF")],
    "package": [(".adpkg", "上报包（.adpkg）")],
}
DEFAULT_NAMES = {"recommendation-table": "推荐汇总表", "member-table": "成员单位表", "application-form": "申请表",
                 "notice": "公示", "certificates": "证书", "package": "上报包"}
FOLDER_KIND = "documents"  # the remembered folder (ui/file_dialogs.py) of every export


def _clerk(exc: BaseException) -> str:
    """An export refusal as the window says it (display names, no ids or command-line options)."""
    return getattr(exc, "clerk", None) or str(exc)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class ExportDialog(QDialog):
    """Non-modal; `finished_export(path)` is emitted when a file has been written."""

    finished_export = Signal(str)

    def __init__(self, db, parent: QWidget | None = None, region: str | None = None, call: str | None = None,
                 directory: str | Path | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.db = db
        self.settings = settings
        self.directory = Path(directory) if directory else file_dialogs.last_folder(FOLDER_KIND, settings)
        self.task: Task | None = None
        self._previewed = False  # once previewed, the preview follows every change of the choice
        self.last_result = None
        self.last_error: BaseException | None = None
        self.cancelled = False
        self.setWindowTitle("导出公文与上报包")
        self.resize(960, 680)

        self.region = QComboBox()
        for pack in all_packs().values():
            self.region.addItem(f"{pack.region_name}（{pack.scheme}）", pack.id)
        self.kind = QComboBox()
        self.call = QComboBox()
        self.county = QComboBox()
        self.fmt = QComboBox()
        self.apps = QListWidget()
        self.apps.setMinimumHeight(100)
        self.apps_hint = QLabel("不勾选时按导出类型自动选择：汇总表、申请表、上报包取“同意推荐”的申报；"
                                "公示取处于公示阶段的申报；证书取已认定的申报。")
        self.apps_hint.setWordWrap(True)
        self.apps_hint.setStyleSheet("color: #555;")
        self.output = QLineEdit()
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)

        self.start = QDateEdit(_qdate(date.today()))
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        self.days = QSpinBox()
        self.days.setRange(0, 90)
        self.days.setSpecialValueText("按规则包")
        self.recognized = QDateEdit(_qdate(date.today()))
        self.recognized.setCalendarPopup(True)
        self.recognized.setDisplayFormat("yyyy-MM-dd")
        self.use_decision_date = QCheckBox("使用已记录的认定日期")
        self.use_decision_date.setChecked(True)
        self.use_decision_date.toggled.connect(lambda on: self.recognized.setEnabled(not on))
        self.recognized.setEnabled(False)
        self.text_only = QCheckBox("套打（只打印文字，用于预印证书纸）")
        self.printer = QLineEdit()
        self.printer.setPlaceholderText("套打时使用的打印机名称（按已保存的校准偏移）")

        form = QFormLayout()
        form.addRow("地区", self.region)
        form.addRow("导出内容", self.kind)
        form.addRow("申报批次", self.call)
        form.addRow("县（区）", self.county)
        form.addRow("格式", self.fmt)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(browse)
        form.addRow("保存到", out_row)

        self.notice_box = QGroupBox("公示")
        nb = QFormLayout(self.notice_box)
        nb.addRow("公示开始日期", self.start)
        nb.addRow("公示天数", self.days)
        self.cert_box = QGroupBox("证书")
        cb = QFormLayout(self.cert_box)
        cb.addRow(self.use_decision_date)
        cb.addRow("认定日期", self.recognized)
        cb.addRow(self.text_only)
        cb.addRow("打印机", self.printer)

        # applications a notice or certificates would refuse, with the reason; the override needs one
        self.refused_box = QGroupBox("不能列入的申报")
        self.refused_list = QListWidget()
        self.refused_list.setMaximumHeight(76)  # about four lines; more scroll (fits a 768-pixel screen)
        self.refused_list.setWordWrap(True)
        self.override = QCheckBox("仍然列入以上申报（须写明理由，理由记入修改历史）")
        self.override_reason = QLineEdit()
        self.override_reason.setPlaceholderText("强制列入的理由，如：经局务会研究同意提前公示")
        self.override_reason.setEnabled(False)
        self.override.toggled.connect(self.override_reason.setEnabled)
        rb = QVBoxLayout(self.refused_box)
        rb.addWidget(self.refused_list)
        rb.addWidget(self.override)
        rb.addWidget(self.override_reason)
        self.refused_box.setVisible(False)

        self.preview_view = QTextBrowser()
        self.preview_view.setMinimumHeight(80)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview_button = QPushButton("预览")
        self.export_button = QPushButton("导出")
        self.export_button.setDefault(True)
        self.open_button = QPushButton("打开文件")
        self.open_button.setEnabled(False)
        self.preview_button.clicked.connect(self.preview)
        self.export_button.clicked.connect(self.start_export)
        self.open_button.clicked.connect(self.open_result)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(QLabel("申报（可勾选）"))
        lay.addWidget(self.apps, 1)
        lay.addWidget(self.apps_hint)
        opts = QHBoxLayout()
        opts.addWidget(self.notice_box, 1)
        opts.addWidget(self.cert_box, 1)
        opts.addWidget(self.refused_box, 2)  # beside the options: the dialog fits a 768-pixel screen
        lay.addLayout(opts)
        lay.addWidget(QLabel("预览"))
        lay.addWidget(self.preview_view, 1)
        lay.addWidget(self.status)
        lay.addWidget(buttons)

        self.region.currentIndexChanged.connect(self._region_changed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.call.currentIndexChanged.connect(self._call_changed)
        self.county.currentIndexChanged.connect(self._reload_apps)
        self.fmt.currentIndexChanged.connect(self._suggest_output)
        self.apps.itemChanged.connect(self._selection_changed)
        for w in (self.start, self.recognized):
            w.dateChanged.connect(self._selection_changed)
        self.days.valueChanged.connect(self._selection_changed)
        self.use_decision_date.toggled.connect(self._selection_changed)
        if region:
            self.region.setCurrentIndex(max(0, self.region.findData(region)))
        self._region_changed()
        if call:
            self.call.setCurrentIndex(max(0, self.call.findData(call)))

    # ---------------------------------------------------------------- state

    def current_kind(self) -> str:
        return self.kind.currentData()

    def selected_ids(self) -> list[str]:
        return [self.apps.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.apps.count())
                if self.apps.item(i).checkState() == Qt.CheckState.Checked]

    def set_selection(self, region: str, kind: str, call: str | None = None, county: str | None = None,
                      ids: list[str] | None = None) -> None:
        self.region.setCurrentIndex(self.region.findData(region))
        self.kind.setCurrentIndex(self.kind.findData(kind))
        if call is not None:
            self.call.setCurrentIndex(self.call.findData(call))
        self.county.setCurrentIndex(max(0, self.county.findData(county or "")))
        wanted = set(ids or [])
        for i in range(self.apps.count()):
            it = self.apps.item(i)
            it.setCheckState(Qt.CheckState.Checked if it.data(Qt.ItemDataRole.UserRole) in wanted
                             else Qt.CheckState.Unchecked)

    def set_output(self, path: str | Path) -> None:
        self.output.setText(str(path))
        suffix = Path(path).suffix.lower()
        i = next((k for k in range(self.fmt.count()) if self.fmt.itemData(k) == suffix), -1)
        if i >= 0:
            self.fmt.blockSignals(True)
            self.fmt.setCurrentIndex(i)
            self.fmt.blockSignals(False)

    def options(self) -> dict:
        kind = self.current_kind()
        opts: dict = {}
        if kind == "notice":
            opts["start"] = _pydate(self.start.date())
            if self.days.value():
                opts["days"] = self.days.value()
        if kind == "certificates":
            if not self.use_decision_date.isChecked():
                opts["recognized_on"] = _pydate(self.recognized.date())
            opts["mode"] = "text" if self.text_only.isChecked() else "full"
            if self.text_only.isChecked() and self.printer.text().strip():
                opts["printer"] = self.printer.text().strip()
        return opts

    def _region_changed(self) -> None:
        region = self.region.currentData()
        kind = self.kind.currentData()
        self.kind.blockSignals(True)
        self.kind.clear()
        for k, label in exports.dialog_kinds(region):
            self.kind.addItem(label, k)
        i = self.kind.findData(kind)
        self.kind.setCurrentIndex(i if i >= 0 else 0)
        self.kind.blockSignals(False)
        self.call.blockSignals(True)
        self.call.clear()
        self.call.addItem("（全部批次）", "")
        for cid, name in exports.list_calls(self.db, region):
            self.call.addItem(name, cid)
        self.call.setCurrentIndex(1 if self.call.count() > 1 else 0)
        self.call.blockSignals(False)
        self._kind_changed()
        self._call_changed()

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        self.fmt.blockSignals(True)
        self.fmt.clear()
        for suffix, label in FORMATS.get(kind, []):
            self.fmt.addItem(label, suffix)
        self.fmt.blockSignals(False)
        self.show_refusals([])  # what another kind refused says nothing about this one
        self.notice_box.setVisible(kind == "notice")
        self.cert_box.setVisible(kind == "certificates")
        self._suggest_output()
        self._selection_changed()

    def _call_changed(self) -> None:
        region = self.region.currentData()
        call = self.call.currentData() or None
        self.county.blockSignals(True)
        self.county.clear()
        self.county.addItem("（全部）", "")
        for c in exports.list_counties(self.db, region, call):
            self.county.addItem(c, c)
        self.county.blockSignals(False)
        self._reload_apps()
        self._suggest_output()

    def _reload_apps(self) -> None:
        self.apps.clear()
        stages = {st.id: st.name for st in all_packs()[self.region.currentData()].stages}
        for row in exports.list_candidates(self.db, self.region.currentData(), self.call.currentData() or None,
                                           self.county.currentData() or None):
            marks = []
            if row["recommended"]:
                marks.append("同意推荐")
            if row["stage"]:
                marks.append(f"阶段：{stages.get(row['stage'], row['stage'])}")
            it = QListWidgetItem(f"{row['name']}（{row['county']}）" + (f"  [{'，'.join(marks)}]" if marks else ""))
            it.setData(Qt.ItemDataRole.UserRole, row["id"])
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Unchecked)
            self.apps.addItem(it)
        self._selection_changed()

    def _selection_changed(self, *_args) -> None:
        """What the preview and the last message said was about the old choice: a preview shown is
        made again for the new one, an old message goes."""
        if self._previewed:
            self.preview()
        else:
            self.preview_view.clear()
        if self.task is None or self.task.done:
            self.status.setText("")

    def _suggest_output(self) -> None:
        kind = self.current_kind()
        suffix = self.fmt.currentData() or ".xlsx"
        # the clerk's words: 公示-重庆市-2022年度重庆市产业技术创新联盟认定.pdf, never the ids
        region_name = all_packs()[self.region.currentData()].region_name
        parts = [DEFAULT_NAMES.get(kind, kind), region_name]
        if self.call.currentData():
            parts.append(self.call.currentText())
        name = file_dialogs.safe_file_name("-".join(parts)) + suffix
        current = self.output.text().strip()
        folder = Path(current).parent if current else self.directory
        self.output.setText(str(folder / name))

    def _browse(self) -> None:
        suffix = self.fmt.currentData() or ""
        label = self.fmt.currentText() or suffix
        path = file_dialogs.save_file(self, FOLDER_KIND, "保存到", Path(self.output.text()).name,
                                      f"{label} (*{suffix})" if suffix else "", self.settings, suffix)
        if path:
            self.set_output(path)

    # ---------------------------------------------------------------- actions

    def _args(self) -> tuple:
        return (self.current_kind(), self.region.currentData(), self.call.currentData() or None,
                self.county.currentData() or None, self.selected_ids() or None)

    def preview(self) -> list[str]:
        self._previewed = True
        kind, region, call, county, ids = self._args()
        try:
            lines = exports.preview(self.db, kind, region, call, county, ids, **self.options())
            self.show_refusals(exports.refusals(self.db, kind, region, call, county, ids))
        except ValueError as exc:
            self.preview_view.setHtml(f"<p style='color:#b00020'>{html.escape(_clerk(exc))}</p>")
            return []
        self.preview_view.setHtml("<br>".join(html.escape(x) for x in lines))
        return lines

    def show_refusals(self, refusals: list) -> None:
        """List what the document would refuse, one application per line with its reasons."""
        self.refused_list.clear()
        for r in refusals:
            it = QListWidgetItem(r.line())
            it.setToolTip(r.line())
            it.setData(Qt.ItemDataRole.UserRole, r.application_id)
            self.refused_list.addItem(it)
        self.refused_box.setTitle(f"不能列入的申报（{len(refusals)} 份）")
        self.refused_box.setVisible(bool(refusals))
        if not refusals:
            self.override.setChecked(False)

    def override_text(self) -> str | None:
        return self.override_reason.text().strip() if self.override.isChecked() else None

    def start_export(self) -> Task | None:
        if self.task is not None and not self.task.done:
            return self.task
        kind, region, call, county, ids = self._args()
        out = self.output.text().strip()
        if not out:
            self.status.setText("请选择保存位置")
            return None
        opts = self.options()
        override = self.override_text()
        if override == "":
            self.status.setText("<span style='color:#b00020'>请写明强制列入的理由</span>")
            self.override_reason.setFocus()
            return None
        db = self.db
        self.last_result = None
        self.last_error = None
        self.cancelled = False
        self.open_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.status.setText("正在导出…")

        def work(progress):
            progress.update(0, 0, "准备导出")
            if kind == "package":
                from alliance_desk.exchange import packages

                return packages.export_package(db, out, region, call, county, ids, progress=progress.update)
            return exports.export(db, kind, region, call, out, county=county, ids=ids, progress=progress.update,
                                  override_reason=override, **opts)

        self.task = run_in_background(work, on_done=self._done, on_error=self._failed, on_cancel=self._cancelled,
                                      parent=self, label="正在导出…", progress=True)
        return self.task

    def cancel_export(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()

    def done(self, result: int) -> None:  # noqa: D401 - QDialog.done: closed by OK, 关闭, Esc or the window
        # a closed dialog has nobody to report to: its export stops and leaves no file
        self.cancel_export()
        super().done(result)

    def _done(self, result) -> None:
        self.last_result = result
        self.export_button.setEnabled(True)
        self.open_button.setEnabled(True)
        if hasattr(result, "summary"):
            text = result.summary()
            notes = getattr(result, "notes", [])
        else:  # a package
            text = f"已导出上报包 {result.path}（{len(result.application_ids)} 份申报，发送单位 {result.sender}）"
            notes = [f"SHA-256 {result.sha256}"]
        self.status.setText("<br>".join(html.escape(x) for x in [text] + list(notes)[:6]))
        file_dialogs.remember(FOLDER_KIND, result.path, self.settings)  # the next export starts there
        self.finished_export.emit(str(result.path))

    def _failed(self, exc: BaseException) -> None:
        self.last_error = exc
        self.export_button.setEnabled(True)
        if isinstance(exc, DocumentsRefused):
            self.show_refusals(exc.refusals)
            self.status.setText(f"<span style='color:#b00020'>未导出：{len(exc.refusals)} 份申报不能列入"
                                f"{DOCUMENT_ZH[exc.kind]}，原因见上；如确需列入，请勾选“仍然列入”并写明理由</span>")
            return
        self.status.setText(f"<span style='color:#b00020'>导出失败：{html.escape(_clerk(exc))}</span>")

    def _cancelled(self) -> None:
        if not shiboken6.isValid(self):  # the dialog was deleted while its export was stopping
            return
        self.cancelled = True
        self.export_button.setEnabled(True)
        self.status.setText("已取消，未生成文件")

    def result_path(self) -> Path | None:
        return Path(self.last_result.path) if self.last_result is not None else None

    def open_result(self) -> bool:
        path = self.result_path()
        if path is None or not path.exists():
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
