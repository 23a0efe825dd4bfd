"""Make the corpus of hand-made hostile files in tests/data/hostile/ (committed with this script).

    python tests/data/make_hostile.py          # rewrites tests/data/hostile/

Each file attacks one importer in one way; tests/test_hostile.py names the importer and the
refusal it expects for every file. Files stay small (the decompression bombs are a few kB on disk):
oversized inputs (a 20 MB JSON file, a 100,000-character string) are made by the test itself.

- json/     application JSON (exchange.read_file / store.import_files)
- adpkg/    submission packages (packages.import_package), signed with the corpus key whose public
            key is sender.pub.json (the test registers it as trusted, so checks after the signature
            are reached)
- scores/   score files and review packages (review.import_score_file / open_review_package)
- xlsx/     member lists and score sheets (member_excel.read_members / score_sheets.read_sheet)
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import struct
import sys
import uuid
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "hostile"
sys.path.insert(0, str(HERE.parent))            # tests/ (factory)
sys.path.insert(0, str(HERE.parent.parent))     # the repository (alliance_desk)

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from alliance_desk import exchange
from alliance_desk.exchange import packages
from alliance_desk.exchange import safety  # noqa: E402
from alliance_desk.exchange import adpkg as rp  # noqa: E402
from factory import eligible  # noqa: E402

KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"alliance-desk hostile corpus sender").digest())
OTHER = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"alliance-desk hostile corpus stranger").digest())
OFFICE = "恶意样本测试单位"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)

BILLION_LAUGHS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                             for i in range(1, 10))
                  + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
XXE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
       b'<si><t>&xxe;</t></si></sst>')


def write(rel: str, data: bytes) -> None:
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def doc(n: int = 1) -> dict:
    d = eligible("chongqing")
    d["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hostile/{n}"))
    d["name"] = f"恶意样本测试产业技术创新联盟{n:02d}"
    return d


def raw(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# ------------------------------------------------------------------ ZIP helpers

def zip_bytes(entries: list[tuple[str, bytes]], comment: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if comment:
            z.comment = comment
        for name, data in entries:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def entries_of(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def signed_package(entries: dict[str, bytes], key=KEY, kind: str = "submission", manifest_extra: dict | None = None,
                   format_version: int = 1, seal: bool = True, manifest_entries: list | None = None) -> bytes:
    """A package as the writers make it, with any payload (the manifest lists what it is given)."""
    pub = raw(key)
    fp = hashlib.sha256(pub).hexdigest()
    manifest = {"format": "alliance-desk/package@1", "format_version": format_version, "kind": kind,
                "sender": {"office": OFFICE, "key_fingerprint": fp, "public_key": base64.b64encode(pub).decode()},
                "created_at": "2024-01-01T00:00:00+08:00", "region": "chongqing", "call": "chongqing-2022",
                "county": None, "applications": len(entries), **(manifest_extra or {}),
                "entries": manifest_entries if manifest_entries is not None else
                [{"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in entries.items()]}
    mbytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
    sig = {"algorithm": "Ed25519", "key_fingerprint": fp, "signature": base64.b64encode(key.sign(mbytes)).decode()}
    data = zip_bytes([("manifest.json", mbytes), ("manifest.sig", json.dumps(sig).encode())] + list(entries.items()),
                     safety.SEAL_PLACEHOLDER if seal else b"")
    return safety.seal(data, key.sign) if seal else data


def patch_entry_header(data: bytes, name: str, local_offset: int, central_offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of an entry's local header and central directory record."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
        struct.pack_into(fmt, out, info.header_offset + local_offset, value)
        # find the central record of this entry by its name
        pos = 0
        while True:
            pos = data.find(b"PK\x01\x02", pos)
            n_len = struct.unpack_from("<H", data, pos + 28)[0]
            if data[pos + 46:pos + 46 + n_len] == name.encode():
                break
            pos += 4
        struct.pack_into(fmt, out, pos + central_offset, value)
    return bytes(out)


# ------------------------------------------------------------------ json/

def make_json() -> None:
    good = exchange.dumps(doc()).encode("utf-8")
    write("json/truncated.json", good[: len(good) // 2])
    write("json/gbk.json", exchange.dumps(doc()).encode("gbk"))
    write("json/utf16.json", exchange.dumps(doc()).encode("utf-16"))
    write("json/deep_nesting.json", b"[" * 5000 + b"]" * 5000)
    write("json/deep_object.json", b'{"a":' * 3000 + b"1" + b"}" * 3000)
    text = exchange.dumps(doc()).replace('"tech_staff_total": 120', '"tech_staff_total": ' + "9" * 5000)
    write("json/huge_integer.json", text.encode())
    text = exchange.dumps(doc()).replace('"恶意样本测试产业技术创新联盟01"', '"\\ud800恶意样本测试产业技术创新联盟"')
    write("json/lone_surrogate.json", text.encode())
    write("json/duplicate_keys.json", b'{"id": "a", "id": "b"}')
    write("json/nan.json", b'{"tech_staff_total": NaN}')
    write("json/not_an_object.json", b"[1, 2, 3]")
    write("json/empty.json", b"")
    write("json/binary.json", bytes(range(256)) * 4)
    d = doc()
    d["goals"] = {"nested": ["x"] * 3}
    write("json/wrong_type.json", exchange.dumps(d).encode())
    d = doc()
    d["id"] = "../../etc/passwd"
    write("json/bad_id.json", exchange.dumps(d).encode())


# ------------------------------------------------------------------ adpkg/ (submission packages)

def make_adpkg() -> None:
    d = doc()
    name = f"applications/{d['id']}.json"
    body = exchange.dumps(d).encode()
    good = packages.build_package([d], OFFICE, KEY, "chongqing", "chongqing-2022")
    write("adpkg/truncated.adpkg", good[: len(good) // 2])
    write("adpkg/truncated_tail.adpkg", good[:-40])
    write("adpkg/empty.adpkg", b"")
    write("adpkg/not_a_zip.adpkg", "这不是一个上报包".encode())
    base = entries_of(good)
    write("adpkg/unsealed.adpkg", zip_bytes(base))
    sealed = bytearray(good)
    sealed[-5] = ord("A") if sealed[-5] != ord("A") else ord("B")
    write("adpkg/bad_seal.adpkg", bytes(sealed))
    for label, extra in (("dotdot", "../evil.json"), ("absolute", "/etc/cron.d/evil"),
                         ("backslash", "applications\\..\\evil.json"), ("drive", "C:/Windows/evil.json")):
        write(f"adpkg/{label}.adpkg", zip_bytes(base + [(extra, b"{}")]))
    write("adpkg/bomb.adpkg", zip_bytes(base + [(f"applications/{uuid.uuid5(uuid.NAMESPACE_URL, 'bomb')}.json",
                                                 b" " * (7 * 1024 * 1024))]))
    write("adpkg/unsigned.adpkg", zip_bytes([(n, b) for n, b in base if n != "manifest.sig"]))
    swapped = [(n, b.replace(b'"created_at": "', b'"created_at": "1') if n == "manifest.json" else b) for n, b in base]
    write("adpkg/bad_signature.adpkg", zip_bytes(swapped))
    write("adpkg/untrusted_key.adpkg", packages.build_package([d], "冒名单位", OTHER, "chongqing", "chongqing-2022"))
    changed = body.replace("突破关键共性技术".encode(), "突破关键共性技朮".encode())
    manifest_entries = [{"name": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}]
    write("adpkg/digest_mismatch.adpkg", signed_package({name: changed}, manifest_entries=manifest_entries))
    write("adpkg/newer_format.adpkg", signed_package({name: body}, format_version=99))
    write("adpkg/wrong_kind.adpkg", signed_package({name: body}, kind="scores"))
    deep = "".join(f'{{"{hashlib.sha256(str(i).encode()).hexdigest()[:12]}":' for i in range(300)) + "1" + "}" * 300
    write("adpkg/deep_application.adpkg", signed_package({name: deep.encode()}))
    write("adpkg/invalid_application.adpkg", signed_package({name: b'{"format": "alliance-desk/application@1"}'}))
    write("adpkg/encrypted_flag.adpkg", patch_entry_header(good, name, 6, 8, "<H", 0x0001))
    write("adpkg/unknown_method.adpkg", patch_entry_header(good, name, 8, 10, "<H", 99))
    write("adpkg/lying_size.adpkg", patch_entry_header(good, name, 22, 24, "<I", 100))
    pub = raw(KEY)
    (OUT / "adpkg").mkdir(parents=True, exist_ok=True)
    (OUT / "sender.pub.json").write_text(json.dumps(
        {"format": packages.KEY_FORMAT, "office": OFFICE, "algorithm": "Ed25519",
         "public_key": base64.b64encode(pub).decode(), "fingerprint": hashlib.sha256(pub).hexdigest()},
        ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ scores/ (score files, review packages)

def make_scores() -> None:
    payload = json.dumps({"format": "alliance-desk/scores@1", "round": "no-such-round", "expert": "x",
                          "template": "t", "scores": [], "conflicts": []}).encode()
    good = signed_package({"scores.json": payload}, kind="scores")
    write("scores/truncated.adpkg", good[: len(good) // 3])
    write("scores/unsealed.adpkg", zip_bytes(entries_of(good)))
    write("scores/dotdot.adpkg", zip_bytes(entries_of(good) + [("../../evil.txt", b"x")]))
    write("scores/bomb.adpkg", zip_bytes(entries_of(good) + [("padding.bin", b"\0" * (5 * 1024 * 1024))]))
    write("scores/encrypted_flag.adpkg", patch_entry_header(good, "scores.json", 6, 8, "<H", 0x0001))
    write("scores/deep_json.adpkg", signed_package({"scores.json": b"[" * 5000 + b"]" * 5000}, kind="scores"))
    write("scores/long_string.adpkg", signed_package(
        {"scores.json": json.dumps({"format": "alliance-desk/scores@1", "round": "r" * 100_001}).encode()},
        kind="scores"))
    write("scores/wrong_types.adpkg", signed_package(
        {"scores.json": json.dumps({"format": "alliance-desk/scores@1", "round": 5, "expert": [1],
                                    "scores": "all of them", "conflicts": {"a": 1}}).encode()}, kind="scores"))
    write("scores/not_json.adpkg", signed_package({"scores.json": b"\xff\xfe not json"}, kind="scores"))
    write("scores/review_incomplete.adpkg", signed_package(
        {"review.json": json.dumps({"format": "alliance-desk/review@1"}).encode(),
         "expert_key.json": b"{}"}, kind="review"))
    write("scores/review_wrong_types.adpkg", signed_package(
        {"review.json": json.dumps({"format": "alliance-desk/review@1", "round": [], "template": 3,
                                    "expert": "x", "applications": [1, 2]}).encode(),
         "expert_key.json": b"[]"}, kind="review"))
    assert rp.MAX_ENTRY_BYTES > 5 * 1024 * 1024


# ------------------------------------------------------------------ xlsx/ (member lists, score sheets)

def member_sheet() -> bytes:
    from openpyxl import Workbook

    from alliance_desk.exchange.member_excel import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.title = "成员名单"
    ws.append(list(COLUMNS))
    ws.append([1, "恶意样本测试有限公司", "91500000MA5U7AAA1X", "企业", "牵头单位", "是"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def replace_entry(data: bytes, name: str, new: bytes) -> bytes:
    return zip_bytes([(n, new if n == name else b) for n, b in entries_of(data)])


def laughs_sheet(entity_decl: bytes = b"", text: bytes = b"&lol9;") -> bytes:
    """A worksheet whose one cell holds an entity reference, with its DOCTYPE."""
    decl = entity_decl or BILLION_LAUGHS[BILLION_LAUGHS.index(b"<!DOCTYPE"):BILLION_LAUGHS.index(b"]>") + 2]
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + decl.replace(b"lolz", b"worksheet") +
            b'\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + text + b"</t></is></c></row></sheetData></worksheet>")


def make_xlsx() -> None:
    good = member_sheet()
    sheet = "xl/worksheets/sheet1.xml"
    xxe_decl = XXE[XXE.index(b"<!DOCTYPE"):XXE.index(b"]>") + 2]
    write("xlsx/billion_laughs.xlsx", replace_entry(good, sheet, laughs_sheet()))
    write("xlsx/xxe.xlsx", replace_entry(good, sheet, laughs_sheet(xxe_decl, b"&xxe;")))
    utf16 = laughs_sheet().decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    write("xlsx/utf16_doctype.xlsx", replace_entry(good, sheet, utf16))
    workbook = dict(entries_of(good))["xl/workbook.xml"]
    decl = BILLION_LAUGHS[BILLION_LAUGHS.index(b"<!DOCTYPE"):BILLION_LAUGHS.index(b"]>") + 2]
    if workbook.startswith(b"<?xml"):
        end = workbook.index(b"?>") + 2
        bombed = workbook[:end] + decl.replace(b"lolz", b"workbook") + workbook[end:]
    else:
        bombed = decl.replace(b"lolz", b"workbook") + workbook
    write("xlsx/workbook_laughs.xlsx", replace_entry(good, "xl/workbook.xml", bombed))
    sheet_xml = dict(entries_of(good))[sheet]
    bomb_sheet = sheet_xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (30 * 1024 * 1024), 1)
    write("xlsx/bomb.xlsx", replace_entry(good, sheet, bomb_sheet))
    write("xlsx/dotdot.xlsx", zip_bytes(entries_of(good) + [("../../evil.txt", b"x")]))
    write("xlsx/truncated.xlsx", good[: len(good) // 2])
    write("xlsx/not_xlsx.xlsx", "姓名,单位\n张三,某公司\n".encode("gbk"))
    crc = bytearray(good)
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo(sheet)
        at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    crc[at] ^= 0x55
    write("xlsx/crc_error.xlsx", bytes(crc))
    write("xlsx/encrypted_flag.xlsx", patch_entry_header(good, sheet, 6, 8, "<H", 0x0001))


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    make_json()
    make_adpkg()
    make_scores()
    make_xlsx()
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    count = sum(1 for p in OUT.rglob("*") if p.is_file())
    print(f"{count} files, {total / 1024:.0f} kB in {OUT}")


if __name__ == "__main__":
    main()
