"""Hostile files against every importer: the hand-made corpus in tests/data/hostile/ (made by
tests/data/make_hostile.py), oversized inputs made here, hypothesis fuzzing of bytes and content,
and single-byte flips sampled across a signed package and a signed score file.

Every refusal is the importer's own error with a message that names the problem; nothing else
escapes (no traceback), and the database is byte-for-byte unchanged in content (every table's rows).
"""
from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from alliance_desk import exchange, store
from alliance_desk.exchange import member_excel
from alliance_desk.exchange import packages
from alliance_desk.exchange import safety
from alliance_desk import review as rv
from alliance_desk.exchange import adpkg as rp
from alliance_desk.review import score_sheets as ss
from factory import eligible

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
FUZZ = settings(max_examples=80, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
# what a refusal message may say; each message must name its problem with one of these
REASON = re.compile(r"损坏|不符|签名|截断|无效|不是|缺少|拒绝|不允许|未知|过大|压缩比|格式|不完整|不受支持|不支持|加密|重复|"
                    r"超过|过深|过长|不在|未列入|绝对路径|反斜杠|\.\.|编码|应为|缺失|不能|更新版本|未登记|找不到|没有|控制字符|空文件名|空字符|无法读取|无法解析|过多|不应|回避|未分配|不属于|不予")


def state(db) -> list:
    """Every row of every table (the audit trail included): equal states mean nothing changed."""
    con = sqlite3.connect(db.engine.url.database)
    try:
        out = []
        for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
            out.append((t, sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall()))))
        return out
    finally:
        con.close()


def counts(db) -> dict:
    con = sqlite3.connect(db.engine.url.database)
    try:
        return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


# ------------------------------------------------------------------ the corpus

def _import_json(db, path):
    store.import_files(db, [path])


def _import_package(db, path):
    packages.import_package(db, path)


def _import_score(db, path):
    if "review" in path.name:
        rv.open_review_package(path)
    else:
        rv.import_file(db, path)


def _read_members(db, path):
    sheet = member_excel.read_members(path)
    if sheet.problems:
        raise member_excel.MemberExcelError(sheet.problems)
    raise AssertionError(f"{path.name} was accepted as a member list")


def _read_sheet(db, path):
    ss.import_sheet(db, path)


