"""Application forms as Word: written per region, read back by their labels, imported all or nothing.

Round trips run on SQLite and PostgreSQL; forms built with python-docx the way applicants fill them
(label variants, moved and merged rows, extra member rows, full-width digits, Chinese dates) read to
the expected application with what is doubtful flagged."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

import strategies
from alliance_desk import demo, store
from alliance_desk.forms import normalise as nz
from alliance_desk.forms import service
from alliance_desk.forms.docx_read import FormFileError, extract, soffice
from alliance_desk.forms.reader import read_form
from alliance_desk.forms.writer import write_form

pytestmark = pytest.mark.backends("sqlite", "postgresql")
ROOT = Path(__file__).resolve().parents[1]


def _import_demo(db) -> list[dict]:
    docs = demo.demo_applications()
    store.import_documents(db, [("demo", d) for d in docs])
    return docs


def _count(db) -> int:
    with db.Session() as s:
        return store.count_applications(s)


# ------------------------------------------------------------------ round trip

def test_every_demo_application_round_trips_through_its_filled_form(db, backend, tmp_path):
    docs = _import_demo(db)
    paths = []
    for i, d in enumerate(docs):
        with db.Session() as s:
            stored = store.get_document(s, d["id"])
        paths.append(write_form(stored["region"], tmp_path / f"{i}.docx", stored))
    cands = service.read_forms(db, paths)
    for d, c in zip(docs, cands):
        with db.Session() as s:
            stored = store.get_document(s, d["id"])
        assert c.problems == [], (d["name"], c.problems)
        assert service.form_view(c.doc) == service.form_view(stored), d["name"]
        assert c.existing_id == d["id"] and c.diff == []    # offered as an update of itself, nothing changed
        assert c.read.call == d["call"]
        # the only doubts are the demo's deliberately broken USCCs
        for item in c.doubts():
            assert item.key.endswith(".uscc") and "校验位" in item.doubt
    # every region's form carries the required facts
    assert {c.read.region for c in cands} == {"jinzhong", "gansu", "anshan", "ganzhou", "chongqing"}
    view = service.form_view(docs[0])
    assert {"name", "industry", "county", "submitted_at", "members[0].uscc", "members[0].kind"} <= set(view)


def _all_fields(region):
    from alliance_desk.forms.layouts import layout_for

    lay = layout_for(region)
    return lay.pair_fields() + [c for t in lay.row_tables() for c in t.columns]


def _texts(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _texts(v)
    elif isinstance(node, list):
        for v in node:
            yield from _texts(v)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(doc=strategies.applications())
def test_generated_applications_round_trip(doc, tmp_path_factory):
    names = [nz.clean(m["name"]) for m in doc["members"]]
    assume(all(names) and len(set(names)) == len(names))  # a form joins a member's tables by its name
    # a value written exactly like one of the form's labels is ambiguous on paper too
    labels = {nz.label_key(x) for f in _all_fields(doc["region"]) for x in f.labels}
    assume(not any(nz.label_key(t) in labels for t in _texts(doc)))
    out = tmp_path_factory.mktemp("gen") / "f.docx"
    write_form(doc["region"], out, doc)
    read = read_form(out)
    assert read.problems == []
    service._ensure_items(read)
    got = service.build_document(read)
    assert service.form_view(got, doc["region"]) == service.form_view(doc)


# ------------------------------------------------------------------ forms filled by people

def _cell(cell, text):
    cell.text = text


def _table(d, rows):
    t = d.add_table(rows=0, cols=max(len(r) for r in rows))
    t.style = "Table Grid"
    for r in rows:
        cells = t.add_row().cells
        for c, text in zip(cells, r):
            _cell(c, text)
    return t


def _hand_made_chongqing(path: Path, lead_uscc: str = "91500000MA74T7W47J") -> Path:
    """A Chongqing form typed by an applicant: own table order, label variants, merged cells,
    full-width digits, Chinese and dotted dates, 元 amounts, extra member rows, stray spaces."""
    from docx import Document

    d = Document()
    d.add_paragraph("重庆市产业技术创新联盟申报表")
    d.add_paragraph("2022年度重庆市产业技术创新联盟认定")
    # the lead unit's block first (moved), with variants
    t = _table(d, [["牵头单位", "重庆 两江 智行汽车科技有限公司", "社会信用代码", "９１５０００００ＭＡ７４Ｔ７Ｗ４７Ｊ"],
                   ["单位性质", "■企业 □高校", "是否市内注册", "√是 □否"],
                   ["企业类别", "☑领军企业 ☐链主企业 ☑国家级专精特新企业", "法人代表", "邵洁莹"],
                   ["上年度营业收入（元）", "1,929,300,000", "职工人数", "２７６６人"]])
    t.rows[0].cells[1].merge(t.rows[0].cells[1])
    _table(d, [["联盟名称", "重庆市智能网联汽车产业技术\n创新联盟", "", ""],
               ["技术领域", "智能网联汽车", "所在区县", "两江新区"],
               ["申报日期", "2022年5月9日 14:20", "成立日期", "2021.12.20"],
               ["科技人员总数", "１９０", "组建资金投入", "3580万元"],
               ["协议签署日期", "2022年13月5日", "有效期至", "2025-12-19"],
               ["法定代表人共同签署", "是", "成员单位盖章", "☑是 ☑否"],
               ["联盟章程", "✓是 □否", "经费管理制度", "☑是 ☐否"]])
    # merge the name's value over three cells, as applicants do
    tbl = d.tables[1]
    tbl.rows[0].cells[1].merge(tbl.rows[0].cells[3])
    d.add_paragraph("成员单位名单")
    _table(d, [["序号", "成员单位", "统一代码", "类型", "角色", "是否市内单位"],
               ["1", "重庆大学", "12100000370857271K", "高等院校", "核心", "是"],
               ["", "", "", "", "", ""],
               ["2", "重庆邮电大学", "125000007517279051", "大学", "成员", "是"],
               ["3", "重庆和信传感器有限公司", "91500102MAG1GTPF59", "企业", "一般成员", "否"],
               ["4", "成都某某研究院", "12510000ABCDEFGH1X", "研究院所", "成员", "否"]])   # extra row, bad code
    d.add_paragraph("联盟理事会组成单位及人员")
    _table(d, [["姓 名", "理事会职务", "所在单位", "职称／职务"],
               ["黄思", "理事长", "重庆两江智行汽车科技有限公司", "董事长"],
               ["朱清", "副理事长", "重庆大学", "教授"]])
    d.add_paragraph("")   # Word ends every document with a paragraph
    d.save(path)
    return path


def test_a_form_filled_by_hand_reads_by_its_labels(tmp_path):
    c = service.read_forms(None, [_hand_made_chongqing(tmp_path / "hand.docx")])[0]
    r = c.read
    assert r.region == "chongqing" and r.call == "chongqing-2022"
    v = {k: it.value for k, it in r.items.items()}
    assert v["name"] == "重庆市智能网联汽车产业技术创新联盟"     # line break inside a merged cell
    assert v["submitted_at"] == "2022-05-09T14:20" and v["established_on"] == "2021-12-20"
    assert v["tech_staff_total"] == 190 and v["investment_wan"] == 3580
    assert v["agreement.expires_on"] == "2025-12-19"
    assert v["agreement.signed_by_legal_reps"] is True and v["systems.charter"] is True
    assert v["systems.funding_management"] is True
    lead = {k.split(".", 1)[1]: it.value for k, it in r.items.items() if k.startswith("members[0].")}
    assert lead["name"] == "重庆两江智行汽车科技有限公司" and lead["role"] == "lead"     # stray spaces gone
    assert lead["uscc"] == "91500000MA74T7W47J"                                          # full-width code
    assert lead["kind"] == "enterprise" and lead["in_region"] is True and lead["employees"] == 2766
    assert lead["enterprise_class"] == ["leading", "specialized_national"]
    assert lead["revenue_wan"] == pytest.approx(192930.0)                                # 元 -> 万元
    names = [r.items[f"members[{i}].name"].value for i in range(r.counts["members"])]
    assert names == ["重庆两江智行汽车科技有限公司", "重庆大学", "重庆邮电大学", "重庆和信传感器有限公司", "成都某某研究院"]
    assert r.items["members[1].kind"].value == "university" and r.items["members[1].role"].value == "core"
    assert r.items["members[4].kind"].value == "research_institute" and r.items["members[4].in_region"].value is False
    council = [(r.items[f"organization.council[{i}].name"].value, r.items[f"organization.council[{i}].role"].value)
               for i in range(r.counts["organization.council"])]
    assert council == [("黄思", "chair"), ("朱清", "vice_chair")]
    # doubtful, not guessed
    assert r.items["agreement.signed_on"].value is None and "有效日期" in r.items["agreement.signed_on"].doubt
    assert r.items["agreement.sealed"].value is None and "都勾选" in r.items["agreement.sealed"].doubt
    assert "换算" in r.items["members[0].revenue_wan"].doubt
    assert "校验位" in r.items["members[4].uscc"].doubt
    assert r.items["agreement.signed_on"].label == "协议签署日期"
    # a required answer missing blocks saving until the clerk gives it
    assert any("成员单位盖章" in p or "sealed" in p or "盖章" in p for p in c.problems)
    c.edit("agreement.sealed", "☑是 ☐否")
    service.refresh(None, c)
    assert c.doc["agreement"]["sealed"] is True
    assert [p for p in c.problems if "盖章" in p] == []


def test_a_ganzhou_form_with_moved_rows_and_extra_member_rows(tmp_path):
    from docx import Document

    src = write_form("ganzhou", tmp_path / "gz.docx")
    d = Document(src)
    members = next(t for t in d.tables if t.rows[0].cells[1].text == "成员单位名称")
    # fill the printed rows and add two more at the end, as Word users do with Tab
    rows = [("赣州稀金科技有限公司", "91360700MA35XXXX0A"), ("江西理工大学", "12360000491015003K")]
    blank = [r for r in members.rows[1:]]
    for r, (name, code) in zip(blank, rows):
        r.cells[1].text, r.cells[2].text = name, code
    for name in ("赣州一号企业有限公司", "赣州二号企业有限公司"):
        cells = members.add_row().cells
        cells[1].text, cells[2].text = name, "91360700MA35YYYY0B"
    # move the main table's first row to the end (rows moved by the applicant)
    main = d.tables[0]
    first = main.rows[0]._tr
    main._tbl.remove(first)
    main._tbl.append(first)
    main.rows[-1].cells[1].text = "赣州市稀土永磁产业科技创新联合体"
    lead_row = next(r for r in main.rows if r.cells[0].text == "创新联合体牵头单位")
    lead_row.cells[1].text = "江西理工大学"
    d.save(tmp_path / "gz-filled.docx")
    r = read_form(tmp_path / "gz-filled.docx")
    assert r.region == "ganzhou"
    assert r.items["name"].value == "赣州市稀土永磁产业科技创新联合体"
    assert r.counts["members"] == 4
    assert [r.items[f"members[{i}].name"].value for i in range(4)] == [
        "江西理工大学", "赣州稀金科技有限公司", "赣州一号企业有限公司", "赣州二号企业有限公司"]
    assert r.items["members[0].role"].value == "lead" and r.items["members[0].uscc"].value == "12360000491015003K"


def test_blank_forms_for_every_region_say_what_they_are(tmp_path):
    for region in ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing"):
        out = write_form(region, tmp_path / f"{region}.docx")
        ex = extract(out)
        text = "\n".join(ex.paragraphs)
        if region in ("jinzhong", "gansu", "anshan"):
            assert "可替换本模板" in "".join(ex.paragraphs[:4])      # page 1 says the office may replace it
        cells = [c for t in ex.tables for row in t.rows for c in row]
        assert any("☐" in c for c in cells)
        assert read_form(out).region == region
    assert "填表说明" in "\n".join(extract(tmp_path / "ganzhou.docx").paragraphs)
    cq = [c for t in extract(tmp_path / "chongqing.docx").tables for row in t.rows for c in row]
    assert any("☐领军企业" in c and "☐市级专精特新企业" in c for c in cq)      # 企业类别 as ☐ items
    assert text


# ------------------------------------------------------------------ importing

def test_a_batch_is_all_or_nothing_and_updates_are_never_silent(db, backend, tmp_path):
    docs = _import_demo(db)
    before = _count(db)
    good = write_form("chongqing", tmp_path / "new.docx", dict(docs[-1], id="00000000-0000-4000-8000-000000000001",
                                                               name="重庆市全新产业技术创新联盟"))
    broken = _hand_made_chongqing(tmp_path / "broken.docx")            # 盖章 answered twice: a problem
    cands = service.read_forms(db, [good, broken])
    with pytest.raises(service.FormImportError) as exc:
        service.save(db, cands)
    assert any(line.startswith("broken.docx：") for line in exc.value.problems)
    assert _count(db) == before
    # an existing alliance: offered as an update with the diff; the CLI refuses without --update
    with db.Session() as s:
        stored = store.get_document(s, docs[0]["id"])
    changed = dict(stored, industry="改过的产业领域")
    form = write_form(stored["region"], tmp_path / "upd.docx", changed)
    url = db.engine.url.render_as_string(hide_password=False)
    run = [sys.executable, "-m", "cli", "form", "read", "--db", url, str(form)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    res = subprocess.run(run, capture_output=True, text=True, env=env)
    assert res.returncode == 2 and "--update" in res.stderr and "改过的产业领域" in res.stderr
    with db.Session() as s:
        assert store.get_document(s, docs[0]["id"])["industry"] == stored["industry"]
    res = subprocess.run(run + ["--update"], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    with db.Session() as s:
        after = store.get_document(s, docs[0]["id"])
    assert after["industry"] == "改过的产业领域" and _count(db) == before
    assert after["materials"] == stored["materials"] and after["recommendation"] == stored["recommendation"]
    assert [m.get("contact") for m in after["members"]] == [m.get("contact") for m in service._ordered_members(stored)]


def test_dry_run_json_shows_fields_labels_doubts_and_the_checklist(tmp_path):
    form = _hand_made_chongqing(tmp_path / "hand.docx")
    db_path = tmp_path / "d.sqlite"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-m", "cli", "form", "read", "--db", str(db_path), "--dry-run",
                          str(form)], capture_output=True, text=True, env=env)
    out = json.loads(res.stdout)
    f = out["files"][0]
    assert res.returncode == 2 and out["ok"] is False
    by_key = {x["field"]: x for x in f["fields"]}
    assert by_key["tech_staff_total"]["value"] == 190 and by_key["tech_staff_total"]["label"] == "科技人员总数"
    assert "agreement.signed_on" in f["doubtful"] and "members[4].uscc" in f["doubtful"]
    c = service.read_forms(None, [form])[0]
    c.edit("agreement.sealed", "是")
    service.refresh(None, c)
    assert c.check is not None and any(i.rule == "CQ-USCC" and i.status == "fail" for i in c.check.items)


# ------------------------------------------------------------------ hostile and legacy files

def _docx_with(tmp_path: Path, name: str, extra: dict[str, bytes], replace: dict[str, bytes] | None = None) -> Path:
    src = write_form("jinzhong", tmp_path / "base.docx")
    out = tmp_path / name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = (replace or {}).get(info.filename, zin.read(info))
            zout.writestr(info.filename, data)
        for n, data in extra.items():
            zout.writestr(n, data)
    return out


def test_hostile_documents_are_refused(tmp_path):
    macro = _docx_with(tmp_path, "macro.docx", {"word/vbaProject.bin": b"\x00" * 64})
    docm = tmp_path / "x.docm"
    docm.write_bytes(macro.read_bytes())
    doc_xml = zipfile.ZipFile(tmp_path / "macro.docx").read("word/document.xml")
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            + doc_xml.split(b"?>", 1)[1])
    entity = _docx_with(tmp_path, "entity.docx", {}, {"word/document.xml": bomb})
    big = _docx_with(tmp_path, "zipbomb.docx", {"word/media/pad.bin": b"\x00" * (40 * 1024 * 1024)})
    notzip = tmp_path / "plain.docx"
    notzip.write_text("not a word file")
    for path, words in ((macro, "宏"), (docm, "宏"), (entity, "实体"), (big, "压缩"), (notzip, "不是 Word")):
        r = read_form(path)
        assert r.items == {} and any(words in p for p in r.problems), (path.name, r.problems)
    with pytest.raises(FormFileError):
        extract(docm)


def test_external_relationships_are_never_followed(tmp_path):
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    rels = zipfile.ZipFile(write_form("gansu", tmp_path / "b.docx")).read("word/_rels/document.xml.rels")
    rels = rels.replace(b"</Relationships>", (
        f'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'attachedTemplate" Target="http://127.0.0.1:{port}/t.dotm" TargetMode="External"/></Relationships>').encode())
    path = _docx_with(tmp_path, "ext.docx", {}, {"word/_rels/document.xml.rels": rels})
    assert read_form(path).region == "jinzhong"
    with pytest.raises(socket.timeout):
        server.accept()
    server.close()


def test_legacy_doc_without_libreoffice_is_refused_with_how_to_save_as_docx(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))     # no soffice on this PATH
    legacy = tmp_path / "old.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    r = read_form(legacy)
    assert any("另存为" in p and ".docx" in p for p in r.problems)


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_forms_resaved_by_libreoffice_and_legacy_doc_read_the_same(tmp_path):
    docs = {d["region"]: d for d in demo.demo_applications()}
    paths = [write_form(r, tmp_path / f"{r}.docx", d) for r, d in docs.items()]
    hand = _hand_made_chongqing(tmp_path / "hand.docx")
    outdir = tmp_path / "lo"
    subprocess.run([soffice(), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "docx", "--outdir", str(outdir), *map(str, paths)], check=True, capture_output=True, timeout=300)
    subprocess.run([soffice(), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "doc", "--outdir", str(outdir), str(hand)], check=True, capture_output=True, timeout=300)
    for region, d in docs.items():
        read = read_form(outdir / f"{region}.docx")
        service._ensure_items(read)
        assert service.form_view(service.build_document(read)) == service.form_view(d), region
    legacy = read_form(outdir / "hand.doc")
    direct = read_form(hand)
    assert {k: i.value for k, i in legacy.items.items()} == {k: i.value for k, i in direct.items.items()}
    assert legacy.items["members[0].uscc"].value == "91500000MA74T7W47J"


def test_cli_writes_blank_and_filled_forms(tmp_path):
    db_path = tmp_path / "d.sqlite"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env)

    res = run("form", "blank", "--region", "chongqing", "--call", "chongqing-2022", "-o", str(tmp_path / "b.docx"))
    assert res.returncode == 0, res.stderr
    blank = read_form(tmp_path / "b.docx")
    assert (blank.region, blank.call) == ("chongqing", "chongqing-2022")
    assert run("form", "blank", "--region", "shanghai", "-o", str(tmp_path / "x.docx")).returncode == 2
    assert not (tmp_path / "x.docx").exists()
    from db.session import open_database

    db = open_database(db_path)
    docs = _import_demo(db)
    db.dispose()
    res = run("form", "filled", "--db", str(db_path), "--id", docs[3]["id"], "-o", str(tmp_path / "f.docx"))
    assert res.returncode == 0, res.stderr
    assert read_form(tmp_path / "f.docx").items["name"].value == docs[3]["name"]
    res = run("form", "filled", "--db", str(db_path), "--id", "00000000-0000-4000-8000-00000000dead")
    assert res.returncode == 2 and "没有" in res.stderr
