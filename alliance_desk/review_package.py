""".adpkg exchange files for expert review (kinds "review" and "scores"), in the same wire format as
the submission packages of `alliance_desk.packages`: a ZIP with

    manifest.json   format "alliance-desk/package@1", format_version, kind, sender {office,
                    key_fingerprint, public_key (base64 of the raw 32 bytes)}, created_at, extra
                    keys, and entries [{name, size, sha256}] for every payload entry
    manifest.sig    {algorithm "Ed25519", key_fingerprint, signature (base64)} over the exact bytes
                    of manifest.json
    payload         any safe entry names (review.json, applications/<id>.json, scores.json …)

`packages.verify_package` only accepts submission packages (fixed entry names, trusted office
keys); this module reads any kind with any safe entry names and leaves trust to the caller (who
compares `Package.public_key` with the key it issued). Small API, meant to be merged:

    private, public = new_key()
    write_package(path, kind="review", sender="赣州市科技局", entries={"review.json": b"…"},
                  private_key=private)
    pkg = read_package(path, kind="review")          # PackageError with the reason when refused
    pkg.json("review.json"); pkg.public_key; pkg.manifest

Reading refuses: a file that is not a ZIP or is truncated, unsafe entry names (absolute, `..`,
backslashes, drive letters), oversized entries, a missing or unreadable manifest, an unknown format
version or kind, entries missing from or not listed in the manifest, a SHA-256 or size that does
not match, a missing or invalid signature, and a missing or invalid archive seal (the whole file is
signed too, in its ZIP comment: see alliance_desk.safety — any flipped byte is refused). No Qt, no
database.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from . import safety

FORMAT = "alliance-desk/package@1"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
ALGORITHM = "Ed25519"
KINDS = ("submission", "review", "scores")
KIND_LABELS = {"submission": "申报材料包", "review": "评审包", "scores": "评分文件"}
MAX_ENTRIES = 5000
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


class PackageError(ValueError):
    """The file is refused; `problems` holds one Chinese line per reason."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# ------------------------------------------------------------------ keys

def new_key() -> tuple[str, str]:
    """A fresh Ed25519 key pair as (private, public) hex strings of the raw 32-byte keys."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    priv = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    return priv.hex(), public_key(priv.hex())


def _private(private_hex: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    except ValueError:
        raise PackageError("签名私钥无效") from None


def public_key(private_hex: str) -> str:
    from cryptography.hazmat.primitives import serialization

    return _private(private_hex).public_key().public_bytes(serialization.Encoding.Raw,
                                                           serialization.PublicFormat.Raw).hex()


def key_fingerprint(public_hex: str) -> str:
    """SHA-256 (hex) of the raw public key, as `packages.fingerprint`."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def fingerprint(public_hex: str) -> str:
    """The short form people compare by phone: first 16 hex digits, XXXX:XXXX:XXXX:XXXX."""
    h = key_fingerprint(public_hex)[:16].upper()
    return ":".join(h[i:i + 4] for i in range(0, 16, 4))


def _b64(hex_text: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_text)).decode()


def _unb64(text: str) -> str:
    return base64.b64decode(text, validate=True).hex()


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


# ------------------------------------------------------------------ names

def check_entry_name(name: str) -> str | None:
    """Why an entry name is unsafe, or None."""
    if not name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return f"条目名「{name}」是绝对路径"
    if "\\" in name:
        return f"条目名「{name}」含有反斜杠"
    if any(part in ("..", ".") for part in name.split("/")):
        return f"条目名「{name}」含有 .. 或 ."
    if name.endswith("/") or "//" in name:
        return f"条目名「{name}」无效"
    if any(ord(c) < 32 for c in name):
        return f"条目名「{name!r}」含有控制字符"
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ write

def write_package(path: str | Path, kind: str, sender: str, entries: Mapping[str, bytes], private_key: str,
                  extra: Mapping[str, Any] | None = None, created_at: datetime | None = None) -> dict:
    """Write a signed package; returns the manifest. The file appears complete or not at all."""
    if kind not in KINDS:
        raise PackageError(f"未知的文件类型「{kind}」")
    for name in entries:
        why = check_entry_name(name)
        if why or name in (MANIFEST, SIGNATURE):
            raise PackageError(why or f"条目名「{name}」是保留名")
    pub = public_key(private_key)
    fp = key_fingerprint(pub)
    created = created_at or datetime.now(timezone.utc).astimezone()
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
        "sender": {"office": sender, "key_fingerprint": fp, "public_key": _b64(pub)},
        "created_at": created.isoformat(timespec="seconds"),
        **(dict(extra) if extra else {}),
        "entries": [{"name": name, "size": len(data), "sha256": sha256(data)} for name, data in sorted(entries.items())],
    }
    mbytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    signature = {"algorithm": ALGORITHM, "key_fingerprint": fp, "signature": _b64(sign(private_key, mbytes))}
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.comment = safety.SEAL_PLACEHOLDER  # replaced by the whole-file signature (safety.seal)
        zf.writestr(MANIFEST, mbytes)
        for name, data in sorted(entries.items()):
            zf.writestr(name, data)
        zf.writestr(SIGNATURE, json.dumps(signature, indent=2).encode("utf-8"))
    tmp.write_bytes(safety.seal(buf.getvalue(), lambda msg: bytes.fromhex(sign(private_key, msg))))
    os.replace(tmp, path)
    return manifest


# ------------------------------------------------------------------ read