JSON_EXPECT = {
    "truncated.json": "JSON 格式错误", "gbk.json": "不是 UTF-8 编码", "utf16.json": "不是 UTF-8 编码",
    "deep_nesting.json": "嵌套层数过深", "deep_object.json": "嵌套层数过深", "huge_integer.json": "数字位数过多",
    "lone_surrogate.json": "name: 含有无效的 Unicode 字符", "duplicate_keys.json": "重复的键",
    "nan.json": "NaN", "not_an_object.json": "应为对象", "empty.json": "JSON 格式错误",
    "binary.json": "不是 UTF-8 编码", "wrong_type.json": "goals: 应为字符串", "bad_id.json": "不是有效的 UUID",
}
ADPKG_EXPECT = {
    "truncated.adpkg": "ZIP 结构损坏或文件被截断", "truncated_tail.adpkg": "没有整体签名",
    "empty.adpkg": "ZIP 结构损坏", "not_a_zip.adpkg": "不是有效的 .adpkg", "unsealed.adpkg": "没有整体签名",
    "bad_seal.adpkg": "整体签名验证失败", "dotdot.adpkg": r"含 \.\. 路径", "absolute.adpkg": "绝对路径",
    "backslash.adpkg": "反斜杠", "drive.adpkg": "绝对路径", "bomb.adpkg": "压缩比异常",
    "unsigned.adpkg": "没有签名", "bad_signature.adpkg": "签名无效", "untrusted_key.adpkg": "未登记为可信",
    "digest_mismatch.adpkg": "SHA-256 与清单不符", "newer_format.adpkg": "更新版本",
    "wrong_kind.adpkg": "不是上报包", "deep_application.adpkg": "嵌套层数超过",
    "invalid_application.adpkg": "缺少必填字段", "encrypted_flag.adpkg": "已加密",
    "unknown_method.adpkg": "不支持的压缩方式", "lying_size.adpkg": "损坏|不符",
}
SCORES_EXPECT = {
    "truncated.adpkg": "ZIP 结构损坏或文件被截断", "unsealed.adpkg": "没有整体签名", "dotdot.adpkg": r"\.\.",
    "bomb.adpkg": "压缩比异常", "encrypted_flag.adpkg": "已加密", "deep_json.adpkg": "嵌套层数过深",
    "long_string.adpkg": "文本过长", "wrong_types.adpkg": "内容不完整|不在本数据库", "not_json.adpkg": "不是有效的 JSON",
    "review_incomplete.adpkg": "评审包内容不完整", "review_wrong_types.adpkg": "评审包内容不完整",
}
XLSX_EXPECT = {
    "billion_laughs.xlsx": "文档类型声明", "xxe.xlsx": "文档类型声明", "utf16_doctype.xlsx": "文档类型声明",
    "workbook_laughs.xlsx": "文档类型声明", "bomb.xlsx": "压缩比异常", "dotdot.xlsx": r"\.\. 路径",
    "truncated.xlsx": "不是|Excel", "not_xlsx.xlsx": "不是", "crc_error.xlsx": "已损坏",
    "encrypted_flag.xlsx": "已加密",
}
CORPUS = ([("json/" + n, _import_json, (exchange.ApplicationFormatError,), m) for n, m in JSON_EXPECT.items()]
          + [("adpkg/" + n, _import_package, (packages.PackageError,), m) for n, m in ADPKG_EXPECT.items()]
          + [("scores/" + n, _import_score, (rv.ReviewError,), m) for n, m in SCORES_EXPECT.items()]
          + [("xlsx/" + n, _read_members, (member_excel.MemberExcelError,), m) for n, m in XLSX_EXPECT.items()]
          + [("xlsx/" + n, _read_sheet, (rv.ReviewError,), m) for n, m in XLSX_EXPECT.items()])


def test_corpus_is_complete_and_small():
    files = {str(p.relative_to(HOSTILE)) for p in HOSTILE.rglob("*") if p.is_file()}
    named = {name for name, *_ in CORPUS} | {"sender.pub.json"}
    assert files == named, "make_hostile.py and this test must name the same files"
    assert sum((HOSTILE / f).stat().st_size for f in files) < 400_000


@pytest.fixture
def city(db):
    packages.trust_key(db, (HOSTILE / "sender.pub.json").read_text(encoding="utf-8"))
    return db


@pytest.mark.parametrize("name,importer,errors,message", CORPUS, ids=[f"{c[1].__name__}:{c[0]}" for c in CORPUS])
def test_hostile_corpus_is_refused_with_the_reason_and_no_change(city, name, importer, errors, message):
    before = state(city)
    with pytest.raises(errors) as exc:
        importer(city, HOSTILE / name)
    text = str(exc.value)
    assert re.search(message, text), text
    assert "Traceback" not in text
    assert state(city) == before


def test_openpyxl_itself_parses_with_defusedxml(tmp_path):
    """The second line behind the DOCTYPE scan: openpyxl refuses the entity bomb on its own."""
    from openpyxl import load_workbook

    assert safety.defused_xml()
    with pytest.raises(Exception) as exc:
        wb = load_workbook(HOSTILE / "xlsx" / "billion_laughs.xlsx", read_only=True)
        list(wb.worksheets[0].iter_rows(values_only=True))
    chain, e = [], exc.value
    while e is not None:
        chain.append(type(e).__module__)
        e = e.__cause__ or e.__context__
    assert any(m.startswith("defusedxml") for m in chain), chain


# ------------------------------------------------------------------ oversized inputs (made here)

