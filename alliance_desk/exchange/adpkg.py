"""The .adpkg container: the one implementation of the signed ZIP wire format shared by every
exchange file — submission packages (alliance_desk.exchange.packages), review packages and score files
(alliance_desk.review). A ZIP with

    manifest.json   format "alliance-desk/package@1", format_version, kind, sender {office,
                    key_fingerprint (SHA-256 hex of the raw key), public_key (base64 of the raw 32
                    bytes)}, created_at, the kind's own keys, and entries [{name, size, sha256}]
                    for every payload entry
    manifest.sig    {algorithm "Ed25519", key_fingerprint, signature (base64)} over the exact bytes
                    of manifest.json
    payload         the kind's entries (applications/<id>.json, review.json, scores.json …)
    ZIP comment     the archive seal: the whole file signed with the same key (alliance_desk.exchange.safety)

    data, manifest = package_bytes("review", "赣州市科技局", {"review.json": b"…"}, private_key)
    write_package(path, …same arguments…)              # atomic
    pkg = read_package(path, kind="review")            # PackageError naming what and where
    pkg.json("review.json"); pkg.public_key; pkg.sender; pkg.manifest

`read_package` checks everything the format can check and leaves trust to the caller (the
submission importer looks the key up among the registered offices; review compares it with the
key it issued). Refused: a file that is too large, not a ZIP or truncated; unsafe entry names
(empty, absolute, drive letters, backslashes, `..` or `.`, directories, control characters),
duplicates, names the kind does not allow; too many entries, oversized entries (declared and
actual), bomb-like compression ratios (safety.zip_entry_problem), encryption, unknown compression; a
missing, oversized, unparsable or hostile manifest; another format, a newer format version,
another kind; a missing or invalid signature or a key fingerprint that does not match; entries
missing from or not listed in the manifest, a size or SHA-256 that does not match; a missing or
invalid archive seal. Where the submission and review readers used to differ, the stricter rule
was kept. No Qt, no database.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Container, Mapping

from alliance_desk.exchange import safety

FORMAT = "alliance-desk/package@1"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
RESERVED = (MANIFEST, SIGNATURE)
ALGORITHM = "Ed25519"
KINDS = ("submission", "review", "scores", "pack_version")
KIND_LABELS = {"submission": "申报材料包", "review": "评审包", "scores": "评分文件", "pack_version": "规则包版本"}
# "not a …" wording: county clerks know a submission package as 上报包
_WANTED_LABELS = {**KIND_LABELS, "submission": "上报包（申报材料包）"}

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 5000                       # manifest and signature included
MAX_ENTRY_BYTES = 8 * 1024 * 1024        # one application or review.json is tens of kB
MAX_MANIFEST_BYTES = 4 * 1024 * 1024     # manifest.json and manifest.sig
MAX_TOTAL_BYTES = 256 * 1024 * 1024
_COMPRESSLEVEL = 6


class PackageError(ValueError):
    """The file is refused; `problems` holds one Chinese line per reason."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


