"""One alliance after its decision: state, validity and alerts over a table of every obligation with
its due date and status, and the dialog that records what arrived (results, scores per item)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout)

from alliance_desk import lifecycle as lc
from ui.lifecycle.common import (ALERT_COLORS, STATE_COLORS, STATUS_COLORS, _AppPanel, _date_edit, from_qdate,
                                 translate, _WriteDialog)


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


class ObligationList(_AppPanel):
    """One alliance after its decision: state, validity, alerts, and every obligation."""

    def __init__(self, db, app_id: str, on: date | None = None, parent=None):
        super().__init__(db, app_id, parent)
        self.on = on or date.today()
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
        return self._open(RecordDialog(self.db, self.app_id, self.status.region, self.on, kind, period, text, self))