def test_oversized_json_file_and_fields_are_refused(db, tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.write(b" " * (safety.MAX_JSON_BYTES + 1))
    with pytest.raises(exchange.ApplicationFormatError, match="文件过大"):
        store.import_files(db, [big])
    doc = eligible("chongqing")
    doc["goals"] = "技" * (safety.MAX_STRING_CHARS + 1)
    long = tmp_path / "long.json"
    exchange.write_file(doc, long)
    with pytest.raises(exchange.ApplicationFormatError, match=r"goals: 文本过长（100001 个字符"):
        store.import_files(db, [long])
    doc["goals"] = "技" * safety.MAX_STRING_CHARS           # exactly at the limit: accepted
    exchange.write_file(doc, long)
    assert store.import_files(db, [long]).created == [doc["id"]]


def test_oversized_excel_and_long_cells_are_refused(db, tmp_path):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as fh:
        fh.write(b"PK" + b"\0" * (safety.MAX_XLSX_BYTES + 1))
    with pytest.raises(member_excel.MemberExcelError, match="过大"):
        member_excel.read_members(big)
    with pytest.raises(rv.ReviewError, match="上限|过大"):
        ss.read_sheet(big)
    rows = [[1, "甲" * (safety.MAX_STRING_CHARS + 5), "91500000MA5U7AAA1X", "企业", "牵头单位", "是"]]
    path = tmp_path / "long.xlsx"
    member_excel.write_members([], path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    sheet = member_excel.read_members(path)
    # a cell holds at most Excel's 32,767 characters when read back: never an unbounded field
    assert all(len(m["name"]) <= 32767 for m in sheet.members)
    assert safety.tree_problem([{"name": "甲" * (safety.MAX_STRING_CHARS + 1)}]) == \
        "[0].name: 文本过长（100001 个字符，上限 100000）"


# ------------------------------------------------------------------ fuzzing: application JSON

@FUZZ
@given(st.binary(max_size=3000))
def test_fuzz_parse_text_bytes(data):
    try:
        doc = exchange.parse_text(data, "fuzz.json")
    except exchange.ApplicationFormatError as exc:
        assert exc.problems and all(p.startswith("fuzz.json: ") for p in exc.problems)
    else:
        assert isinstance(doc, dict)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    from db.session import open_database

    database = open_database(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite")
    yield database
    database.dispose()


BASE_DOC = eligible("chongqing")
BASE_PATHS = list(_paths(BASE_DOC))


@FUZZ
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=len(BASE_PATHS) - 1), JSON_VALUES), min_size=1,
                max_size=3),
       st.booleans())
def test_fuzz_document_content_imports_whole_or_not_at_all(fuzz_db, changes, drop):
    doc = json.loads(json.dumps(BASE_DOC))
    for index, value in changes:
        path = BASE_PATHS[index]
        if not path:
            continue
        node = doc
        try:
            for key in path[:-1]:
                node = node[key]
            if drop and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    text = json.dumps(doc, ensure_ascii=False)
    before = counts(fuzz_db)
    try:
        parsed = exchange.parse_text(text, "fuzz.json")
        store.import_documents(fuzz_db, [("fuzz.json", parsed)])
    except exchange.ApplicationFormatError as exc:
        assert exc.problems and all(REASON.search(p) or ": " in p for p in exc.problems)
        assert counts(fuzz_db) == before
    except store.StoreError as exc:
        assert REASON.search(str(exc)) or "超出" in str(exc)
        assert counts(fuzz_db) == before


# ------------------------------------------------------------------ fuzzing and flips: packages