def _mb(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"


# ------------------------------------------------------------------ keys and signatures

def new_key() -> tuple[str, str]:
    """A fresh Ed25519 key pair as (private, public) hex strings of the raw 32-byte keys."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    priv = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    return priv.hex(), public_key(priv.hex())


def _private(private_key):
    """An Ed25519PrivateKey from a raw hex string (review keys) or the key object itself (office
    keys, stored as PEM by alliance_desk.exchange.packages)."""
    if not isinstance(private_key, str):
        return private_key
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_key))
    except ValueError:
        raise PackageError("签名私钥无效") from None


def raw_public_key(private_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return _private(private_key).public_key().public_bytes(serialization.Encoding.Raw,
                                                           serialization.PublicFormat.Raw)


def public_key(private_hex: str) -> str:
    return raw_public_key(private_hex).hex()


def key_fingerprint(public_hex: str) -> str:
    """SHA-256 (hex) of the raw public key: the fingerprint in manifests and office key tables."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def short_fingerprint(full: str) -> str:
    """The form people compare by phone: first 16 hex digits, XXXX:XXXX:XXXX:XXXX."""
    h = full[:16].upper()
    return ":".join(h[i:i + 4] for i in range(0, 16, 4))


def fingerprint(public_hex: str) -> str:
    """Short fingerprint of a raw public key given in hex."""
    return short_fingerprint(key_fingerprint(public_hex))


def decode_public_key(text: str) -> bytes:
    """The raw 32 bytes of a base64 Ed25519 public key (manifests and key files)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise PackageError("公钥不是有效的 base64 文本") from None
    if len(raw) != 32:
        raise PackageError(f"Ed25519 公钥应为 32 字节，实际 {len(raw)} 字节")
    return raw


def sign(private_hex: str, data: bytes) -> str:
    """Signature (hex) of `data`."""
    return _private(private_hex).sign(data).hex()


def verify(public_hex: str, data: bytes, signature_hex: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(bytes.fromhex(signature_hex), data)
        return True
    except (InvalidSignature, ValueError):
        return False


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ names

def check_entry_name(name: str) -> str | None:
    """Why an entry name is unsafe, or None (stricter than for any ZIP: no "." segments either)."""
    return safety.entry_name_problem(name, empty="条目名为空（空文件名）", dot_segments=("..", "."),
                                     dot_text="含有 .. 或 .（不允许含 .. 路径）", strict=True)


# ------------------------------------------------------------------ write

def _compress_type(data: bytes) -> int:
    # Store what would deflate like a bomb (safety.zip_entry_problem): the reader would refuse it.
    if len(data) <= safety.RATIO_FLOOR:
        return zipfile.ZIP_DEFLATED
    c = zlib.compressobj(_COMPRESSLEVEL, zlib.DEFLATED, -15)
    packed = len(c.compress(data)) + len(c.flush())
    return zipfile.ZIP_STORED if len(data) > safety.MAX_RATIO * max(packed, 1) else zipfile.ZIP_DEFLATED


def package_bytes(kind: str, sender: str, entries: Mapping[str, bytes], private_key,
                  extra: Mapping[str, Any] | None = None, created_at: datetime | None = None) -> tuple[bytes, dict]:
    """The bytes of a signed, sealed package and its manifest. `private_key` is a raw hex string or
    an Ed25519PrivateKey; `extra` keys go into the manifest before `entries`. Refuses what the
    reader would refuse, so an export never produces a file the receiver cannot open."""
    if kind not in KINDS:
        raise PackageError(f"未知的文件类型「{kind}」")
    if not isinstance(sender, str) or not sender.strip():
        raise PackageError("无法打包：发送方名称为空")
    if len(entries) + len(RESERVED) > MAX_ENTRIES:
        raise PackageError(f"无法打包：条目过多（{len(entries)} 个，上限 {MAX_ENTRIES - len(RESERVED)}）")
    total = 0
    for name, data in entries.items():
        why = check_entry_name(name)
        if why or name in RESERVED:
            raise PackageError(f"无法打包：{why or f'条目名「{name}」是保留名'}")
        if len(data) > MAX_ENTRY_BYTES:
            raise PackageError(f"无法打包：条目 {name} 过大（{len(data)} 字节，上限 {_mb(MAX_ENTRY_BYTES)}）")
        total += len(data)
    if total > MAX_TOTAL_BYTES:
        raise PackageError(f"无法打包：内容合计超过 {_mb(MAX_TOTAL_BYTES)} 上限")
    key = _private(private_key)
    raw = raw_public_key(key)
    fp = sha256(raw)
    created = created_at or datetime.now(timezone.utc).astimezone()
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
        "sender": {"office": sender, "key_fingerprint": fp, "public_key": base64.b64encode(raw).decode()},
        "created_at": created.isoformat(timespec="seconds"),
        **(dict(extra) if extra else {}),
        "entries": [{"name": name, "size": len(data), "sha256": sha256(data)} for name, data in entries.items()],
    }
    mbytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if len(mbytes) > MAX_MANIFEST_BYTES:
        raise PackageError(f"无法打包：manifest.json 超过 {_mb(MAX_MANIFEST_BYTES)} 上限")
    sig = {"algorithm": ALGORITHM, "key_fingerprint": fp, "signature": base64.b64encode(key.sign(mbytes)).decode()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESSLEVEL) as zf:
        zf.comment = safety.SEAL_PLACEHOLDER  # replaced by the whole-file signature (safety.seal)
        zf.writestr(MANIFEST, mbytes)
        zf.writestr(SIGNATURE, (json.dumps(sig, indent=2) + "\n").encode("utf-8"))
        for name, data in entries.items():
            zf.writestr(name, data, compress_type=_compress_type(data))
    data = safety.seal(buf.getvalue(), key.sign)
    if len(data) > MAX_FILE_BYTES:
        raise PackageError(f"无法打包：文件超过 {_mb(MAX_FILE_BYTES)} 上限")
    return data, manifest


def write_package(path: str | Path, kind: str, sender: str, entries: Mapping[str, bytes], private_key,
                  extra: Mapping[str, Any] | None = None, created_at: datetime | None = None) -> dict:
    """Write a signed package; returns the manifest. The file appears complete or not at all."""
    data, manifest = package_bytes(kind, sender, entries, private_key, extra, created_at)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest


# ------------------------------------------------------------------ read

@dataclass
class Package:
    path: Path
    manifest: dict
    entries: dict[str, bytes]         # payload only, in manifest order
    public_key: str                   # hex of the raw 32 bytes
    file_sha256: str = ""

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def sender(self) -> str:
        return (self.manifest.get("sender") or {}).get("office", "")

    @property
    def key_fingerprint(self) -> str:
        return key_fingerprint(self.public_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def json(self, name: str) -> Any:
        if name not in self.entries:
            raise PackageError(f"{self.path.name}：缺少条目 {name}")
        try:
            value = json.loads(self.entries[name].decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise PackageError(f"{self.path.name}：条目 {name} 不是有效的 JSON（{safety.parse_error_reason(exc)}）"
                               ) from None
        why = safety.tree_problem(value)
        if why:
            raise PackageError(f"{self.path.name}：条目 {name} {why}")
        return value


def _entry_problem(info: zipfile.ZipInfo, seen: Container[str]) -> str | None:
    """Why one entry of the central directory is refused before anything is decompressed."""
    name = info.filename
    why = check_entry_name(name)
    if why:
        return why
    if name in seen:
        return f"条目 {name} 重复"
    limit = MAX_MANIFEST_BYTES if name in RESERVED else MAX_ENTRY_BYTES
    if info.file_size > limit:
        return f"条目 {name} 过大（{info.file_size} 字节，上限 {_mb(limit)}）"
    return safety.zip_entry_problem(info, limit)  # encryption, compression method, bomb-like ratio


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # at most the limit: a header that lies about the size cannot make us inflate more
    data, why = safety.read_entry(zf, info, MAX_MANIFEST_BYTES if info.filename in RESERVED else MAX_ENTRY_BYTES)
    if why:
        raise PackageError(why)
    return data


def _manifest(label: str, mbytes: bytes, kind: str | None) -> dict:
    try:
        manifest = json.loads(mbytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PackageError(f"{label}：manifest.json 无法解析（{safety.parse_error_reason(exc)}）") from None
    if not isinstance(manifest, dict):
        raise PackageError(f"{label}：manifest.json 无法解析（应为 JSON 对象）")
    why = safety.tree_problem(manifest)
    if why:
        raise PackageError(f"{label}：manifest.json {why}")
    if manifest.get("format") != FORMAT:
        raise PackageError(f"{label}：不是 Alliance Desk 交换文件（format = {manifest.get('format')!r}，应为 {FORMAT}）"
                           [:300])
    version = manifest.get("format_version")
    if type(version) is not int or version < 1:
        raise PackageError(f"{label}：manifest.json 缺少有效的 format_version")
    if version > FORMAT_VERSION:
        raise PackageError(f"{label}：该文件由更新版本的程序生成（格式版本 {version}，本程序支持版本 {FORMAT_VERSION}），"
                           "请升级 Alliance Desk 后再打开")
    found = manifest.get("kind")
    if found not in KINDS:
        raise PackageError(f"{label}：未知的文件类型「{found}」"[:300])
    if kind is not None and found != kind:
        raise PackageError(f"{label}：这是{KIND_LABELS[found]}，不是{_WANTED_LABELS[kind]}")
    sender = manifest.get("sender")
    if (not isinstance(sender, dict) or not isinstance(sender.get("office"), str) or not sender["office"].strip()
            or not isinstance(sender.get("public_key"), str)):
        raise PackageError(f"{label}：manifest.json 缺少发送方或其公钥")
    return manifest


def _public_key_checked(label: str, manifest: dict, mbytes: bytes, sig_bytes: bytes | None) -> bytes:
    """The sender's raw public key once manifest.sig proves it signed these exact manifest bytes."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if sig_bytes is None:
        raise PackageError(f"{label}：没有签名（缺少 manifest.sig），已拒绝：请发送方用本程序重新导出")
    try:
        sig = json.loads(sig_bytes.decode("utf-8"))
        signature = base64.b64decode(sig["signature"], validate=True)
    except (UnicodeDecodeError, ValueError, RecursionError, KeyError, TypeError):
        raise PackageError(f"{label}：manifest.sig 格式错误，无法读取签名") from None
    if sig.get("algorithm") != ALGORITHM:
        raise PackageError(f"{label}：不支持的签名算法「{sig.get('algorithm')}」"[:300])
    try:
        raw = decode_public_key(manifest["sender"]["public_key"])
    except PackageError as exc:
        raise PackageError(f"{label}：发送方公钥无效（{exc}）") from None
    fp = sha256(raw)
    if manifest["sender"].get("key_fingerprint") != fp or sig.get("key_fingerprint") != fp:
        raise PackageError(f"{label}：签名中的密钥指纹与发送方公钥不符")
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, mbytes)
    except InvalidSignature:
        raise PackageError(f"{label}：签名验证失败（签名无效）：manifest.json 在签名后被改动，"
                           "或签名不是发送方公钥对应的密钥所签") from None
    return raw


