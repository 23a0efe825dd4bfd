"""Lifecycle widgets: the procedure's stage bar, one alliance's obligations, and the dashboard.

Each is usable standalone (the constructor takes the Database, an application id where relevant,
and the as-of date — today when omitted: the UI may read the clock, the services never do). They
call alliance_desk.lifecycle only; every write happens in a dialog that shows the service's
refusal (Chinese, with the clause) and stays open until the input is accepted.

- StageBar(db, app_id): the region's steps as chevrons, done / current (highlighted) / to come,
  each with its date, actor and note in the tooltip; 推进… / 退回… / 记录决定… open dialogs for
  date, actor and note. Emits `changed()` after a write.
- ObligationList(db, app_id): state, validity and alerts over a table (ObligationModel, a
  QAbstractTableModel) of every obligation with due date and status; the selected row's clause
  and reading (本单位配置 where the office chose the default) below; 登记… records what arrived.
- Dashboard(db): 30 天内到期 / 已逾期 / 有取消资格风险 / 本年度届满; one click on a row emits
  `openApplication(app_id)`.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QDate, QModelIndex, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QSizePolicy, QTableView, QTableWidget, QTableWidgetItem, QToolTip,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from alliance_desk import lifecycle as lc

translate = QCoreApplication.translate

STATUS_COLORS = {"upcoming": "#616161", "due": "#e65100", "overdue": "#c62828", "done": "#2e7d32",
                 "late": "#827717", "failed": "#b71c1c"}
STATE_COLORS = {"active": "#2e7d32", "warned": "#e65100", "at_risk": "#c62828", "revocable": "#b71c1c",
                "revoked": "#616161", "expired": "#616161", "pending": "#1565c0", "rejected": "#616161"}
ALERT_COLORS = {"note": "#1565c0", "warning": "#e65100", "risk": "#c62828", "revocable": "#b71c1c",
                "ended": "#616161"}


def to_qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def from_qdate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _date_edit(d: date) -> QDateEdit:
    w = QDateEdit(to_qdate(d))
    w.setCalendarPopup(True)
    w.setDisplayFormat("yyyy-MM-dd")
    return w


def _error_label() -> QLabel:
    lab = QLabel()
    lab.setWordWrap(True)
    lab.setStyleSheet("color: #b71c1c;")
    lab.hide()
    return lab


class _WriteDialog(QDialog):
    """A form whose OK runs `write()`; a LifecycleError is shown in the dialog, which stays open."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.errors = _error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(translate("Lifecycle", "确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(translate("Lifecycle", "取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.errors)
        lay.addWidget(self.buttons)
        self.result_value = None

    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def write(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def problems(self) -> list[str]:
        return self.errors.text().splitlines()

    def accept(self) -> None:
        try:
            self.result_value = self.write()
        except lc.LifecycleError as exc:
            self.errors.setText("\n".join(exc.problems))
            self.errors.show()
            return
        super().accept()


# ------------------------------------------------------------------ stage bar

class StageDialog(_WriteDialog):
    """Move to a stage: target, date, actor (default: the step's actor from the pack), note
    (required when going back)."""

    def __init__(self, db, state: lc.ProcedureState, targets: list[str], back: bool, today: date, parent=None):
        title = translate("Lifecycle", "退回到前面的步骤") if back else translate("Lifecycle", "推进到下一步")
        super().__init__(title, parent)
        self.db, self.state, self.back = db, state, back
        self.target = QComboBox()
        for sid in targets:
            s = state.stage(sid)
            self.target.addItem(f"{s.short}（{s.clause}）", sid)
        self.target.setCurrentIndex(len(targets) - 1 if back else 0)
        last = state.last_on()
        self.on = _date_edit(max(today, last) if last else today)
        self.actor = QLineEdit()
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(64)
        self.note.setPlaceholderText(translate("Lifecycle", "退回原因（必填）") if back else
                                     translate("Lifecycle", "说明（可选）"))
        self.form.addRow(translate("Lifecycle", "步骤"), self.target)
        self.form.addRow(translate("Lifecycle", "日期"), self.on)
        self.form.addRow(translate("Lifecycle", "办理人/单位"), self.actor)
        self.form.addRow(translate("Lifecycle", "说明"), self.note)
        self.target.currentIndexChanged.connect(self._actor_hint)
        self._actor_hint()
        self.resize(460, self.sizeHint().height())

    def _actor_hint(self) -> None:
        s = self.state.stage(self.target.currentData())
        self.actor.setPlaceholderText(s.actor if s else "")

    def write(self):
        return lc.move_stage(self.db, self.state.application_id, self.target.currentData(), from_qdate(self.on.date()),
                             by=self.actor.text(), note=self.note.toPlainText())


class DecisionDialog(_WriteDialog):
    def __init__(self, db, state: lc.ProcedureState, today: date, parent=None):
        super().__init__(translate("Lifecycle", "记录决定"), parent)
        self.db, self.state = db, state
        cfg = lc.config(state.region)
        self.outcome = QComboBox()
        for o in cfg.outcomes:
            self.outcome.addItem(cfg.outcome_label(o), o)
        last = state.last_on()
        self.on = _date_edit(max(today, last) if last else today)
        self.doc_no = QLineEdit()
        self.doc_no.setPlaceholderText(translate("Lifecycle", "如 鞍科发〔2024〕30号"))
        self.by = QLineEdit()
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(56)
        self.form.addRow(translate("Lifecycle", "决定"), self.outcome)
        self.form.addRow(translate("Lifecycle", "日期"), self.on)
        self.form.addRow(translate("Lifecycle", "文号"), self.doc_no)
        self.form.addRow(translate("Lifecycle", "决定人/单位"), self.by)
        self.form.addRow(translate("Lifecycle", "说明"), self.note)
        self.resize(460, self.sizeHint().height())

    def write(self):
        return lc.decide(self.db, self.state.application_id, self.outcome.currentData(), from_qdate(self.on.date()),
                         doc_no=self.doc_no.text(), by=self.by.text(), note=self.note.toPlainText())


class StageStrip(QWidget):
    """The steps as chevrons: done (green), current (blue, bold), to come (grey); the decision step
    carries a diamond. Hovering a step shows its full name, clause, actor and when it was entered."""

    H = 46
    TIP = 12

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state: lc.ProcedureState | None = None
        self.setMouseTracking(True)
        self.setMinimumHeight(self.H + 4)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_state(self, state: lc.ProcedureState) -> None:
        self.state = state
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        n = len(self.state.stages) if self.state else 7
        return QSize(n * 118, self.H + 4)

    def kind_of(self, i: int) -> str:
        st = self.state
        cur = st.current_index
        if i == cur:
            if st.decision is not None and not st.decision.positive:
                return "stopped"
            return "current"
        if i < cur:
            # a step passed over (optional, or before a decision recorded directly) was never entered
            return "done" if st.entered(st.stages[i].id) is not None else "skipped"
        return "todo"

    def _rects(self) -> list[QRectF]:
        n = len(self.state.stages)
        w = (self.width() - 2) / max(n, 1)
        return [QRectF(1 + i * w, 2, w, self.H) for i in range(n)]

    def paintEvent(self, _event) -> None:  # noqa: N802
        if self.state is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colors = {"done": (QColor("#c8e6c9"), QColor("#1b5e20")), "current": (QColor("#1565c0"), QColor("white")),
                  "todo": (QColor("#eeeeee"), QColor("#616161")), "stopped": (QColor("#c62828"), QColor("white")),
                  "skipped": (QColor("#f5f5f5"), QColor("#9e9e9e"))}
        base = QFont(self.font())
        for i, (s, r) in enumerate(zip(self.state.stages, self._rects())):
            kind = self.kind_of(i)
            fill, ink = colors[kind]
            tip = self.TIP
            path = QPainterPath()
            left_notch = i > 0
            path.moveTo(r.left(), r.top())
            path.lineTo(r.right() - tip, r.top())
            path.lineTo(r.right(), r.center().y())
            path.lineTo(r.right() - tip, r.bottom())
            path.lineTo(r.left(), r.bottom())
            if left_notch:
                path.lineTo(r.left() + tip, r.center().y())
            path.closeSubpath()
            p.setPen(QPen(QColor("white"), 2))
            p.setBrush(QBrush(fill))
            p.drawPath(path)
            f = QFont(base)
            f.setBold(kind in ("current", "stopped"))
            f.setItalic(kind == "skipped")
            p.setFont(f)
            p.setPen(ink)
            text_rect = r.adjusted(tip + (4 if left_notch else 0), 0, -tip - 2, 0)
            label = ("◆ " if s.decision else "") + s.short
            label = QFontMetrics(f).elidedText(label, Qt.TextElideMode.ElideRight, int(text_rect.width()))
            p.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, label)
        p.end()

    def stage_at(self, pos: QPointF) -> int:
        for i, r in enumerate(self._rects()):
            if r.contains(pos):
                return i
        return -1

    def tooltip_for(self, i: int) -> str:
        st = self.state
        s = st.stages[i]
        lines = [s.name, f"{translate('Lifecycle', '依据')}：{s.clause}", f"{translate('Lifecycle', '办理单位')}：{s.actor}"]
        if s.decision:
            lines.append(translate("Lifecycle", "在此步骤记录决定"))
        if s.optional:
            lines.append(s.note or translate("Lifecycle", "可跳过"))
        t = st.entered(s.id)
        if t is not None:
            lines.append(f"{lc.DIRECTIONS[t.direction]}：{t.on}，{t.by}" + (f"，{t.note}" if t.note else ""))
        elif self.kind_of(i) == "skipped":
            lines.append(translate("Lifecycle", "未经过此步骤（跳过或未在本软件中登记）"))
        return "\n".join(lines)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self.state is None:
            return
        i = self.stage_at(event.position())
        if i >= 0:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_for(i), self)
        else:
            QToolTip.hideText()


class StageBar(QWidget):
    """An application's procedure: the strip, what happened last, and the buttons."""

    changed = Signal()

    def __init__(self, db, app_id: str, today: date | None = None, parent=None):
        super().__init__(parent)
        self.db, self.app_id = db, app_id
        self.today = today or date.today()
        self.dialog: _WriteDialog | None = None
        self.strip = StageStrip()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advance_button = QPushButton(translate("Lifecycle", "推进…"))
        self.back_button = QPushButton(translate("Lifecycle", "退回…"))
        self.decide_button = QPushButton(translate("Lifecycle", "记录决定…"))
        self.advance_button.clicked.connect(self.open_advance)
        self.back_button.clicked.connect(self.open_back)
        self.decide_button.clicked.connect(self.open_decision)
        row = QHBoxLayout()
        row.addWidget(self.info, 1)
        for b in (self.decide_button, self.back_button, self.advance_button):
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.strip)
        lay.addLayout(row)
        self.state: lc.ProcedureState | None = None
        self.refresh()

    def refresh(self) -> None:
        with self.db.Session() as s:
            self.state = lc.procedure(s, self.app_id)
            window = lc.publicity_window(s, self.state)
        st = self.state
        self.strip.set_state(st)
        cur = st.stage(st.current)
        if cur is None:
            text = translate("Lifecycle", "办理程序尚未开始：共 {0} 步，第一步「{1}」").format(
                len(st.stages), st.stages[0].short)
        else:
            t = st.entered(cur.id)
            text = translate("Lifecycle", "当前：{0}").format(cur.name)
            if t is not None:
                text += f"（{t.on} {lc.DIRECTIONS[t.direction]}，{t.by}" + (f"：{t.note}" if t.note else "") + "）"
        if window is not None and st.decision is None:
            cfg = lc.config(st.region)
            text += "\n" + translate("Lifecycle", "公示期：{0} 至 {1}，期满后方可进入下一步（{2}）").format(
                window[0], window[1], cfg.publicity_clause)
        if st.decision is not None:
            d = st.decision
            text += "\n" + translate("Lifecycle", "决定：{0}（{1}{2}）").format(
                d.label, d.decided_on, f"，{d.doc_no}" if d.doc_no else "")
        self.info.setText(text)
        self.advance_button.setEnabled(bool(st.forward_targets()))
        self.back_button.setEnabled(bool(st.back_targets()))
        # one decision per application; the dialog shows why a decision is refused at this step
        self.decide_button.setVisible(st.decision is None)
        nxt = st.forward_targets()
        self.advance_button.setToolTip(translate("Lifecycle", "下一步：{0}").format(st.stage(nxt[0]).short) if nxt
                                       else self._why_not_forward())

    def _why_not_forward(self) -> str:
        st = self.state
        if st.decision is not None and not st.decision.positive:
            return translate("Lifecycle", "已作出{0}决定，办理程序已终止").format(st.decision.label)
        cfg = lc.config(st.region)
        if st.current_index == cfg.decision_index and st.decision is None:
            return translate("Lifecycle", "请先记录决定")
        return translate("Lifecycle", "已是最后一步")

    def _open(self, dialog: _WriteDialog) -> _WriteDialog:
        self.dialog = dialog
        dialog.accepted.connect(self._written)
        dialog.open()
        return dialog

    def _written(self) -> None:
        self.refresh()
        self.changed.emit()

    def open_advance(self) -> StageDialog:
        return self._open(StageDialog(self.db, self.state, self.state.forward_targets(), False, self.today, self))

    def open_back(self) -> StageDialog:
        return self._open(StageDialog(self.db, self.state, self.state.back_targets(), True, self.today, self))

    def open_decision(self) -> DecisionDialog:
        return self._open(DecisionDialog(self.db, self.state, self.today, self))


