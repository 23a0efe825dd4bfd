"""Every rule of every pack can be met and missed from the editor's own widgets.

Generated from the packs: one case per rule (id = rule id). Each case opens the region's factory
application in the real ApplicationEditor with the checklist attached, drives widgets to make the
rule fail, then pass, then fail again, and reads the verdict from the checklist panel. A rule of a
kind the DRIVERS table lacks fails the test, so a new kind cannot slip in unreachable; a new rule of
a known kind is covered as soon as it is in a pack.

How widgets are driven: check boxes are clicked (qtbot.mouseClick), line and text fields are typed
into (qtbot.keyClicks, ASCII values), combo boxes are chosen with the keyboard, record tables
(members, council, experts, the lead's platforms) get rows through their 添加/删除 buttons and cells
through the table model's setData — the path the cell delegate commits through. Manual rules use the
checklist's own 确认/不符合 boxes; deadlines the 提交时间 field.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit

from alliance_desk import store
from alliance_desk.rules.packs import all_packs
from alliance_desk.dates import period_end
from alliance_desk.rules import SELECTOR_FIELDS
from factory import eligible, uscc
from tests.ui.editor_helpers import editor_with_panel
from ui.checklist import StatusRole

CASES = [pytest.param(region, rule.id, id=rule.id) for region, pack in sorted(all_packs().items())
         for rule in pack.rules]


class Ctx:
    """The editor, its checklist and the helpers the drivers share."""

    def __init__(self, qtbot, editor, panel, pack):
        self.qtbot, self.editor, self.panel, self.pack = qtbot, editor, panel, pack

    # ---------------------------------------------------------------- reading
    def status(self, rule_id: str) -> str:
        idx = self.panel.index_of(rule_id)
        assert idx.isValid(), f"{rule_id} is not in the checklist"
        return idx.data(StatusRole)

    def doc(self) -> dict:
        return self.editor.doc()

    def lead_index(self) -> int:
        return next(i for i, m in enumerate(self.doc()["members"]) if m.get("role") == "lead")

    # ---------------------------------------------------------------- form fields
    def show(self, widget) -> None:
        self.editor.tabs.setCurrentIndex(self.editor.tabs.indexOf(self.editor._page_of(widget)))

    def widget(self, path: str):
        w = self.editor.widget_for(path)
        assert w is not None, f"no editor widget for {path}"
        self.show(w)
        return w

    def click(self, box: QCheckBox, want: bool) -> None:
        self.show(box) if self.editor._page_of(box) is not None else None
        if box.isChecked() != want:
            box.setFocus()
            self.qtbot.keyClick(box, Qt.Key.Key_Space)  # a click by keyboard: `clicked` like the mouse
        assert box.isChecked() == want

    def type_into(self, path: str, text: str) -> None:
        w = self.widget(path)
        w.setFocus()
        w.selectAll()
        self.qtbot.keyClick(w, Qt.Key.Key_Delete)
        if text.isascii():
            self.qtbot.keyClicks(w, text)
        else:  # Chinese arrives as an input method's commit, as from a real IME
            event = QInputMethodEvent()
            event.setCommitString(text)
            QApplication.sendEvent(w, event)
        w.clearFocus()  # editing finished

    def set_flag(self, path: str, on: bool) -> None:
        """A fact `flags_true` reads: a check box, a text, or a list (council, experts)."""
        if path in TABLE_PATHS:
            self.set_rows(path, 3 if on else 0)
            return
        w = self.widget(path)
        if isinstance(w, QCheckBox):
            self.click(w, on)
        else:
            self.type_into(path, "No. 1 Keyuan Road" if on else "")

    def choose(self, path: str, value) -> None:
        """A check box ticked or a combo box stepped by keyboard to the entry holding `value`."""
        w = self.widget(path)
        if isinstance(w, QCheckBox):
            self.click(w, bool(value))
            return
        w.setFocus()
        self.qtbot.keyClick(w, Qt.Key.Key_Home)
        while w.current_value() != value and w.currentIndex() < w.count() - 1:
            self.qtbot.keyClick(w, Qt.Key.Key_Down)
        assert self.doc().get(path) == value

    # ---------------------------------------------------------------- record tables
    def table(self, path: str):
        panel = {"members": self.editor.members_panel, "organization.council": self.editor.council_panel,
                 "organization.expert_committee": self.editor.experts_panel}[path]
        self.show(panel)
        return panel

    def set_rows(self, path: str, n: int) -> None:
        """Add (添加) or delete (select + 删除) rows until the table has `n`; the lead stays."""
        panel = self.table(path)
        model, view = panel.model, panel.view
        while model.rowCount() < n:
            view.setCurrentIndex(model.index(model.rowCount() - 1, 1) if model.rowCount() else model.index(-1, -1))
            self.qtbot.mouseClick(panel.btn_add, Qt.MouseButton.LeftButton)
            view.closePersistentEditor(view.currentIndex())
            view.setFocus()
        if model.rowCount() > n:
            keep_lead = path == "members"
            drop = [r for r in range(model.rowCount() - 1, -1, -1)
                    if not (keep_lead and model.rows()[r].get("role") == "lead")][:model.rowCount() - n]
            view.clearSelection()
            for r in drop:
                view.selectionModel().select(model.index(r, 1), QItemSelectionModel.SelectionFlag.Select
                                             | QItemSelectionModel.SelectionFlag.Rows)
            self.qtbot.mouseClick(panel.btn_delete, Qt.MouseButton.LeftButton)
        assert model.rowCount() == n

    def set_cell(self, row: int, key: str, value, path: str = "members") -> None:
        model = self.table(path).model
        idx = model.index(row, model.column_of(key))
        if isinstance(value, bool):
            model.setData(idx, Qt.CheckState.Checked if value else Qt.CheckState.Unchecked,
                          Qt.ItemDataRole.CheckStateRole)
        else:
            model.setData(idx, value, Qt.ItemDataRole.EditRole)

    def members(self) -> list[dict]:
        return self.doc()["members"]


TABLE_PATHS = ("organization.council", "organization.expert_committee")


# ------------------------------------------------------------------ drivers per kind: (fail, pass)

def _count_target(p: dict, met: bool) -> int:
    lo, hi = p.get("min"), p.get("max")
    if met:
        return lo if lo is not None else hi
    return lo - 1 if lo is not None else hi + 1


def drive_count(c: Ctx, p: dict, met: bool) -> None:
    n = _count_target(p, met)
    of = p["of"]
    if of == "members":
        c.set_rows("members", n)
    elif of in ("council", "expert_committee"):
        c.set_rows(SELECTOR_FIELDS[of], n)
    elif of in ("secretariat_staff", "tech_staff_total"):
        if of == "secretariat_staff":
            c.click(c.widget("organization.secretariat"), True)
        c.type_into(SELECTOR_FIELDS[of], str(n))
    elif of == "core_members":
        # roles in the member table: the lead plus n-1 core members
        others = [i for i, m in enumerate(c.members()) if m.get("role") != "lead"]
        for k, i in enumerate(others):
            c.set_cell(i, "role", "core" if k < n - 1 else "member")
    elif of in ("enterprises", "universities_or_institutes"):
        kinds = ("enterprise",) if of == "enterprises" else ("university", "research_institute")
        have = [i for i, m in enumerate(c.members()) if m.get("kind") in kinds]
        rest = [i for i, m in enumerate(c.members()) if m.get("kind") not in kinds]
        for i in have[n:]:
            c.set_cell(i, "kind", "other")
        for i in rest[:max(0, n - len(have))]:
            c.set_cell(i, "kind", kinds[0])
    else:
        pytest.fail(f"no driver for the count selector {of!r}")


def drive_flags(c: Ctx, p: dict, met: bool) -> None:
    if met:
        for f in p["fields"]:
            if f.startswith("organization.secretariat."):
                c.set_flag("organization.secretariat", True)
            c.set_flag(f, True)
    else:
        c.set_flag(p["fields"][0], False)


def drive_has_kind(c: Ctx, p: dict, met: bool) -> None:
    lead = c.lead_index()
    others = [i for i in range(len(c.members())) if i != lead]
    if met:  # one member of every group
        for k, group in enumerate(p["groups"]):
            c.set_cell(others[k], "kind", group[0])
    else:  # nobody of the last group
        for i, m in enumerate(c.members()):
            if m.get("kind") in p["groups"][-1]:
                c.set_cell(i, "kind", "other")


def drive_lead_in_region(c: Ctx, p: dict, met: bool) -> None:
    c.set_cell(c.lead_index(), "in_region", met)


def drive_lead_platform(c: Ctx, p: dict, met: bool) -> None:
    lead_panel = c.editor.lead_panel
    assert lead_panel is not None and lead_panel.platform_panel.isVisibleTo(lead_panel)
    c.show(lead_panel)
    table = lead_panel.platform_panel
    if met:
        c.qtbot.mouseClick(table.btn_add, Qt.MouseButton.LeftButton)
        table.view.closePersistentEditor(table.view.currentIndex())
        row = table.model.rowCount() - 1
        table.model.setData(table.model.index(row, table.model.column_of("name")), "R&D Center")
        table.model.setData(table.model.index(row, table.model.column_of("level")), p["levels"][0])
    else:
        while table.model.rowCount():
            table.view.selectAll()
            c.qtbot.mouseClick(table.btn_delete, Qt.MouseButton.LeftButton)


def drive_lead_class(c: Ctx, p: dict, met: bool) -> None:
    lead_panel = c.editor.lead_panel
    assert lead_panel is not None and lead_panel.class_box.isVisibleTo(lead_panel)
    c.show(lead_panel)
    for code, box in lead_panel.class_checks.items():
        c.click(box, met and code == p["classes"][0])


def drive_agreement_years(c: Ctx, p: dict, met: bool) -> None:
    sub = date.fromisoformat(c.doc()["submitted_at"][:10])
    need = period_end(sub, p["years"])
    c.type_into("agreement.expires_on", (need if met else need - timedelta(days=1)).isoformat())


def drive_industry(c: Ctx, p: dict, met: bool) -> None:
    if isinstance(c.widget("industry"), QLineEdit):  # typed text where the list admits sub-items (003 § 附件1)
        c.type_into("industry", c.pack.industries[0].name if met else "")
        assert (c.doc().get("industry") in {i.name for i in c.pack.industries}) == met
        return
    combo = c.widget("industry")
    combo.setFocus()
    c.qtbot.keyClick(combo, Qt.Key.Key_Home)  # （请选择）: no industry
    if met:
        c.qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert (c.doc().get("industry") in {i.name for i in c.pack.industries}) == met


def drive_deadline(c: Ctx, p: dict, met: bool) -> None:
    call = next(x for x in c.pack.calls if x.id == c.doc()["call"])
    deadline = call.deadline or call.county_deadline  # Chongqing's notice dates only the district's
    when = deadline - timedelta(days=1) if met else deadline + timedelta(minutes=1)
    c.type_into("submitted_at", when.strftime("%Y-%m-%d %H:%M"))


def drive_all_members(c: Ctx, p: dict, met: bool) -> None:
    kinds = p.get("kinds")
    rows = [i for i, m in enumerate(c.members()) if not kinds or m.get("kind") in kinds]
    positive = p.get("test", "true") != "true"
    for i in (rows if met else rows[:1]):
        if positive:
            c.set_cell(i, p["field"], "150" if met else "0")
        else:
            c.set_cell(i, p["field"], met)


def drive_uscc(c: Ctx, p: dict, met: bool) -> None:
    i = c.lead_index() if p.get("of") == "lead" else len(c.members()) - 1
    c.set_cell(i, "uscc", uscc(900 + i, c.pack.id, valid=met))


def drive_materials(c: Ctx, p: dict, met: bool) -> None:
    for path, value in (p.get("when") or {}).items():  # make the rule apply (e.g. a former 试点 asking for 示范)
        c.choose(path, value)
    rows = c.editor.materials_editor.rows
    for code in (p["codes"] if met else p["codes"][:1]):
        box = rows[code]["received"]
        c.show(c.editor.materials_editor)
        c.click(box, met)
        spec = rows[code]["spec"]
        if met and spec.min_copies:
            need = len(c.members()) if spec.min_copies == "members" else spec.min_copies
            spin = rows[code]["copies"]
            spin.setFocus()
            spin.selectAll()
            c.qtbot.keyClicks(spin, str(need))
            spin.clearFocus()


def drive_on_or_before(c: Ctx, p: dict, met: bool) -> None:
    sub = date.fromisoformat(c.doc()["submitted_at"][:10])
    c.type_into(p["field"], (sub - timedelta(days=30) if met else sub + timedelta(days=1)).isoformat())


def drive_exempt(c: Ctx, p: dict, met: bool) -> None:
    c.set_flag(p["field"], met)
    if p.get("date_field"):  # exempt only when recognised before the cut-off day
        c.type_into(p["date_field"], (p["before"] - timedelta(days=1)).isoformat())


def drive_manual(c: Ctx, p: dict, met: bool, rule_id: str = "") -> None:
    box = c.panel.confirm_box(rule_id) if met else c.panel.not_met_box(rule_id)
    assert box is not None, f"{rule_id} has no confirm control"
    c.qtbot.mouseClick(box, Qt.MouseButton.LeftButton)


def drive_all_of(c: Ctx, p: dict, met: bool) -> None:
    for sub in (p["checks"] if met else p["checks"][:1]):
        DRIVERS[sub["kind"]](c, sub, met)


DRIVERS = {
    "min_count": drive_count, "max_count": drive_count, "range": drive_count,
    "has_kind": drive_has_kind, "lead_in_region": drive_lead_in_region,
    "lead_platform_level": drive_lead_platform, "agreement_years": drive_agreement_years,
    "flags_true": drive_flags, "industry_in_list": drive_industry, "deadline": drive_deadline,
    "all_members": drive_all_members, "uscc_valid": drive_uscc, "materials": drive_materials,
    "manual": drive_manual, "on_or_before_submission": drive_on_or_before,
    "lead_enterprise_class": drive_lead_class, "exempt_if": drive_exempt, "all_of": drive_all_of,
}
# what the checklist says when the rule is not met: its own status, except exempt_if ("does not
# apply") and manual (confirmed as not met reports fail)
UNMET = {"exempt_if": "na", "manual": "fail"}


def test_every_kind_has_a_driver():
    from alliance_desk.rules import KINDS

    assert set(KINDS) == set(DRIVERS)


@pytest.mark.parametrize("region, rule_id", CASES)
def test_rule_can_be_met_and_missed_in_the_editor(qtbot, db, region, rule_id):
    pack = all_packs()[region]
    rule = pack.rule(rule_id)
    editor, panel, doc = editor_with_panel(qtbot, db, region, user="王科长", size=(1100, 720), wait_for="editor")
    c = Ctx(qtbot, editor, panel, pack)
    drive = DRIVERS[rule.kind]
    if rule.kind == "manual":
        def drive(c, p, met):  # noqa: F811 - the confirm control needs the rule id
            drive_manual(c, p, met, rule_id)
    unmet = UNMET.get(rule.kind, rule.status)
    for met in (False, True, False):
        drive(c, rule.params, met)
        want = "pass" if met else unmet
        assert c.status(rule_id) == want, (rule_id, met, next(i for i in panel.result().items if i.rule == rule_id))
    # what the checklist showed is what the stored application is judged to be
    assert editor.flush()
    with db.Session() as s:
        stored = {i.rule: i.status for i in store.check_stored(s, doc["id"]).items}
    assert stored[rule_id] == unmet


def test_lead_facts_follow_the_pack_and_undo_like_any_field(qtbot, db):
    from ui.editor import ApplicationEditor

    shown = {}
    for region in sorted(all_packs()):
        doc = eligible(region)
        store.import_documents(db, [("", doc)])
        editor = ApplicationEditor(db, doc["id"])
        qtbot.addWidget(editor)
        shown[region] = editor.lead_panel is not None
        if region == "chongqing":
            lead_panel = editor.lead_panel
            table = lead_panel.platform_panel
            assert table.model.rowCount() == 1 and lead_panel.class_checks["specialized_national"].isChecked()
            table.view.selectAll()
            qtbot.mouseClick(table.btn_delete, Qt.MouseButton.LeftButton)
            assert editor.doc()["members"][0]["platforms"] == []
            editor.undo_action.trigger()  # one Ctrl+Z brings the platform back, in the panel too
            assert editor.doc()["members"][0]["platforms"] == doc["members"][0]["platforms"]
            assert table.model.rowCount() == 1
            # the lead moves to another member: the panel follows it
            editor.member_model.setData(editor.member_model.index(0, editor.member_model.column_of("role")), "member")
            editor.member_model.setData(editor.member_model.index(1, editor.member_model.column_of("role")), "lead")
            assert table.model.rowCount() == 0 and doc["members"][1]["name"] in lead_panel.lead_label.text()
    # only the packs whose rules read the lead's platforms or classes (重庆, 赣州; 晋中's 龙头/链主
    # priority, 000 § 三(二)) show the panel
    assert shown == {"anshan": False, "chongqing": True, "gansu": False, "ganzhou": True, "jinzhong": True}
