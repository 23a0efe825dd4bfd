"""The procedure's stage bar: the region's steps as chevrons (done / current / to come, each with its
date, actor and note in the tooltip) and the dialogs that move a step forward or back and record
the decision."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSizePolicy,
                               QToolTip, QVBoxLayout, QWidget)

from alliance_desk import lifecycle as lc
from ui.lifecycle.common import _AppPanel, _date_edit, from_qdate, translate, _WriteDialog


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


class StageBar(_AppPanel):
    """An application's procedure: the strip, what happened last, and the buttons."""

    def __init__(self, db, app_id: str, today: date | None = None, parent=None):
        super().__init__(db, app_id, parent)
        self.today = today or date.today()
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

    def open_advance(self) -> StageDialog:
        return self._open(StageDialog(self.db, self.state, self.state.forward_targets(), False, self.today, self))

    def open_back(self) -> StageDialog:
        return self._open(StageDialog(self.db, self.state, self.state.back_targets(), True, self.today, self))

    def open_decision(self) -> DecisionDialog:
        return self._open(DecisionDialog(self.db, self.state, self.today, self))
