"""Submission packages county → city: signed, checked entry by entry, imported all-or-nothing and
idempotently; every kind of damage is refused with a message that says what is wrong. The container
is alliance_desk.exchange.adpkg, the same code that reads and writes review packages and score files."""
from __future__ import annotations

import base64
import copy
import io
import json
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from alliance_desk import demo, review, store
from alliance_desk.exchange import adpkg
from alliance_desk.exchange import packages
from alliance_desk import review as rv
from alliance_desk.exchange.packages import PackageError


@pytest.fixture
def two_offices(make_db):
    """A county database with its key and recommended applications, and a city database — on each
    test backend (SQLite files; with a PostgreSQL server, two databases on it)."""
    county, city = make_db("county"), make_db("city")
    docs = [d for d in demo.demo_applications() if d["region"] == "chongqing"]
    store.import_documents(county, [("", d) for d in docs])
    packages.generate_office_key(county, "两江新区经济运行局")
    return county, city


def count(db) -> int:
    with db.Session() as s:
        return store.count_applications(s)


def export(county, tmp_path, name="p.adpkg"):
    return packages.export_package(county, tmp_path / name, "chongqing", "chongqing-2022")


def trust(county, city):
    return packages.trust_key(city, packages.public_key_text(county))


def rewrite(src, dst, change):
    """Copy a ZIP entry by entry; `change(name, data)` returns new data, None to drop, or a list of
    (name, data) to write instead."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            out = change(info.filename, zin.read(info.filename))
            if out is None:
                continue
            for name, data in (out if isinstance(out, list) else [(info.filename, out)]):
                zout.writestr(name, data)


def test_keys(two_offices):
    county, city = two_offices
    info = packages.office_key(county)
    assert info.office == "两江新区经济运行局" and len(info.fingerprint) == 64
    with pytest.raises(PackageError, match="已有签名密钥"):
        packages.generate_office_key(county, "两江新区经济运行局")
    text = packages.public_key_text(county)
    assert json.loads(text)["fingerprint"] == info.fingerprint
    trusted = packages.trust_key(city, text)
    assert trusted.fingerprint == info.fingerprint and trusted.office == info.office
    assert [k.fingerprint for k in packages.trusted_keys(city)] == [info.fingerprint]
    forged = json.loads(text)
    forged["fingerprint"] = "0" * 64
    with pytest.raises(PackageError, match="指纹与公钥不符"):
        packages.trust_key(city, json.dumps(forged))
    with pytest.raises(PackageError, match="不是有效的 JSON"):
        packages.trust_key(city, "not json")
    assert packages.untrust_key(city, info.fingerprint[:12]).office == info.office
    assert packages.trusted_keys(city) == []
    new = packages.generate_office_key(county, "两江新区经济运行局", replace=True)
    assert new.fingerprint != info.fingerprint and packages.office_key(county).fingerprint == new.fingerprint


def test_export_and_import_all_or_nothing_and_idempotent(two_offices, tmp_path):
    county, city = two_offices
    info = export(county, tmp_path)
    want = {d["id"] for d in demo.demo_applications()
            if d["region"] == "chongqing" and (d.get("recommendation") or {}).get("recommended")}
    assert set(info.application_ids) == want
    with zipfile.ZipFile(info.path) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        assert names == {"manifest.json", "manifest.sig"} | {f"applications/{i}.json" for i in want}
        assert manifest["kind"] == "submission" and manifest["format_version"] == 1
        assert manifest["sender"]["office"] == "两江新区经济运行局" and manifest["created_at"]
        for e in manifest["entries"]:
            import hashlib
            assert hashlib.sha256(z.read(e["name"])).hexdigest() == e["sha256"]
    # the city has not registered the county's key yet
    with pytest.raises(PackageError, match="未登记为可信"):
        packages.import_package(city, info.path)
    assert count(city) == 0
    trust(county, city)
    first = packages.import_package(city, info.path)
    assert set(first.created) == want and first.updated == [] and count(city) == len(want)
    with county.Session() as s, city.Session() as t:
        for i in want:
            assert store.get_document(s, i) == store.get_document(t, i)
    again = packages.import_package(city, info.path)
    assert again.created == [] and set(again.updated) == want and count(city) == len(want)
    assert again.times == 2
    assert packages.receipts(city)[0]["times"] == 2


def _damaged(tmp_path, src, how):
    dst = tmp_path / f"bad-{how}.adpkg"
    _damage(src, dst, how)
    return dst


def _damage(src, dst, how) -> None:
    """Copy the package `src` to `dst`, changed in one way (`how`) that the reader must refuse."""
    some_app = None

    def change(name, data):
        nonlocal some_app
        if how == "payload" and name.startswith("applications/") and some_app is None:
            some_app = name
            # same length, different text: only the hash can tell
            return data.replace("联盟".encode(), "联合".encode(), 1)
        if how == "manifest" and name == "manifest.json":
            return data.replace(b'"created_at": "', b'"created_at": "1')
        if how == "unsigned" and name == "manifest.sig":
            return None
        if how == "extra" and name == "manifest.sig":
            return [(name, data), (f"applications/{uuid.uuid4()}.json", b"{}")]
        if how == "dotdot" and name == "manifest.sig":
            return [(name, data), ("../evil.json", b"{}")]
        if how == "absolute" and name == "manifest.sig":
            return [(name, data), ("/etc/cron.d/evil", b"x")]
        if how == "unknown" and name == "manifest.sig":
            return [(name, data), ("readme.exe", b"MZ")]
        if how == "missing" and name.startswith("applications/") and some_app is None:
            some_app = name
            return None
        return data
    rewrite(src, dst, change)


def _sent_to_a_trusting_city(two_offices, tmp_path):
    """The county's exported package and the city office that trusts the county's key."""
    county, city = two_offices
    info = export(county, tmp_path)
    trust(county, city)
    return city, info.path


@pytest.mark.parametrize("how,message", [
    ("payload", "SHA-256 与清单不符"),
    ("manifest", "签名无效"),
    ("unsigned", "没有签名"),
    ("extra", "不在签名的清单中"),
    ("dotdot", "含 .. 路径"),
    ("absolute", "绝对路径"),
    ("unknown", "未知文件"),
    ("missing", "在包中缺失"),
])
def test_tampered_packages_are_refused(two_offices, tmp_path, how, message):
    city, sent = _sent_to_a_trusting_city(two_offices, tmp_path)
    bad = _damaged(tmp_path, sent, how)
    with pytest.raises(PackageError, match=message):
        packages.import_package(city, bad)
    assert count(city) == 0


def test_truncated_and_foreign_files_are_refused(two_offices, tmp_path):
    city, sent = _sent_to_a_trusting_city(two_offices, tmp_path)
    data = sent.read_bytes()
    cut = tmp_path / "cut.adpkg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(PackageError, match="ZIP 结构损坏或文件被截断"):
        packages.import_package(city, cut)
    text = tmp_path / "text.adpkg"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(PackageError, match="不是有效的 .adpkg"):
        packages.import_package(city, text)
    # flipped bytes inside a compressed entry: the CRC or the hash catches it
    flipped = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info_app = next(i for i in z.infolist() if i.filename.startswith("applications/"))
        at = info_app.header_offset + 30 + len(info_app.filename) + 20
    flipped[at] ^= 0xFF
    bad = tmp_path / "flipped.adpkg"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(PackageError, match="损坏|不符|无法读取"):
        packages.import_package(city, bad)
    assert count(city) == 0


def test_zip_bomb_and_size_limits(two_offices, tmp_path):
    city, sent = _sent_to_a_trusting_city(two_offices, tmp_path)
    bomb = tmp_path / "bomb.adpkg"
    rewrite(sent, bomb, lambda name, data: [(name, data)] if name != "manifest.sig" else
            [(name, data), (f"applications/{uuid.uuid4()}.json", b" " * (6 * 1024 * 1024))])
    with pytest.raises(PackageError, match="压缩比异常"):
        packages.import_package(city, bomb)
    assert count(city) == 0


def test_a_package_resigned_by_another_key_is_refused(two_offices, tmp_path):
    county, city = two_offices
    trust(county, city)
    docs = [d for d in demo.demo_applications() if d["region"] == "chongqing"][:1]
    forged = Ed25519PrivateKey.generate()
    path = tmp_path / "forged.adpkg"
    path.write_bytes(packages.build_package(docs, "两江新区经济运行局", forged, "chongqing"))
    with pytest.raises(PackageError, match="未登记为可信"):
        packages.import_package(city, path)
    # a signature made by a different key than the one named in the manifest
    good = tmp_path / "good.adpkg"
    good.write_bytes(packages.build_package(docs, "两江新区经济运行局", forged, "chongqing"))

    def swap_key(name, data):
        if name == "manifest.json":
            m = json.loads(data)
            m["sender"]["public_key"] = packages.office_key(county).public_key
            m["sender"]["key_fingerprint"] = packages.office_key(county).fingerprint
            return (json.dumps(m, ensure_ascii=False, indent=2) + "\n").encode()
        if name == "manifest.sig":
            s = json.loads(data)
            s["key_fingerprint"] = packages.office_key(county).fingerprint
            return json.dumps(s).encode()
        return data
    rewrite(good, tmp_path / "swapped.adpkg", swap_key)
    with pytest.raises(PackageError, match="签名无效"):
        packages.import_package(city, tmp_path / "swapped.adpkg")
    assert count(city) == 0


def test_invalid_or_unstorable_content_changes_nothing(two_offices, tmp_path):
    county, city = two_offices
    trust(county, city)
    from cryptography.hazmat.primitives import serialization
    from sqlalchemy import select

    from db.models_documents import OfficeKey

    with county.Session() as s:
        pem = s.scalar(select(OfficeKey.private_pem).where(OfficeKey.active.is_(True)))
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    docs = [d for d in demo.demo_applications() if d["region"] == "chongqing"][:3]
    broken = copy.deepcopy(docs[1])
    broken["members"][0]["kind"] = "company"  # not an allowed value
    path = tmp_path / "invalid.adpkg"
    path.write_bytes(packages.build_package([docs[0], broken], "两江新区经济运行局", key))
    with pytest.raises(PackageError, match=r"不符合交换格式[\s\S]*members\[0\]\.kind"):
        packages.import_package(city, path)
    assert count(city) == 0
    # valid JSON, but the second application cannot be stored: the first must not stay either
    huge = copy.deepcopy(docs[2])
    huge["members"][0]["employees"] = 2 ** 70
    path = tmp_path / "huge.adpkg"
    path.write_bytes(packages.build_package([docs[0], huge], "两江新区经济运行局", key))
    with pytest.raises(PackageError, match="数据库未作任何修改"):
        packages.import_package(city, path)
    assert count(city) == 0
    ok = tmp_path / "ok.adpkg"
    ok.write_bytes(packages.build_package(docs, "两江新区经济运行局", key))
    assert len(packages.import_package(city, ok).created) == 3


def test_signature_covers_the_exact_manifest_bytes(two_offices, tmp_path):
    county, _ = two_offices
    info = export(county, tmp_path)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    with zipfile.ZipFile(info.path) as z:
        manifest = z.read("manifest.json")
        sig = json.loads(z.read("manifest.sig"))
    pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(packages.office_key(county).public_key))
    pub.verify(base64.b64decode(sig["signature"]), manifest)  # raises if not
    assert sig["algorithm"] == "Ed25519"


# ------------------------------------------------------------------ one container for every kind

def test_one_container_reads_and_writes_submission_and_review_packages(two_offices, tmp_path, monkeypatch):
    # review and submissions use the container itself, not copies of it
    assert review.pkgmod is adpkg and packages.PackageError is adpkg.PackageError
    county, city = two_offices
    trust(county, city)
    sub = export(county, tmp_path).path
    priv, pub = adpkg.new_key()
    rev = tmp_path / "review.adpkg"
    adpkg.write_package(rev, "review", "赣州市科技局", {"review.json": b"{}"}, priv, extra={"round": "r1"})
    # the submission importer goes through the container's reader …
    real, seen = adpkg.read_package, []

    def spy(path, *args, **kwargs):
        seen.append(Path(path).name)
        return real(path, *args, **kwargs)
    monkeypatch.setattr(adpkg, "read_package", spy)
    info, docs = packages.verify_package(city, sub)
    assert seen == ["p.adpkg"] and len(docs) == len(info.application_ids) > 0
    # … and that one reader opens both kinds, with the same manifest and signature layout
    a, b = real(sub), real(rev, kind="review")
    assert (a.kind, b.kind) == ("submission", "review")
    for pkg in (a, b):
        assert pkg.manifest["format"] == "alliance-desk/package@1" and pkg.manifest["format_version"] == 1
        assert [e["name"] for e in pkg.manifest["entries"]] == list(pkg.entries)
    assert a.key_fingerprint == info.fingerprint == packages.office_key(county).fingerprint
    assert b.public_key == pub and b.json("review.json") == {} and b.manifest["round"] == "r1"
    with pytest.raises(PackageError, match="这是申报材料包，不是评审包"):
        real(sub, kind="review")
    with pytest.raises(PackageError, match="这是评审包，不是上报包"):
        packages.import_package(city, rev)
    assert count(city) == 0


def _tamper(src: Path, dst: Path, how: str) -> None:
    if how == "seal":                       # one byte of the whole-file signature in the ZIP comment
        data = bytearray(src.read_bytes())
        data[-5] = ord("A") if data[-5] != ord("A") else ord("B")
        dst.write_bytes(bytes(data))
        return
    _damage(src, dst, how)


@pytest.mark.parametrize("how,message", [
    ("payload", r"的 SHA-256 与清单不符（内容被修改）"),
    ("manifest", "签名验证失败（签名无效）"),
    ("unsigned", "没有签名"),
    ("seal", "整体签名验证失败"),
    ("dotdot", r"条目名「\.\./evil\.json」含有 \.\. 或 \."),
])
def test_tampering_is_refused_alike_by_the_submission_and_the_review_readers(two_offices, tmp_path, how, message):
    county, city = two_offices
    trust(county, city)
    sub = export(county, tmp_path).path
    with zipfile.ZipFile(sub) as z:        # the same payload in a review package, with another key
        payload = {n: z.read(n) for n in z.namelist() if n.startswith("applications/")}
    rev = tmp_path / "review.adpkg"
    adpkg.write_package(rev, "review", "赣州市科技局", payload, adpkg.new_key()[0])
    adpkg.read_package(rev, kind="review")                      # intact: accepted
    texts = []
    for src, open_file in ((sub, lambda p: packages.import_package(city, p)), (rev, rv.open_review_package)):
        bad = tmp_path / src.stem / "tampered.adpkg"
        bad.parent.mkdir()
        _tamper(src, bad, how)
        with pytest.raises((PackageError, rv.ReviewError)) as exc:
            open_file(bad)
        texts.append(str(exc.value))
    assert texts[0] == texts[1], texts
    assert re.search(message, texts[0]) and texts[0].startswith("tampered.adpkg：")
    assert count(city) == 0


def test_the_writer_never_makes_what_the_reader_refuses(tmp_path):
    priv, _ = adpkg.new_key()
    path = tmp_path / "blank.adpkg"
    # 2 MB of spaces would deflate 1000:1, a bomb to the reader: the writer stores it instead
    adpkg.write_package(path, "scores", "某专家", {"scores.json": b" " * (2 * 1024 * 1024)}, priv)
    assert len(adpkg.read_package(path).entries["scores.json"]) == 2 * 1024 * 1024
    with pytest.raises(PackageError, match=r"无法打包：条目 big\.json 过大"):
        adpkg.write_package(path, "scores", "某专家", {"big.json": b"x" * (adpkg.MAX_ENTRY_BYTES + 1)}, priv)
    with pytest.raises(PackageError, match="含有 .. 或 ."):
        adpkg.write_package(path, "scores", "某专家", {"../x.json": b"{}"}, priv)
    with pytest.raises(PackageError, match="保留名"):
        adpkg.write_package(path, "scores", "某专家", {"manifest.sig": b"{}"}, priv)
    assert not (tmp_path / "blank.adpkg.part").exists()


def test_a_hostile_manifest_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "deep.adpkg"
    for manifest, reason in ((b"[" * 5000 + b"]" * 5000, "嵌套层数过深"), (b"\xff\xfe", "无法解析"),
                             (json.dumps({"format": "alliance-desk/package@1", "format_version": 2}).encode(),
                              "更新版本"),
                             (json.dumps({"format": "alliance-desk/package@1", "format_version": True}).encode(),
                              "format_version")):
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("manifest.json", manifest)
        with pytest.raises(PackageError, match=reason):
            adpkg.read_package(path)
