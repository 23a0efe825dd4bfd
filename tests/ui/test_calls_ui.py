"""The 申报批次 window and the pack-revision form, driven as a clerk would (pytest-qt)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from alliance_desk import store
from alliance_desk.store import audit
from alliance_desk.store import calls
from alliance_desk.exchange import packages
from alliance_desk.store import pack_versions as pv
from alliance_desk.rules.packs import all_packs
from factory import eligible, member, uscc, variant
from tests.ui.helpers import make_window


@pytest.fixture
def window(qtbot, db, settings):
    store.import_documents(db, [("", eligible(r)) for r in all_packs()])
    return make_window(qtbot, db, settings)


def test_a_2026_call_for_every_region_from_the_screens_and_an_application_through_the_wizard(qtbot, window, db):
    w = window
    assert w.act_calls in w.work_menu.actions()
    dlg = w.open_calls()
    # a deadline after the wizard's "now": the wizard stamps the submission time itself
    deadline = (datetime.now() + timedelta(days=30)).replace(hour=17, minute=0, second=0, microsecond=0)
    for region, pack in all_packs().items():
        dlg.region.setCurrentIndex(dlg.region.findData(region))
        form = dlg.open_form(None)
        form.year.setValue(2026)
        form.name.setText(f"2026年{pack.region_name}产业技术创新联盟申报")
        form.doc_no.setText(f"{pack.region_name}〔2026〕1号")
        form.deadline.setText("2026-02-30")
        save = form.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert not save.isEnabled() and "不是有效的日期" in form.problem.text()  # checked as typed
        form.deadline.setText(deadline.strftime("%Y-%m-%d %H:%M"))
        assert save.isEnabled() and form.problem.text() == ""
        assert form.save() == f"{region}-2026"
        assert dlg.selected().id == f"{region}-2026" and dlg.selected().deadline == deadline
        assert dlg.table.item(dlg.table.currentRow(), 6).text() == pack.version_label

        wiz = w.new_application()
        wiz.set_region(region)
        rp = wiz.region_page
        assert rp.call.currentData() == f"{region}-2026"  # the open call, newest, is offered first
        rp.county.setEditText("测试县")
        wiz.next()
        ap = wiz.alliance_page
        ap.name.setText(f"{pack.region_name}2026测试产业技术创新联盟")
        if ap.industry.isEditable():
            ap.industry.setEditText("先进制造")
        wiz.next()
        wiz.lead_page.lead.setText("测试牵头企业有限公司")
        wiz.lead_page.uscc.setText(uscc(1, region))
        with qtbot.waitSignal(w.applicationCreated, timeout=5000) as blocker:
            wiz.accept()
        with db.Session() as s:
            doc = store.get_document(s, blocker.args[0])
            result = store.check_stored(s, doc["id"])
        assert doc["call"] == f"{region}-2026"
        deadline_items = [i for i in result.items if pack.rule(i.rule).kind == "deadline"]
        for item in deadline_items:
            assert item.status == "pass" and deadline.strftime("%Y-%m-%d %H:%M") in item.message
        assert result.pack_version == pack.version_label
        editor = w.editor(doc["id"])
        assert w.checklist(doc["id"]).basis.text() == f"审查依据：{pack.version_label}"
        assert editor.check_result().pack_version == pack.version_label
    assert [r.action for r in audit.history(db) if r.entity == "call"] == ["add_call"] * len(all_packs())

    # close one: the wizard still lists it, after the open ones
    dlg.region.setCurrentIndex(dlg.region.findData("chongqing"))
    dlg.select("chongqing-2026")
    dlg.close_button.click()
    assert dlg.selected().closed and dlg.close_button.text() == "重新开放"
    wiz = w.new_application()
    wiz.set_region("chongqing")
    assert wiz.region_page.call.currentData() == "chongqing-2022"
    closed_at = wiz.region_page.call.findData("chongqing-2026")
    assert wiz.region_page.call.itemText(closed_at).endswith("（已关闭）")
    wiz.reject()


def test_edit_refused_once_decided_and_shown_why(qtbot, window, db):
    from alliance_desk import lifecycle

    lifecycle.decide(db, eligible("jinzhong")["id"], "recognized", date(2023, 12, 1))
    w = window
    dlg = w.open_calls()
    dlg.region.setCurrentIndex(dlg.region.findData("jinzhong"))
    dlg.select("jinzhong-2023")
    assert not dlg.edit_button.isEnabled() and "不能再修改" in dlg.hint.text()
    form = dlg.open_form(None)
    form.year.setValue(2026)
    form.deadline.setText("2026-05-30")
    form.county_deadline.setText("2026-05-01")
    assert "县区报送截止时间" in form.problem.text()
    assert not form.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()


def test_revise_the_gansu_pack_bench_save_adopt_export(qtbot, window, db, tmp_path):
    from ui.pack_version import PackVersionDialog

    call = calls.add_call(db, "gansu", name="2026年甘肃省产业联盟组建", year=2026,
                          deadline=datetime(2026, 6, 30, 17, 0))
    two = variant("gansu", "two", call=call.id, submitted_at="2026-05-06T09:30")
    two["members"] = [two["members"][0], member(2, "gansu", "university", "core")]
    store.import_documents(db, [("", two)])
    packages.generate_office_key(db, "甘肃省工业和信息化厅")

    dlg = window.open_calls()
    dlg.region.setCurrentIndex(dlg.region.findData("gansu"))
    form = dlg.open_versions()
    assert isinstance(form, PackVersionDialog)
    assert form.status.text().startswith("在「新值」一列填写") and not form.save_button.isEnabled()
    row = next(i for i, p in enumerate(form.params) if p.path == ("new_rule", "min_members"))
    assert form.table.item(row, 3).text() == "001 § 二(一)"  # the current clause, beside the new one
    form.label.setText("甘肃省 2026 年修订")
    form.notice.setText("甘工信发〔2026〕1号")
    form.set_value(("new_rule", "min_members"), "三")
    assert "新值应为整数" in form.status.text() and not form.bench_button.isEnabled()
    form.set_value(("new_rule", "min_members"), "3")
    assert "新增条件须填写新通知的条款" in form.status.text()
    form.set_value(("new_rule", "min_members"), "3", "二(一)")
    assert form.status.text().startswith("✓ 校验通过") and form.save_button.isEnabled()

    bench = form.run_bench()
    assert bench.call_id == call.id and [r.application for r in bench.rows] == [two["id"]]
    text = form.bench_view.toPlainText()
    assert "符合条件 → 不符合条件" in text and "甘工信发〔2026〕1号 § 二(一)（原 001 § 二(一)）" in text
    with db.Session() as s:
        assert store.check_stored(s, two["id"]).eligible  # nothing adopted yet

    v = form.save()
    assert v is not None and form.adopt_button.isEnabled()
    form.call_combo.setCurrentIndex(form.call_combo.findData(call.id))
    assert form.adopt()
    with db.Session() as s:
        r = store.check_stored(s, two["id"])
    assert not r.eligible and r.pack_version == "甘肃省 2026 年修订"
    out = tmp_path / "gansu.adpkg"
    assert form.export_to(str(out)) and out.stat().st_size > 0
    form.close()
    dlg.refresh(call.id)
    assert dlg.table.item(dlg.table.currentRow(), 6).text() == "甘肃省 2026 年修订"


def test_screens_render_at_1366x768(qtbot, db, tmp_path):
    """Set CALLS_SCREENSHOTS_DIR=docs/screenshots to keep them as docs/screenshots/calls-*.png."""
    import os
    from pathlib import Path

    from alliance_desk import demo
    from ui.calls import CallsDialog
    from ui.pack_version import PackVersionDialog

    out = Path(os.environ.get("CALLS_SCREENSHOTS_DIR") or tmp_path)
    store.import_documents(db, [("", d) for d in demo.demo_applications()])
    c = calls.add_call(db, "chongqing", name="2026年重庆市产业技术创新联盟认定", year=2026,
                       deadline=datetime(2026, 4, 30, 17, 0), county_deadline=datetime(2026, 5, 30, 17, 0),
                       doc_no="渝经信科技〔2026〕3号", doc_date=date(2026, 3, 20))
    dlg = CallsDialog(db, "chongqing")
    qtbot.addWidget(dlg)
    dlg.resize(1366, 768)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.select(c.id)
    shots = {"calls-list": dlg}
    form = dlg.open_form(dlg.selected())
    form.resize(1366, 768)
    shots["calls-form"] = form
    pvd = PackVersionDialog(db, "chongqing")
    qtbot.addWidget(pvd)
    pvd.resize(1366, 768)
    pvd.show()
    pvd.label.setText("重庆市 2026 年修订")
    pvd.notice.setText("渝经信科技〔2026〕3号")
    pvd.set_value(("new_rule", "min_members"), "17", "一(一)2")
    assert pvd.status.text().startswith("✓ 校验通过")
    pvd.run_bench()
    shots["calls-pack-version"] = pvd
    for name, widget in shots.items():
        path = out / f"{name}.png"
        assert widget.grab().save(str(path))
        assert path.stat().st_size > 10_000


def test_the_app_starts_beside_a_version_it_cannot_load_and_names_it(qtbot, db, tmp_path):
    from ui.main_window import MainWindow

    from db.models_calls import PackVersion

    base = pv.shipped_text("anshan").replace('kind = "uscc_valid"', 'kind = "uscc_valid_v9"')
    line = next(i for i, ln in enumerate(base.splitlines(), 1) if "uscc_valid_v9" in ln)
    with db.Session.begin() as s:
        s.add(PackVersion(id="anshan-x", region="anshan", label="手工改过的版本", notice="鞍科发〔2026〕1号",
                          format_version=1, base_text=base, changes="[]", digest="0" * 64,
                          created_at=datetime(2026, 3, 1), created_by="", source=""))
    store.import_documents(db, [("", eligible("anshan"))])
    w = MainWindow(db, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.index_ready, timeout=10000)
    label = w.broken_versions_label
    assert label.isVisible() and label.text() == "有 1 个规则包版本无法载入，未使用"
    assert f"第 {line} 行" in label.toolTip() and "uscc_valid_v9" in label.toolTip()
    assert w.model.rowCount() == 1  # the shipped packs judge as before
    with db.Session() as s:
        assert store.check_stored(s, eligible("anshan")["id"]).pack_version.startswith("鞍山市规则包（随程序发布")


def test_revise_a_version_already_in_use(qtbot, db):
    from ui.pack_version import PackVersionDialog

    v1 = pv.derive(db, "gansu", "甘肃省 2026 年修订", "甘工信发〔2026〕1号",
                   [{"path": ["new_rule", "min_members"], "value": 3, "clause": "二(一)"}])
    dlg = PackVersionDialog(db, "gansu")
    qtbot.addWidget(dlg)
    dlg.base.setCurrentIndex(dlg.base.findData(v1.id))
    row = next(i for i, p in enumerate(dlg.params) if p.path == ("rule", "GS-MIN-MEMBERS", "min"))
    assert dlg.table.item(row, 1).text() == "3" and dlg.table.item(row, 3).text() == "甘工信发〔2026〕1号 § 二(一)"
    dlg.label.setText("甘肃省 2027 年修订")
    dlg.notice.setText("甘工信发〔2027〕2号")
    dlg.set_value(("rule", "GS-MIN-MEMBERS", "min"), "4", "二(二)")
    assert dlg.status.text().startswith("✓ 校验通过")
    v2 = dlg.save()
    with db.Session() as s:
        rule = pv.load_version(s, v2.id).rule("GS-MIN-MEMBERS")
    assert rule.params["min"] == 4 and rule.replaces == "甘工信发〔2026〕1号 § 二(一)"
