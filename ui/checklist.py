"""ChecklistPanel: the region's checklist for one application, meant for a QDockWidget beside the editor.

Shows eligibility at a glance (符合条件 / 不符合条件 with counts), then every rule with a status
icon, its id, the Chinese message and the clause. Manual items carry a 确认 box, a 不符合 box and a
note; the panel itself never writes anything: it emits `confirmRequested(rule, met, note)` /
`unconfirmRequested(rule)` and whoever owns the store feeds the new result back via `set_result`.
Clicking an item emits `jumpRequested(path)` with the item's JSON path. The header also says how
many items wait for a person; a second tab, 条款对照, shows how each clause of the notice is served.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QAbstractListModel, QCoreApplication, QModelIndex, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QLabel, QLineEdit, QListView,
                               QStyle, QStyledItemDelegate, QTabWidget, QVBoxLayout, QWidget)

from ui.clause_register import ClauseRegisterView
from ui.editor.icons import STATUS_COLORS, status_icon

translate = QCoreApplication.translate

ItemRole = Qt.ItemDataRole.UserRole + 1
RuleRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 3
FieldRole = Qt.ItemDataRole.UserRole + 4

PAD = 7
ICON = 18
GAP = 8
STRIP = 30  # height of the confirm strip of a manual item


def confirmation_text(conf) -> str:
    if conf is None:
        return ""
    when = (conf.at or "").replace("T", " ")
    head = translate("ChecklistPanel", "已确认：") if conf.outcome == "met" else \
        translate("ChecklistPanel", "已确认不符合：")
    text = f"{head}{conf.by} {when}"
    if conf.note:
        text += f" {conf.note}"
    return text


def _wrapped(text: str, font: QFont, width: int) -> tuple[QTextLayout, int]:
    """`text` laid out in lines of `width` pixels; the same layout sizes and paints the item, so the
    height reserved always matches what is drawn. CJK text breaks between characters."""
    layout = QTextLayout(text, font)
    opt = QTextOption()
    opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(opt)
    layout.beginLayout()
    y = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout, int(math.ceil(y))


class ChecklistModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list = []

    def items(self) -> list:
        return self._items

    def set_items(self, items: list) -> bool:
        """Update in place when the rule list is the same (keeps the confirm boxes); True if reset."""
        if [i.rule for i in items] == [i.rule for i in self._items]:
            old, self._items = self._items, list(items)
            for r, (a, b) in enumerate(zip(old, self._items)):
                if a != b:
                    self.dataChanged.emit(self.index(r), self.index(r))
            return False
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()
        return True

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._items)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._items):
            return None
        it = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{it.rule} {it.message}"
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{it.rule}：{it.text}\n{it.clause}"
            if it.field:
                tip += "\n" + translate("ChecklistPanel", "单击定位到：{0}").format(it.field)
            return tip
        if role == Qt.ItemDataRole.DecorationRole:
            return status_icon(it.status)
        # the item itself and its parts, for views and tests that ask by role
        return {ItemRole: it, RuleRole: it.rule, StatusRole: it.status, FieldRole: it.field}.get(role)


class ConfirmWidget(QWidget):
    """The 确认 / 不符合 / note strip of a manual item (a persistent editor of the list view)."""

    def __init__(self, panel: "ChecklistPanel", parent=None):
        super().__init__(parent)
        self.rule = ""
        self._item = None
        self.setAutoFillBackground(False)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        self.confirm = QCheckBox(translate("ChecklistPanel", "确认"))
        self.confirm.setToolTip(translate("ChecklistPanel", "已对照纸质材料确认符合"))
        self.not_met = QCheckBox(translate("ChecklistPanel", "不符合"))
        self.not_met.setToolTip(translate("ChecklistPanel", "已对照纸质材料确认不符合"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(translate("ChecklistPanel", "备注（可选）"))
        self.note.setClearButtonEnabled(True)
        lay.addWidget(self.confirm)
        lay.addWidget(self.not_met)
        lay.addWidget(self.note, 1)
        self.confirm.clicked.connect(lambda checked: panel._on_box(self, True, checked))
        self.not_met.clicked.connect(lambda checked: panel._on_box(self, False, checked))
        self.note.editingFinished.connect(lambda: panel._on_note(self))

    def set_item(self, item) -> None:
        self.rule = item.rule
        self._item = item
        conf = item.confirmation
        for box, want in ((self.confirm, conf is not None and conf.outcome == "met"),
                          (self.not_met, conf is not None and conf.outcome != "met")):
            if box.isChecked() != want:
                box.blockSignals(True)
                box.setChecked(want)
                box.blockSignals(False)
        if conf is not None and not self.note.hasFocus() and self.note.text() != conf.note:
            self.note.setText(conf.note)

    def item(self):
        return self._item


class ChecklistDelegate(QStyledItemDelegate):
    """Paints one checklist item: icon, rule id and clause, word-wrapped message, confirmation line."""

    def __init__(self, panel: "ChecklistPanel", view: QListView):
        super().__init__(view)
        self._panel = panel
        self._view = view

    # ---- layout
    def _fonts(self, option):
        base = QFont(option.font)
        head = QFont(base)
        head.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.88))
        return base, head, small

    def _layout(self, option, item, width: int) -> dict:
        base, head, small = self._fonts(option)
        text_w = max(60, width - PAD * 2 - ICON - GAP)
        fh, fs = QFontMetrics(head), QFontMetrics(small)
        msg, msg_h = _wrapped(item.message, base, text_w)
        conf_text = confirmation_text(item.confirmation)
        conf, conf_h = _wrapped(conf_text, small, text_w) if conf_text else (None, 0)
        head_h = max(fh.height(), fs.height())
        # the clause sits right of the rule id when there is room, else on a line of its own
        inline = fh.horizontalAdvance(item.rule) + 10 + fs.horizontalAdvance(item.clause) <= text_w
        clause_h = 0 if inline else fs.height() + 1
        strip = STRIP if item.kind == "manual" else 0
        height = (PAD + head_h + clause_h + 3 + msg_h + (conf_h + 3 if conf else 0) + (strip + 2 if strip else 0)
                  + PAD)
        return {"text_w": text_w, "head_h": head_h, "inline": inline, "clause_h": clause_h, "msg": msg,
                "msg_h": msg_h, "conf": conf, "conf_h": conf_h, "strip": strip, "height": height,
                "fonts": (base, head, small)}

    def _width(self, option) -> int:
        return max(120, self._view.viewport().width() - 2)

    def sizeHint(self, option, index):  # noqa: N802
        item = index.data(ItemRole)
        if item is None:
            return super().sizeHint(option, index)
        lay = self._layout(option, item, self._width(option))
        return QSize(self._width(option), lay["height"])

    # ---- painting
    def paint(self, painter, option, index):
        item = index.data(ItemRole)
        if item is None:
            return super().paint(painter, option, index)
        painter.save()
        r = option.rect
        lay = self._layout(option, item, r.width())
        base, head, small = lay["fonts"]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected:
            painter.fillRect(r, QColor("#e3f2fd"))
        elif hover and item.field:
            painter.fillRect(r, QColor("#f5f5f5"))
        painter.fillRect(QRect(r.left(), r.top(), 3, r.height()), STATUS_COLORS.get(item.status, QColor("#9e9e9e")))
        painter.setPen(QColor("#e0e0e0"))
        painter.drawLine(r.left(), r.bottom(), r.right(), r.bottom())

        x = r.left() + PAD + ICON + GAP
        y = r.top() + PAD
        status_icon(item.status).paint(painter, QRect(r.left() + PAD, y, ICON, ICON))
        text_pen = option.palette.color(QPalette.ColorRole.Text)
        painter.setFont(head)
        painter.setPen(text_pen)
        fh, fs = QFontMetrics(head), QFontMetrics(small)
        rule = fh.elidedText(item.rule, Qt.TextElideMode.ElideRight, lay["text_w"])
        rule_w = fh.horizontalAdvance(rule)
        painter.drawText(QRect(x, y, rule_w + 2, lay["head_h"]), int(Qt.AlignmentFlag.AlignVCenter), rule)
        painter.setFont(small)
        painter.setPen(QColor("#757575"))
        if lay["inline"]:
            clause_rect = QRect(x + rule_w + 10, y, max(0, lay["text_w"] - rule_w - 10), lay["head_h"])
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
        else:
            clause_rect = QRect(x, y + lay["head_h"], lay["text_w"], lay["clause_h"])
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        clause = fs.elidedText(item.clause, Qt.TextElideMode.ElideRight, clause_rect.width())
        painter.drawText(clause_rect, int(align), clause)
        painter.setFont(base)
        y += lay["head_h"] + lay["clause_h"] + 3
        painter.setPen(QColor("#b71c1c") if item.status == "fail" else text_pen)
        lay["msg"].draw(painter, QPointF(x, y))
        y += lay["msg_h"] + 3
        if lay["conf"] is not None:
            ok = item.confirmation.outcome == "met"
            painter.setPen(QColor("#2e7d32") if ok else QColor("#c62828"))
            lay["conf"].draw(painter, QPointF(x, y))
        painter.restore()

    # ---- the confirm strip of manual items (persistent editor)
    def createEditor(self, parent, option, index):  # noqa: N802
        item = index.data(ItemRole)
        if item is None or item.kind != "manual":
            return None
        w = ConfirmWidget(self._panel, parent)
        w.set_item(item)
        return w

    def setEditorData(self, editor, index):  # noqa: N802
        item = index.data(ItemRole)
        if item is not None and isinstance(editor, ConfirmWidget):
            editor.set_item(item)

    def setModelData(self, editor, model, index):  # noqa: N802
        pass  # confirmations go through signals, never into the model

    def updateEditorGeometry(self, editor, option, index):  # noqa: N802
        r = option.rect
        x = r.left() + PAD + ICON + GAP
        editor.setGeometry(QRect(x, r.bottom() - PAD - STRIP + 2, max(60, r.right() - PAD - x), STRIP - 4))


class ChecklistPanel(QWidget):
    """set_result(CheckResult); signals confirmRequested(rule, met, note), unconfirmRequested(rule),
    jumpRequested(path)."""

    confirmRequested = Signal(str, bool, str)
    unconfirmRequested = Signal(str)
    jumpRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("checklist_panel")
        self._result = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(6)

        self.header = QWidget()
        self.header.setObjectName("checklist_header")
        h = QVBoxLayout(self.header)
        h.setContentsMargins(10, 8, 10, 8)
        h.setSpacing(2)
        self.verdict = QLabel("—")
        self.verdict.setObjectName("verdict")
        f = self.verdict.font()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        self.verdict.setFont(f)
        self.counts = QLabel("")
        self.counts.setObjectName("counts")
        # which rules judged: the shipped pack or the office's version adopted for the call
        self.basis = QLabel("")
        self.basis.setObjectName("basis")
        self.basis.setWordWrap(True)
        self.waiting = QLabel("")  # how many items wait for a person (never blocking until answered)
        self.waiting.setObjectName("waiting")
        self.waiting.setWordWrap(True)
        h.addWidget(self.verdict)
        h.addWidget(self.counts)
        h.addWidget(self.waiting)
        h.addWidget(self.basis)
        lay.addWidget(self.header)

        self.model = ChecklistModel(self)
        self.view = QListView()
        self.view.setObjectName("checklist_view")
        self.view.setModel(self.model)
        self.delegate = ChecklistDelegate(self, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setUniformItemSizes(False)
        self.view.setWordWrap(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setMouseTracking(True)
        self.view.setSpacing(0)
        self.view.clicked.connect(self._on_clicked)
        self.view.activated.connect(self._on_clicked)

        # the checklist and, beside it, how each clause of the notice is served
        self.tabs = QTabWidget()
        self.tabs.setObjectName("checklist_tabs")
        self.tabs.setDocumentMode(True)
        self.register = ClauseRegisterView()
        self.tabs.addTab(self.view, translate("ChecklistPanel", "审查清单"))
        self.tabs.addTab(self.register, translate("ChecklistPanel", "条款对照"))
        lay.addWidget(self.tabs, 1)
        self._paint_header()

    # ------------------------------------------------------------ public

    def set_result(self, result) -> None:
        """Show a CheckResult (engine.CheckResult); None clears the panel."""
        self._result = result
        items = list(result.items) if result is not None else []
        reset = self.model.set_items(items)
        for r, it in enumerate(items):
            if it.kind != "manual":
                continue
            idx = self.model.index(r)
            if reset:
                self.view.openPersistentEditor(idx)
            w = self.view.indexWidget(idx)
            if isinstance(w, ConfirmWidget):
                w.set_item(it)  # the boxes always follow the stored state, e.g. after a refused confirm
        self.view.doItemsLayout()
        self.register.set_result(result)
        self._paint_header()

    def result(self):
        return self._result

    def index_of(self, rule: str) -> QModelIndex:
        for r, it in enumerate(self.model.items()):
            if it.rule == rule:
                return self.model.index(r)
        return QModelIndex()

    def confirm_widget(self, rule: str) -> ConfirmWidget | None:
        idx = self.index_of(rule)
        w = self.view.indexWidget(idx) if idx.isValid() else None
        return w if isinstance(w, ConfirmWidget) else None

    def confirm_box(self, rule: str) -> QCheckBox | None:
        w = self.confirm_widget(rule)
        return w.confirm if w else None

    def not_met_box(self, rule: str) -> QCheckBox | None:
        w = self.confirm_widget(rule)
        return w.not_met if w else None

    def note_edit(self, rule: str) -> QLineEdit | None:
        w = self.confirm_widget(rule)
        return w.note if w else None

    def verdict_text(self) -> str:
        return self.verdict.text()

    def counts_text(self) -> str:
        return self.counts.text()

    def waiting_text(self) -> str:
        return self.waiting.text()

    # ------------------------------------------------------------ internals

    def _paint_header(self) -> None:
        res = self._result
        if res is None:
            self.verdict.setText("—")
            self.counts.setText(translate("ChecklistPanel", "尚无检查结果"))
            self.basis.setText("")
            self.waiting.setText("")
            self.waiting.hide()
            self.header.setStyleSheet("QWidget#checklist_header { background: #eeeeee; border-radius: 4px; }")
            return
        c = res.counts
        ok = res.eligible
        self.verdict.setText(translate("ChecklistPanel", "符合条件") if ok else translate("ChecklistPanel", "不符合条件"))
        self.counts.setText(translate("ChecklistPanel", "不符合 {0} · 提示 {1} · 待确认 {2}").format(
            c.get("fail", 0), c.get("warn", 0), c.get("manual", 0)))
        label = getattr(res, "pack_version", "")
        self.basis.setText(translate("ChecklistPanel", "审查依据：{0}").format(label) if label else "")
        n_wait = c.get("manual", 0)
        self.waiting.setText(translate("ChecklistPanel", "{0} 项须由人工对照材料判断，确认前不影响上面的结论")
                             .format(n_wait) if n_wait else "")
        self.waiting.setVisible(bool(n_wait))
        bg, fg = ("#e8f5e9", "#1b5e20") if ok else ("#ffebee", "#b71c1c")
        self.header.setStyleSheet(
            f"QWidget#checklist_header {{ background: {bg}; border: 1px solid {fg}33; border-radius: 4px; }}"
            f"QLabel#verdict {{ color: {fg}; }} QLabel#counts {{ color: #424242; }} QLabel#basis {{ color: #616161; }}"
            "QLabel#waiting { color: #1565c0; }")

    def _on_clicked(self, index: QModelIndex) -> None:
        path = index.data(FieldRole)
        if path:
            self.jumpRequested.emit(path)

    def _on_box(self, w: ConfirmWidget, met_box: bool, checked: bool) -> None:
        if checked:
            other = w.not_met if met_box else w.confirm
            other.blockSignals(True)
            other.setChecked(False)
            other.blockSignals(False)
            self.confirmRequested.emit(w.rule, met_box, w.note.text().strip())
        else:
            self.unconfirmRequested.emit(w.rule)

    def _on_note(self, w: ConfirmWidget) -> None:
        item = w.item()
        conf = item.confirmation if item is not None else None
        note = w.note.text().strip()
        if conf is not None and note != (conf.note or ""):
            self.confirmRequested.emit(w.rule, conf.outcome == "met", note)