# ------------------------------------------------------------------ obligations

class ObligationModel(QAbstractTableModel):
    COLUMNS = ("事项", "期次", "应完成日期", "状态", "登记", "依据")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[lc.Obligation] = []

    def set_rows(self, rows: list[lc.Obligation]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, i: int) -> lc.Obligation:
        return self._rows[i]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("Lifecycle", self.COLUMNS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        o = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return o.name + (translate("Lifecycle", "（本单位配置）") if o.configured_by == "office" else "")
            if col == 1:
                return o.period_label
            if col == 2:
                return o.due.isoformat()
            if col == 3:
                if o.status == "due":
                    return translate("Lifecycle", "{0}（还有 {1} 天）").format(o.status_label, o.days)
                if o.status == "overdue":
                    return translate("Lifecycle", "{0}（{1} 天）").format(o.status_label, -o.days)
                return o.status_label
            if col == 4:
                r = o.record
                return "" if r is None else r.on.isoformat() + (f" {r.by}" if r.by else "")
            if col == 5:
                return o.clause
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return QBrush(QColor(STATUS_COLORS[o.status]))
        if role == Qt.ItemDataRole.FontRole and col == 3 and o.status in ("due", "overdue", "failed"):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            return o.reading
        if role == Qt.ItemDataRole.UserRole:
            return o
        return None


class RecordDialog(_WriteDialog):
    """Record what arrived: the kind (the region's obligations and events), date, result, score,
    per-item points for a scoring template (Ganzhou 年度工作任务), what changed, document number, note."""

    def __init__(self, db, app_id: str, region: str, today: date, kind: str | None = None,
                 period: int | None = None, period_text: str = "", parent=None):
        super().__init__(translate("Lifecycle", "登记"), parent)
        self.db, self.app_id = db, app_id
        self.period = period  # the occurrence chosen in the list (None: the service picks)
        self.period_text = period_text or (str(period) if period is not None else "")
        self.cfg = lc.config(region)
        self.kind = QComboBox()
        for k, label in self.cfg.record_kinds().items():
            self.kind.addItem(label, k)
        if kind is not None and self.kind.findData(kind) >= 0:
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self.on = _date_edit(today)
        self.result = QComboBox()
        self.score = QDoubleSpinBox()
        self.score.setRange(-1, 100)
        self.score.setSpecialValueText(translate("Lifecycle", "（不填）"))
        self.score.setValue(-1)
        self.topic = QComboBox()
        self.items = QTableWidget(0, 3)
        self.items.setHorizontalHeaderLabels([translate("Lifecycle", "评分项"), translate("Lifecycle", "满分"),
                                              translate("Lifecycle", "得分")])
        self.items.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.items.verticalHeader().hide()
        self.doc_no = QLineEdit()
        self.by = QLineEdit()
        self.note = QLineEdit()
        self.form.addRow(translate("Lifecycle", "事项"), self.kind)
        self.form.addRow(translate("Lifecycle", "日期"), self.on)
        self.form.addRow(translate("Lifecycle", "结果"), self.result)
        self.form.addRow(translate("Lifecycle", "分数"), self.score)
        self.form.addRow(translate("Lifecycle", "调整类型"), self.topic)
        self.form.addRow(self.items)
        self.form.addRow(translate("Lifecycle", "文号"), self.doc_no)
        self.form.addRow(translate("Lifecycle", "登记人"), self.by)
        self.form.addRow(translate("Lifecycle", "说明"), self.note)
        self.period_label = QLabel()
        self.form.insertRow(1, translate("Lifecycle", "期次"), self.period_label)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.resize(520, 420)

    def _kind_changed(self) -> None:
        k = self.kind.currentData()
        if getattr(self, "_initial_kind", k) != k:
            self.period = None  # another kind chosen: the selected row no longer applies
        self._initial_kind = k
        self.period_label.setText(self.period_text if self.period is not None else
                                  translate("Lifecycle", "自动（最早未完成的一期）"))
        self.form.setRowVisible(self.period_label, k not in (lc.REVOCATION, *self.cfg.event_specs))
        spec = self.cfg.obligation(k)
        events = self.cfg.event_specs
        self.result.clear()
        results = ("pass", "fail") if k == lc.RECTIFICATION else (spec.results if spec and not spec.scoring else ())
        if k == lc.RECTIFICATION:
            self.result.addItem(translate("Lifecycle", "（不填）"), None)
        for r in results:
            self.result.addItem(lc.RESULTS[r], r)
        self.form.setRowVisible(self.result, bool(results))
        scored = bool(spec and spec.scoring)
        self.form.setRowVisible(self.score, bool(results) or scored)
        topics = events[k].topics if k in events else (spec.topics if spec and spec.schedule == "on_event" else {})
        self.topic.clear()
        for key, label in topics.items():
            self.topic.addItem(label, key)
        self.form.setRowVisible(self.topic, bool(topics))
        self.items.setRowCount(0)
        if scored:
            leaves = lc.scoring_leaves(self.cfg.scoring[spec.scoring])
            self.items.setRowCount(len(leaves))
            for i, (lid, name, mx) in enumerate(leaves):
                a = QTableWidgetItem(name)
                a.setData(Qt.ItemDataRole.UserRole, lid)
                a.setFlags(a.flags() & ~Qt.ItemFlag.ItemIsEditable)
                b = QTableWidgetItem(f"{mx:g}")
                b.setFlags(b.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.items.setItem(i, 0, a)
                self.items.setItem(i, 1, b)
                self.items.setItem(i, 2, QTableWidgetItem(""))
        self.form.setRowVisible(self.items, scored)
        if scored and self.height() < 600:
            self.resize(max(self.width(), 520), 620)
        self.form.setRowVisible(self.doc_no, k == lc.REVOCATION)

    def item_scores(self) -> dict | None:
        out = {}
        for i in range(self.items.rowCount()):
            text = (self.items.item(i, 2).text() if self.items.item(i, 2) else "").strip()
            if text:
                out[self.items.item(i, 0).data(Qt.ItemDataRole.UserRole)] = text
        return out or None

    def write(self):
        k = self.kind.currentData()
        score = self.score.value() if self.score.value() >= 0 else None
        items = self.item_scores()
        return lc.record(self.db, self.app_id, k, from_qdate(self.on.date()), period=self.period,
                         result=self.result.currentData() if self.result.count() else None,
                         score=None if items else score, items=items,
                         topic=self.topic.currentData() if self.topic.count() else None,
                         doc_no=self.doc_no.text(), by=self.by.text(), note=self.note.text())


class ObligationList(QWidget):
    """One alliance after its decision: state, validity, alerts, and every obligation."""

    changed = Signal()

    def __init__(self, db, app_id: str, on: date | None = None, parent=None):
        super().__init__(parent)
        self.db, self.app_id = db, app_id
        self.on = on or date.today()
        self.dialog: RecordDialog | None = None
        self.status: lc.AllianceStatus | None = None
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setTextFormat(Qt.TextFormat.RichText)
        self.model = ObligationModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(ObligationModel.COLUMNS)):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.reading = QLabel()
        self.reading.setWordWrap(True)
        self.reading.setStyleSheet("color: #424242;")
        self.reading.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # room for a name line and two lines of reading: selecting rows never makes the table jump
        self.reading.setMinimumHeight(self.reading.fontMetrics().lineSpacing() * 3 + 4)
        self.record_button = QPushButton(translate("Lifecycle", "登记…"))
        self.record_button.clicked.connect(lambda: self.open_record())
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.record_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.alerts)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.reading)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.refresh()

    def set_date(self, on: date) -> None:
        self.on = on
        self.refresh()

    def refresh(self) -> None:
        with self.db.Session() as s:
            self.status = st = lc.alliance_status(s, self.app_id, self.on)
        color = STATE_COLORS.get(st.state, "#000")
        bits = [f"<b>{st.name}</b>（{st.region_name}）",
                f"<span style='color:{color}; font-weight:bold'>{st.state_label}</span>"]
        if st.decision is not None and st.decision.positive:
            bits.append(translate("Lifecycle", "{0} {1}").format(st.decision.label, st.decision.decided_on)
                        + (f"（{st.decision.doc_no}）" if st.decision.doc_no else ""))
            cfg = lc.config(st.region)
            if st.expires_on is not None:
                tag = translate("Lifecycle", "，本单位配置") if cfg.validity_configured_by == "office" else ""
                bits.append(translate("Lifecycle", "有效期至 {0}（{1}{2}）").format(st.expires_on, cfg.validity_clause, tag))
            else:
                bits.append(translate("Lifecycle", "不设有效期"))
        bits.append(translate("Lifecycle", "截至 {0}").format(self.on))
        self.header.setText(" · ".join(bits))
        self.header.setToolTip(lc.config(st.region).validity_reading)
        lines = [f"<span style='color:{ALERT_COLORS[a.level]}'>● {a.text}"
                 + (f"（{a.clause}）" if a.clause else "") + "</span>" for a in st.alerts]
        self.alerts.setText("<br>".join(lines))
        self.alerts.setVisible(bool(lines))
        self.model.set_rows(st.obligations)
        self.record_button.setEnabled(st.decision is not None and st.decision.positive and st.state != "revoked")
        self.reading.setText(translate("Lifecycle", "选中一行查看依据和口径。") if st.obligations else
                             translate("Lifecycle", "尚无义务：作出肯定的决定后按规则包计算。"))

    def _row_changed(self, current: QModelIndex, _previous=None) -> None:
        if not current.isValid():
            return
        o = self.model.row(current.row())
        tag = ""
        if o.configured_by == "office":
            tag = translate("Lifecycle", "【本单位配置】")
        elif o.office_configured:
            tag = translate("Lifecycle", "【部分本单位配置】")
        self.reading.setText(f"{o.name} · {o.clause} {tag}\n{o.reading}")

    def select_kind(self, kind: str, period: int | None = None) -> int:
        """Select the first row of `kind` (and `period`); returns the row or -1."""
        for i in range(self.model.rowCount()):
            o = self.model.row(i)
            if o.kind == kind and (period is None or o.period == period):
                self.view.selectRow(i)
                self.view.setCurrentIndex(self.model.index(i, 0))
                return i
        return -1

    def open_record(self, kind: str | None = None) -> RecordDialog:
        period, text = None, ""
        if kind is None:
            idx = self.view.currentIndex()
            if idx.isValid() and self.model.row(idx.row()).is_open:
                o = self.model.row(idx.row())
                kind, period, text = o.kind, o.period, o.period_label
        self.dialog = RecordDialog(self.db, self.app_id, self.status.region, self.on, kind, period, text, self)
        self.dialog.accepted.connect(self._written)
        self.dialog.open()
        return self.dialog

    def _written(self) -> None:
        self.refresh()
        self.changed.emit()