@dataclass
class Package:
    path: Path
    manifest: dict
    entries: dict[str, bytes]
    public_key: str

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def sender(self) -> str:
        return (self.manifest.get("sender") or {}).get("office", "")

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


def _read_limited(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(MAX_ENTRY_BYTES + 1)
    if len(data) > MAX_ENTRY_BYTES:
        raise PackageError(f"条目 {info.filename} 超过 {MAX_ENTRY_BYTES // (1024 * 1024)} MB 上限")
    return data


def read_package(path: str | Path, kind: str | None = None) -> Package:
    """Open and verify a package. Raises PackageError naming what is wrong."""
    path = Path(path)
    label = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackageError(f"{label}：无法读取（{exc.strerror or exc}）") from None
    if len(raw) > MAX_TOTAL_BYTES:
        raise PackageError(f"{label}：文件超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB 上限")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except Exception:  # noqa: BLE001 - BadZipFile, and odd headers (version, sizes): not a valid package
        raise PackageError(f"{label}：不是有效的 .adpkg 文件（ZIP 结构损坏或文件被截断）") from None
    problems: list[str] = []
    entries: dict[str, bytes] = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise PackageError(f"{label}：条目数 {len(infos)} 超过上限 {MAX_ENTRIES}")
        total = 0
        for info in infos:
            why = check_entry_name(info.filename)
            if why:
                problems.append(f"{label}：{why}")
                continue
            if info.file_size > MAX_ENTRY_BYTES:
                problems.append(f"{label}：条目 {info.filename} 超过 {MAX_ENTRY_BYTES // (1024 * 1024)} MB 上限")
                continue
            why = safety.zip_entry_problem(info, MAX_ENTRY_BYTES)
            if why:
                raise PackageError(f"{label}：{why}")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise PackageError(f"{label}：解压后超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB 上限")
            if info.filename in entries:
                problems.append(f"{label}：条目 {info.filename} 重复")
                continue
            try:
                entries[info.filename] = _read_limited(zf, info)
            except PackageError as exc:
                problems.extend(f"{label}：{p}" for p in exc.problems)
            except Exception as exc:  # noqa: BLE001 - CRC, inflate, encryption …: the entry is damaged
                problems.append(f"{label}：条目 {info.filename} 已损坏（{exc}）")
    if problems:
        raise PackageError(problems)
    if MANIFEST not in entries:
        raise PackageError(f"{label}：缺少 manifest.json，不是 Alliance Desk 交换文件")
    mbytes = entries.pop(MANIFEST)
    try:
        manifest = json.loads(mbytes.decode("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("不是对象")
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(f"{label}：manifest.json 无法解析（{exc}）") from None
    if manifest.get("format") != FORMAT:
        raise PackageError(f"{label}：不是 Alliance Desk 交换文件（format = {manifest.get('format')!r}）")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PackageError(f"{label}：格式版本 {manifest.get('format_version')!r} 不受支持（本程序支持版本 "
                           f"{FORMAT_VERSION}），请升级程序")
    if manifest.get("kind") not in KINDS:
        raise PackageError(f"{label}：未知的文件类型「{manifest.get('kind')}」")
    if kind is not None and manifest["kind"] != kind:
        raise PackageError(f"{label}：这是{KIND_LABELS[manifest['kind']]}，不是{KIND_LABELS[kind]}")

    sig_bytes = entries.pop(SIGNATURE, None)
    if sig_bytes is None:
        raise PackageError(f"{label}：没有签名（缺少 manifest.sig），拒绝导入")
    sender = manifest.get("sender")
    try:
        sig = json.loads(sig_bytes.decode("utf-8"))
        signature = _unb64(sig["signature"])
        if sig.get("algorithm") != ALGORITHM:
            raise ValueError(f"签名算法 {sig.get('algorithm')!r} 不受支持")
        pub = _unb64(sender["public_key"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise PackageError(f"{label}：签名或发送方公钥无法解析（{exc}）") from None
    fp = key_fingerprint(pub)
    if sender.get("key_fingerprint") != fp or sig.get("key_fingerprint") != fp:
        raise PackageError(f"{label}：签名中的密钥指纹与发送方公钥不符")
    if not verify(pub, mbytes, signature):
        raise PackageError(f"{label}：签名验证失败：清单 manifest.json 被修改，或签名不属于此文件")

    listed_raw = manifest.get("entries")
    if not isinstance(listed_raw, list) or not all(isinstance(e, dict) and isinstance(e.get("name"), str)
                                                    for e in listed_raw):
        raise PackageError(f"{label}：manifest.json 缺少条目清单")
    listed = {e["name"]: e for e in listed_raw}
    if len(listed) != len(listed_raw):
        raise PackageError(f"{label}：manifest.json 的清单中有重复条目")
    for name, meta in listed.items():
        if name not in entries:
            problems.append(f"{label}：缺少清单中列出的条目 {name}（文件不完整）")
            continue
        data = entries[name]
        if not isinstance(meta, dict) or sha256(data) != meta.get("sha256"):
            problems.append(f"{label}：条目 {name} 的 SHA-256 与清单不符（内容被修改）")
        elif meta.get("size") != len(data):
            problems.append(f"{label}：条目 {name} 的大小与清单不符")
    for name in entries:
        if name not in listed:
            problems.append(f"{label}：条目 {name} 未列入清单（文件被添加了内容）")
    if problems:
        raise PackageError(problems)
    why = safety.seal_problem(raw, bytes.fromhex(pub))
    if why:
        raise PackageError(f"{label}：{why}")
    return Package(path, manifest, entries, pub)


def zlib_error():
    import zlib

    return zlib.error