@pytest.fixture(scope="module")
def offices(tmp_path_factory):
    """A county that signs, a city that trusts it, one valid package (bytes), and a signed score file
    issued by the city for a review round (bytes)."""
    from db.session import open_database

    from test_review import build, fill_drafts

    tmp = tmp_path_factory.mktemp("offices")
    county = open_database(tmp / "county.sqlite")
    city = open_database(tmp / "city.sqlite")
    laptop = open_database(tmp / "laptop.sqlite")
    docs = [eligible("chongqing")]
    store.import_documents(county, [("", d) for d in docs])
    packages.generate_office_key(county, "两江新区经济运行局")
    packages.trust_key(city, packages.public_key_text(county))
    pkg_path = packages.export_package(county, tmp / "p.adpkg", "chongqing", "chongqing-2022", ids=[docs[0]["id"]]).path
    sc = build(city)
    review_path = rv.export_review_package(city, sc.round_id, sc.experts["E3"], tmp / "E3.adpkg")
    pkg = rv.open_review_package(review_path)
    fill_drafts(laptop, pkg, sc)
    score_path = rv.export_score_file(laptop, pkg, tmp / "E3-scores.adpkg")
    yield {"county": county, "city": city, "package": pkg_path.read_bytes(), "scores": score_path.read_bytes(),
           "review": pkg, "sc": sc, "tmp": tmp}
    for d in (county, city, laptop):
        d.dispose()


def _positions(n: int, count: int = 200) -> list[int]:
    """`count` positions spread over the whole file, the first and last bytes included."""
    step = max(1, (n - 1) / (count - 1))
    return sorted({min(n - 1, round(i * step)) for i in range(count)} | {0, 1, n - 2, n - 1})


def _every_flip_refused(offices, key: str, name: str, load, error) -> None:
    """Each of the spread-out bytes of a signed file, flipped, gets the file refused with a reason;
    the city's data stays as it was."""
    city, data, tmp = offices["city"], offices[key], offices["tmp"]
    before = state(city)
    bad = tmp / name
    for pos in _positions(len(data)):
        flipped = bytearray(data)
        flipped[pos] ^= 0xFF
        bad.write_bytes(bytes(flipped))
        with pytest.raises(error) as exc:
            load(city, bad)
        assert REASON.search(str(exc.value)), (pos, str(exc.value))
    assert state(city) == before


def test_every_byte_of_a_signed_package_matters(offices):
    city, data, tmp = offices["city"], offices["package"], offices["tmp"]
    assert len(_positions(len(data))) >= 200
    _every_flip_refused(offices, "package", "flipped.adpkg", packages.import_package, packages.PackageError)
    good = tmp / "good.adpkg"
    good.write_bytes(data)
    assert len(packages.import_package(city, good).created) == 1     # the unflipped file is fine


def test_every_byte_of_a_signed_score_file_matters(offices):
    _every_flip_refused(offices, "scores", "flipped-scores.adpkg", rv.import_file, rv.ReviewError)


MUTATIONS = st.lists(st.tuples(st.floats(min_value=0, max_value=1), st.integers(min_value=0, max_value=255)),
                     min_size=1, max_size=4)


def _mutate(data: bytes, edits, cut: float | None, junk: bytes) -> bytes:
    out = bytearray(data)
    for where, value in edits:
        out[min(len(out) - 1, int(where * len(out)))] = value
    if cut is not None:
        out = out[: int(cut * len(out))]
    return bytes(out) + junk


def _refused_unchanged(offices, key: str, name: str, load, error, edits, cut, junk) -> None:
    """Mutated bytes of a known-good file are refused with a reason, and the city's data stays as it was."""
    city, data, tmp = offices["city"], offices[key], offices["tmp"]
    mutated = _mutate(data, edits, cut, junk)
    assume(mutated != data)
    path = tmp / name
    path.write_bytes(mutated)
    before = counts(city)
    with pytest.raises(error) as exc:
        load(city, path)
    assert REASON.search(str(exc.value)), str(exc.value)
    assert counts(city) == before


@FUZZ
@given(MUTATIONS, st.none() | st.floats(min_value=0, max_value=1), st.binary(max_size=8))
def test_fuzz_package_bytes(offices, edits, cut, junk):
    _refused_unchanged(offices, "package", "fuzz.adpkg", packages.import_package, packages.PackageError,
                       edits, cut, junk)