# ------------------------------------------------------------------ dashboard

AppRole = Qt.ItemDataRole.UserRole + 1


class Dashboard(QWidget):
    """Four groups as of a date; one click on a row opens the alliance (`openApplication`)."""

    openApplication = Signal(str)

    GROUPS = (("due_soon", "{0} 天内到期"), ("overdue", "已逾期"), ("at_risk", "有取消资格风险"),
              ("expiring", "本年度届满"))

    def __init__(self, db, on: date | None = None, within: int = lc.DEFAULT_WITHIN_DAYS, parent=None):
        super().__init__(parent)
        self.db, self.within = db, within
        self.data: lc.Dashboard | None = None
        self.title = QLabel()
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.25)
        f.setBold(True)
        self.title.setFont(f)
        self.date = _date_edit(on or date.today())
        self.date.dateChanged.connect(lambda _q: self.refresh())
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([translate("Lifecycle", "联盟"), translate("Lifecycle", "地区"),
                                   translate("Lifecycle", "事项 / 原因"), translate("Lifecycle", "日期")])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel(translate("Lifecycle", "截至")))
        top.addWidget(self.date)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        self.group_items: dict[str, QTreeWidgetItem] = {}
        self.refresh()

    @property
    def on(self) -> date:
        return from_qdate(self.date.date())

    def set_date(self, on: date) -> None:
        self.date.setDate(to_qdate(on))  # refreshes through dateChanged

    def refresh(self) -> None:
        with self.db.Session() as s:
            self.data = d = lc.dashboard(s, self.on, self.within)
        self.title.setText(translate("Lifecycle", "认定后管理看板"))
        self.tree.clear()
        self.group_items = {}
        bold = QFont(self.tree.font())
        bold.setBold(True)
        colors = {"due_soon": "#e65100", "overdue": "#c62828", "at_risk": "#b71c1c", "expiring": "#1565c0"}
        for key, label in self.GROUPS:
            rows = getattr(d, key)
            g = QTreeWidgetItem([translate("Lifecycle", label).format(d.within) + f"（{len(rows)}）"])
            g.setFirstColumnSpanned(True)
            g.setFont(0, bold)
            g.setForeground(0, QBrush(QColor(colors[key])))
            g.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for c in range(4):
                g.setBackground(c, QBrush(QColor("#f3f6fa")))
            self.tree.addTopLevelItem(g)
            g.setFirstColumnSpanned(True)
            self.group_items[key] = g
            for r in rows:
                if key in ("due_soon", "overdue"):
                    when = translate("Lifecycle", "还有 {0} 天").format(r.days) if key == "due_soon" else \
                        translate("Lifecycle", "逾期 {0} 天").format(-r.days)
                    cols = [r.alliance, lc.config(r.region).region_name, f"{r.period_label} {r.name}",
                            f"{r.due}（{when}）"]
                    app = r.application_id
                    tip = f"{r.clause}\n{r.reading}"
                elif key == "at_risk":
                    cols = [r.name, r.region_name, f"{r.state_label}：{r.risk_text()}", ""]
                    app, tip = r.application_id, r.risk_text()
                else:
                    cols = [r.name, r.region_name, translate("Lifecycle", "有效期届满"), r.expires_on.isoformat()]
                    app, tip = r.application_id, lc.config(r.region).validity_reading
                item = QTreeWidgetItem(cols)
                item.setData(0, AppRole, app)
                for c in range(4):
                    item.setToolTip(c, tip)
                g.addChild(item)
            if not rows:
                empty = QTreeWidgetItem([translate("Lifecycle", "（无）")])
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                g.addChild(empty)
            g.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(max(self.tree.columnWidth(0), 200), 320))

    def rows(self, group: str) -> list[QTreeWidgetItem]:
        g = self.group_items[group]
        return [g.child(i) for i in range(g.childCount()) if g.child(i).data(0, AppRole)]

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        app = item.data(0, AppRole)
        if app:
            self.openApplication.emit(app)
