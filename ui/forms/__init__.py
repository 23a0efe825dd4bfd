"""Word application forms in the main window: 文件 → 导出申报表模板 / 导出已填申报表 / 导入申报表, and
.docx/.doc/.wps files dropped on the application list. Reading runs in the background with progress
and 取消 (ui/workers.py); the preview (preview.py) decides what is saved.

    install_forms(window)      # once, from MainWindow.__init__
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from ui.workers import run_in_background

tr = QCoreApplication.translate
FORM_SUFFIXES = (".docx", ".doc", ".wps")


def form_paths(mime) -> list[str]:
    """The Word/WPS files among dropped URLs."""
    if not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile().lower().endswith(FORM_SUFFIXES)]


class _Drops(QObject):
    """Accepts form files dropped on the list's viewport."""

    def __init__(self, forms: "Forms"):
        super().__init__(forms.window)
        self.forms = forms

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        t = event.type()
        if t in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if form_paths(event.mimeData()) and not self.forms.window.read_only:
                event.acceptProposedAction()
                return True
        elif t == QEvent.Type.Drop:
            paths = form_paths(event.mimeData())
            if paths:
                event.acceptProposedAction()
                self.forms.import_forms(paths)
                return True
        return False


class Forms(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.preview = None
        self.task = None
        w = window
        self.act_blank = QAction(tr("Forms", "导出申报表模板（Word）…"), w)
        self.act_blank.triggered.connect(lambda _=False: self.export_blank_dialog())
        self.act_filled = QAction(tr("Forms", "导出已填申报表（Word）…"), w)
        self.act_filled.triggered.connect(lambda _=False: self.export_filled_dialog())
        self.act_import = QAction(tr("Forms", "导入申报表（Word）…"), w)
        self.act_import.setStatusTip(tr("Forms", "读取申请单位填好的申报表（.docx，也可把文件拖到列表上），预览后保存"))
        self.act_import.triggered.connect(lambda _=False: self.import_dialog())
        menu = w.file_menu
        menu.insertActions(w.act_close_tab, [self.act_import, self.act_blank, self.act_filled])
        menu.insertSeparator(w.act_close_tab)
        menu.aboutToShow.connect(self._update)
        self.drops: _Drops | None = None
        # Forms dropped on the list are imported into the database shown, so the list accepts them
        # once there is one. Not before: the first look at the list's viewport from Python costs a
        # few milliseconds (PySide resolves its C++ class) that the first paint need not wait for.
        w.databaseChanged.connect(lambda _label: self._accept_drops())

    def _accept_drops(self) -> None:
        if self.drops is not None:
            return
        w = self.window
        self.drops = _Drops(self)
        w.view.setAcceptDrops(True)
        w.view.viewport().setAcceptDrops(True)
        w.view.viewport().installEventFilter(self.drops)

    def _update(self) -> None:
        w = self.window
        self.act_import.setEnabled(w.db is not None and not w.read_only)
        self.act_filled.setEnabled(w.db is not None and w.current_application_id() is not None)

    # ------------------------------------------------------------ out
    def export_blank_dialog(self) -> None:
        from alliance_desk.rules.packs import all_packs

        packs = list(all_packs().values())
        names = [p.name for p in packs]
        name, ok = QInputDialog.getItem(self.window, tr("Forms", "导出申报表模板"), tr("Forms", "地区："), names, 0, False)
        if not ok:
            return
        pack = packs[names.index(name)]
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Forms", "导出申报表模板"),
                                              str(Path.home() / f"{pack.region_name}申报表模板.docx"), "Word (*.docx)")
        if path:
            self.export(pack.id, path)

    def export_filled_dialog(self) -> None:
        app_id = self.window.current_application_id()
        if not app_id:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Forms", "导出已填申报表"),
                                              str(Path.home() / "申报表.docx"), "Word (*.docx)")
        if path:
            self.export(None, path, app_id)

    def export(self, region: str | None, path: str, app_id: str | None = None) -> Path:
        from alliance_desk import store
        from alliance_desk.forms.writer import write_form

        doc = None
        if app_id is not None:
            with self.window.db.Session() as s:
                doc = store.get_document(s, app_id)
        out = write_form(region or doc["region"], path, doc)
        self.window.statusBar().showMessage(tr("Forms", "已导出 {p}").format(p=out), 10000)
        return out

    # ------------------------------------------------------------ in
    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, tr("Forms", "导入申报表"), str(Path.home()),
                                                tr("Forms", "申报表 (*.docx *.doc *.wps);;所有文件 (*)"))
        if paths:
            self.import_forms(paths)

    def import_forms(self, paths: list[str]):
        """Read the files in the background (progress, 取消), then show the preview."""
        from alliance_desk.forms import service

        w = self.window
        if w.db is None:
            return None
        if w.read_only:
            QMessageBox.information(w, tr("Forms", "导入申报表"), tr("Forms", "数据库以只读方式打开，不能导入。"))
            return None
        db, files = w.db, [str(p) for p in paths]
        self.task = run_in_background(lambda progress: service.read_forms(db, files, progress.update),
                                      on_done=self._show_preview, parent=w, progress=True,
                                      label=tr("Forms", "正在读取 {n} 份申报表…").format(n=len(files)))
        return self.task

    def _show_preview(self, cands) -> None:
        from ui.forms.preview import FormPreviewDialog

        self.preview = FormPreviewDialog(self.window.db, cands, self.window)
        self.preview.saved.connect(self.window._import_done)
        self.preview.open()


def install_forms(window) -> Forms:
    window.forms = Forms(window)
    return window.forms