@FUZZ
@given(MUTATIONS, st.none() | st.floats(min_value=0, max_value=1), st.binary(max_size=8))
def test_fuzz_score_file_bytes(offices, edits, cut, junk):
    _refused_unchanged(offices, "scores", "fuzz-scores.adpkg", rv.import_file, rv.ReviewError, edits, cut, junk)


@FUZZ
@given(st.dictionaries(st.sampled_from(["format", "round", "expert", "template", "submitted_at", "scores",
                                        "conflicts"]), JSON_VALUES, max_size=7),
       st.lists(st.dictionaries(st.sampled_from(["application", "points", "comment", "comments", "suggested",
                                                 "reason"]), JSON_VALUES, max_size=6), max_size=3))
def test_fuzz_score_file_content_signed_with_the_issued_key(offices, payload, scores):
    """A malicious expert holds the key: whatever the signed content, no traceback, no partial write."""
    city, pkg, tmp = offices["city"], offices["review"], offices["tmp"]
    real = {"format": rv.SCORES_FORMAT, "round": pkg.round_id, "expert": pkg.expert_id,
            "template": pkg.template.id, "scores": scores, "conflicts": []}
    body = {**real, **{k: v for k, v in payload.items() if k not in ("format", "round", "expert")}}
    path = tmp / "content.adpkg"
    rp.write_package(path, "scores", "fuzz", {"scores.json": json.dumps(body, ensure_ascii=False).encode()},
                     pkg.private_key, extra={"round": pkg.round_id, "expert": pkg.expert_id})
    before = counts(city)
    try:
        rv.import_file(city, path)
    except rv.ReviewError as exc:
        assert str(exc)
        assert counts(city) == before


# ------------------------------------------------------------------ fuzzing: Excel

@pytest.fixture(scope="module")
def member_xlsx(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "members.xlsx"
    member_excel.write_members(eligible("ganzhou")["members"], path, title="成员名单")
    return path.read_bytes()


@FUZZ
@given(MUTATIONS, st.none() | st.floats(min_value=0.3, max_value=1))
def test_fuzz_excel_bytes(member_xlsx, tmp_path_factory, edits, cut):
    path = tmp_path_factory.getbasetemp() / "fuzz.xlsx"
    path.write_bytes(_mutate(member_xlsx, edits, cut, b""))
    try:
        sheet = member_excel.read_members(path)
        assert isinstance(sheet, member_excel.MemberSheet)
    except member_excel.MemberExcelError as exc:
        assert exc.problems and REASON.search(exc.problems[0]), exc.problems
    try:
        ss.read_sheet(path)
    except rv.ReviewError as exc:
        assert REASON.search(str(exc)), str(exc)


CELLS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20) | \
    st.sampled_from(["是", "否", "企业", "高校", "牵头单位", "核心成员", "=1+1", "1,234", "-3", "  ", "\t"])


@FUZZ
@given(st.lists(st.lists(CELLS, max_size=15), max_size=12))
def test_fuzz_member_rows(rows):
    header = tuple(member_excel.COLUMNS)
    sheet = member_excel.parse_rows([header] + [tuple(r) for r in rows], "fuzz.xlsx")
    assert isinstance(sheet, member_excel.MemberSheet)
    assert all(isinstance(p, str) and p.startswith("fuzz.xlsx") for p in sheet.problems)


def test_a_zip_with_too_many_entries_is_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(safety.MAX_XLSX_ENTRIES + 1):
            z.writestr(f"x/{i}.bin", b"")
    with pytest.raises(member_excel.MemberExcelError, match="条目过多"):
        member_excel.read_members(path)
    buf = io.BytesIO()
    assert safety.entry_name_problem("a/../../b") and safety.entry_name_problem("/etc/passwd")
    assert safety.entry_name_problem("C:\\x") and safety.entry_name_problem("a\x00b")
    assert safety.entry_name_problem("applications/x.json") is None
    del buf