def _listed(label: str, manifest: dict, names: re.Pattern | None) -> dict[str, dict]:
    listed = manifest.get("entries")
    if not isinstance(listed, list):
        raise PackageError(f"{label}：manifest.json 缺少条目清单 entries")
    out: dict[str, dict] = {}
    for e in listed:
        name = e.get("name") if isinstance(e, dict) else None
        if (not isinstance(name, str) or check_entry_name(name) or name in RESERVED
                or (names is not None and not names.fullmatch(name))
                or type(e.get("size")) is not int or not isinstance(e.get("sha256"), str)):
            raise PackageError(f"{label}：manifest.json 的清单中有无效条目：{e!r}"[:300])
        if name in out:
            raise PackageError(f"{label}：manifest.json 的清单中「{name}」重复")
        out[name] = e
    return out


def read_package(path: str | Path, kind: str | None = None, names: re.Pattern | None = None) -> Package:
    """Open and verify a package (any kind, or only `kind`). `names`, when given, is the pattern
    every payload entry name must match in full. Raises PackageError naming what is wrong and where."""
    path = Path(path)
    label = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PackageError(f"{label}：文件过大（{_mb(size)}，上限 {_mb(MAX_FILE_BYTES)}）")
        raw = path.read_bytes()
    except OSError as exc:
        raise PackageError(f"{label}：无法读取（{exc.strerror or exc}）") from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except Exception:  # noqa: BLE001 - BadZipFile, and odd headers (version, sizes): not a valid package
        raise PackageError(f"{label}：不是有效的 .adpkg 文件（ZIP 结构损坏或文件被截断）") from None
    problems: list[str] = []
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise PackageError(f"{label}：条目过多（{len(infos)} 个，上限 {MAX_ENTRIES}）")
        # 1. the central directory alone: names, sizes, ratios, before inflating a byte
        found: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            why = _entry_problem(info, found)
            if why:
                problems.append(f"{label}：{why}")
                continue
            found[info.filename] = info
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise PackageError(f"{label}：解压后超过 {_mb(MAX_TOTAL_BYTES)} 上限")
        if problems:
            raise PackageError(problems)
        # 2. manifest and signature
        if MANIFEST not in found:
            raise PackageError(f"{label}：缺少 manifest.json，不是 Alliance Desk 交换文件，或文件不完整")
        try:
            mbytes = _read(zf, found[MANIFEST])
            sig_bytes = _read(zf, found[SIGNATURE]) if SIGNATURE in found else None
        except PackageError as exc:
            raise PackageError(f"{label}：{exc}") from None
        manifest = _manifest(label, mbytes, kind)
        # after the kind: a file of another kind is named as such, not as "unknown entries"
        unknown = [n for n in found if names is not None and n not in RESERVED and not names.fullmatch(n)]
        if unknown:
            raise PackageError([f"{label}：包内有未知文件「{n}」，不予读取" for n in unknown])
        public = _public_key_checked(label, manifest, mbytes, sig_bytes)
        # 3. the payload against the signed list
        listed = _listed(label, manifest, names)
        present = set(found) - set(RESERVED)
        problems += [f"{label}：条目 {n} 不在签名的清单中（文件被添加了内容）" for n in sorted(present - set(listed))]
        problems += [f"{label}：清单中的条目 {n} 在包中缺失（文件不完整）" for n in sorted(set(listed) - present)]
        entries: dict[str, bytes] = {}
        for name, meta in listed.items():
            if name not in present:
                continue
            try:
                data = _read(zf, found[name])
            except PackageError as exc:
                problems.append(f"{label}：{exc}")
                continue
            if sha256(data) != meta["sha256"]:
                problems.append(f"{label}：条目 {name} 的 SHA-256 与清单不符（内容被修改）")
            elif len(data) != meta["size"]:
                problems.append(f"{label}：条目 {name} 的大小（{len(data)} 字节）与清单（{meta['size']} 字节）不符")
            entries[name] = data
    if problems:
        raise PackageError(problems)
    # 4. the whole file, ZIP headers and comment included
    why = safety.seal_problem(raw, public)
    if why:
        raise PackageError(f"{label}：{why}")
    return Package(path, manifest, entries, public.hex(), sha256(raw))
