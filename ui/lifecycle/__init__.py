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

from ui.lifecycle.common import ALERT_COLORS, STATE_COLORS, STATUS_COLORS, from_qdate, to_qdate
from ui.lifecycle.dashboard import Dashboard
from ui.lifecycle.obligations import ObligationList, ObligationModel, RecordDialog
from ui.lifecycle.procedure import DecisionDialog, StageBar, StageDialog, StageStrip

__all__ = ["ALERT_COLORS", "STATE_COLORS", "STATUS_COLORS", "Dashboard", "DecisionDialog", "ObligationList",
           "ObligationModel", "RecordDialog", "StageBar", "StageDialog", "StageStrip", "from_qdate", "to_qdate"]
