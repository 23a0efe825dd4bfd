"""Shared limits and checks for hostile input, the archive seal of .adpkg files, and masking of
personal data in published documents.

Every importer calls these before it trusts a byte: application JSON (exchange), member lists and
score sheets (.xlsx), packages and score files (.adpkg). The checks return the reason in Chinese
(or None when the input is acceptable); the importer raises its own error type with it, so the
caller sees one kind of refusal per importer and the database is never touched.

Limits (decided here, used everywhere):
- a JSON file over 20 MB, a string over 100,000 characters, nesting deeper than 64 levels, text
  that is not valid Unicode (lone surrogates);
- ZIP containers (.adpkg, .xlsx): entry names must be relative, without `..`, backslashes, drive
  letters or control characters; no encrypted entries; only stored or deflated entries; entry and
  total sizes capped; a compression ratio over 200 on an entry above 1 MB is a decompression bomb;
- Excel: at most 20 MB on disk; no XML document type declarations at all (an entity bomb or an
  external entity needs one), checked on the raw XML of every part before openpyxl sees it —
  and openpyxl itself parses with defusedxml (required by the project) as a second line.

Archive seal: an .adpkg ends with a ZIP comment of fixed length, `ADSEAL1:` + base64 of an Ed25519
signature over the whole file before the comment (the ZIP end record with the comment length
included). The sender signs with the same key as the manifest, so flipping any single byte of the
file — payload, manifest, ZIP headers, fields zipfile ignores, or the seal itself — makes the
import fail.
"""
from __future__ import annotations

import base64
import math
import hashlib
import re
import zipfile
from pathlib import Path
from typing import Any, Callable

MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_STRING_CHARS = 100_000
MAX_DEPTH = 64
MAX_XLSX_BYTES = 20 * 1024 * 1024
MAX_XLSX_ENTRIES = 2_000
MAX_XLSX_ENTRY_BYTES = 128 * 1024 * 1024
MAX_XLSX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024          # small entries may compress well without being a bomb

_DRIVE = re.compile(r"^[A-Za-z]:")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


# ------------------------------------------------------------------ JSON and text

def json_size_problem(size: int) -> str | None:
    if size > MAX_JSON_BYTES:
        return f"文件过大（{_mb(size)}），申报 JSON 不应超过 {_mb(MAX_JSON_BYTES)}"
    return None


def _path(parts: list) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    if len(out) > 120:
        out = out[:60] + "…" + out[-50:]
    return out or "（根）"


def tree_problem(value: Any, max_chars: int = MAX_STRING_CHARS, max_depth: int = MAX_DEPTH) -> str | None:
    """The first oversized string, too-deep nesting or invalid text in a parsed JSON value, with
    its path; None when fine. Iterative: a hostile depth cannot exhaust the stack."""
    stack: list[tuple[Any, list, int]] = [(value, [], 0)]
    while stack:
        node, parts, depth = stack.pop()
        if depth > max_depth:
            return f"{_path(parts)}: 嵌套层数超过 {max_depth} 层，拒绝读取"
        if isinstance(node, str):
            if len(node) > max_chars:
                return f"{_path(parts)}: 文本过长（{len(node)} 个字符，上限 {max_chars}）"
            if _SURROGATE.search(node):
                return f"{_path(parts)}: 含有无效的 Unicode 字符（孤立的代理项）"
        elif isinstance(node, float) and not math.isfinite(node):
            return f"{_path(parts)}: 数值超出可表示的范围（如 1e400），不是有限的数"
        elif isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str) and (len(k) > 1000 or _SURROGATE.search(k)):
                    return f"{_path(parts)}: 键名过长或含有无效字符"
                stack.append((v, parts + [k], depth + 1))
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                stack.append((v, parts + [i], depth + 1))
    return None


def parse_error_reason(exc: BaseException) -> str:
    """A Chinese reason for what json.loads raised besides JSONDecodeError."""
    if isinstance(exc, RecursionError):
        return f"嵌套层数过深（超过 {MAX_DEPTH} 层），拒绝读取"
    text = str(exc)
    if "digits" in text and "integer" in text:
        return "数字位数过多（超过 4300 位），拒绝读取"
    return text


# ------------------------------------------------------------------ ZIP containers

def entry_name_problem(name: str, *, empty: str = "空文件名", dot_segments: tuple[str, ...] = ("..",),
                       dot_text: str = "含有 .. 路径", strict: bool = False) -> str | None:
    """Why a ZIP entry name is unsafe to even think of as a path, or None. `strict` (our own packages)
    also refuses directory entries and empty segments; the caller may name more `dot_segments`."""
    if not name:
        return empty
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return f"条目名「{name}」是绝对路径"
    if "\\" in name:
        return f"条目名「{name}」含有反斜杠"
    if any(part in dot_segments for part in name.split("/")):
        return f"条目名「{name}」{dot_text}"
    if strict and name.endswith("/"):
        return f"包内不应有目录项「{name}」"
    if strict and "//" in name:
        return f"条目名「{name}」无效（含有空路径段）"
    if any(ord(c) < 32 for c in name):
        return f"条目名「{name!r}」含有控制字符"
    return None


def zip_entry_problem(info: zipfile.ZipInfo, max_entry: int, max_ratio: int = MAX_RATIO) -> str | None:
    """Encrypted, unsupported compression, oversized or bomb-like entries."""
    name = info.filename
    if info.flag_bits & 0x1:
        return f"条目 {name} 已加密，拒绝读取"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return f"条目 {name} 使用了不支持的压缩方式（{info.compress_type}）"
    if info.file_size > max_entry:
        return f"条目 {name} 解压后过大（{_mb(info.file_size)}，上限 {_mb(max_entry)}）"
    if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
        return f"条目 {name} 的压缩比异常（{info.file_size // max(info.compress_size, 1)}:1，疑似压缩炸弹），已拒绝"
    return None


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> tuple[bytes | None, str | None]:
    """(data, None) or (None, reason): at most `limit` bytes, any decoding or CRC failure a reason."""
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except Exception as exc:  # noqa: BLE001 - zlib, CRC, header, encryption … all mean "damaged"
        return None, f"条目 {info.filename} 已损坏，无法解压（{type(exc).__name__}: {exc}）"
    if len(data) > limit:
        return None, f"条目 {info.filename} 超过大小上限 {_mb(limit)}"
    return data, None


# ------------------------------------------------------------------ Excel

_XML_DECL_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"),
                     "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"))


def defused_xml() -> bool:
    """True when openpyxl parses XML with defusedxml (it does whenever defusedxml is installed)."""
    try:
        from openpyxl.xml import DEFUSEDXML
    except ImportError:
        return False
    return bool(DEFUSEDXML)


def xlsx_problem(path: str | Path) -> str | None:
    """Check an .xlsx before openpyxl opens it: size, entry names and sizes, compression ratio,
    readable entries (CRC), and no DTD in any XML part. A file that is not a ZIP at all passes
    (None): the importer's own reader refuses it in its own words."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"无法读取文件（{exc.strerror or exc}）"
    if size > MAX_XLSX_BYTES:
        return f"文件过大（{_mb(size)}，上限 {_mb(MAX_XLSX_BYTES)}）"
    if not defused_xml():
        return "缺少 defusedxml，出于安全考虑不读取 Excel 文件（请重新安装本程序）"
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except Exception:  # noqa: BLE001 - not a ZIP at all: the importer's own reader says so
        return None
    with zf:
        if len(infos) > MAX_XLSX_ENTRIES:
            return f"文件内部条目过多（{len(infos)} 个），不是正常的 Excel 文件"
        total = 0
        for info in infos:
            why = entry_name_problem(info.filename) or zip_entry_problem(info, MAX_XLSX_ENTRY_BYTES)
            if why:
                return why
            total += info.file_size
            if total > MAX_XLSX_TOTAL_BYTES:
                return f"文件解压后过大（超过 {_mb(MAX_XLSX_TOTAL_BYTES)}），疑似压缩炸弹"
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            why = _scan_xml(zf, info)
            if why:
                return why
    return None


def _scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    tail = b""
    read = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                read += len(chunk)
                if read > MAX_XLSX_ENTRY_BYTES:
                    return f"条目 {info.filename} 解压后过大"
                window = tail + chunk
                if any(m in window for m in _XML_DECL_MARKERS):
                    return (f"条目 {info.filename} 含有 XML 文档类型声明（DOCTYPE/ENTITY），可能是实体炸弹或外部实体攻击，"
                            "已拒绝")
                tail = window[-32:]
    except Exception as exc:  # noqa: BLE001 - CRC and inflate errors: a damaged file
        return f"条目 {info.filename} 已损坏，无法解压（{type(exc).__name__}）"
    return None


# ------------------------------------------------------------------ archive seal (.adpkg)

SEAL_MAGIC = b"ADSEAL1:"
SEAL_LEN = len(SEAL_MAGIC) + 88            # base64 of a 64-byte Ed25519 signature
SEAL_PLACEHOLDER = SEAL_MAGIC + b"=" * 88
_SEAL_CONTEXT = b"alliance-desk/archive-seal@1\n"


def _sealed_message(body: bytes) -> bytes:
    return _SEAL_CONTEXT + hashlib.sha256(body).digest()


def seal(data: bytes, sign: Callable[[bytes], bytes]) -> bytes:
    """Replace the placeholder comment at the end of a ZIP written with
    `zf.comment = SEAL_PLACEHOLDER` by the signature of everything before it."""
    if not data.endswith(SEAL_PLACEHOLDER):
        raise ValueError("archive was not written with the seal placeholder comment")
    body = data[:-SEAL_LEN]
    signature = sign(_sealed_message(body))
    if len(signature) != 64:
        raise ValueError("not an Ed25519 signature")
    return body + SEAL_MAGIC + base64.b64encode(signature)


def seal_problem(data: bytes, public_raw: bytes) -> str | None:
    """Why the archive seal does not verify with `public_raw` (32-byte Ed25519 key), or None."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if len(data) < SEAL_LEN or data[-SEAL_LEN:-SEAL_LEN + len(SEAL_MAGIC)] != SEAL_MAGIC:
        return "文件没有整体签名（或末尾被改动、被截断）：请发送方用本程序重新导出"
    try:
        signature = base64.b64decode(data[-SEAL_LEN + len(SEAL_MAGIC):], validate=True)
        if len(signature) != 64:
            raise ValueError
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, _sealed_message(data[:-SEAL_LEN]))
    except (ValueError, InvalidSignature):
        return "文件整体签名验证失败：文件在签名后被改动或损坏（哪怕只改了一个字节）"
    return None


# ------------------------------------------------------------------ personal data in published documents

# mainland mobile numbers, also written +86 138 1234 5678 or 138-1234-5678
_MOBILE = re.compile(r"(?<![\d])((?:\+?86[\s-]?)?)(1[3-9]\d)([\s-]?)(\d{4})([\s-]?)(\d{4})(?!\d)")
# 18-digit resident identity numbers: region, birth date, sequence, check character
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])([1-9]\d{5})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
                        r"(\d{3})([\dXx])(?![\dA-Za-z])")


def mask_personal(text: Any) -> Any:
    """Text with personal mobile numbers shown as 138****5678 and identity numbers as
    110101********1234; anything that is not a string is returned as it is."""
    if not isinstance(text, str) or not text:
        return text

    def mobile(m: re.Match) -> str:
        return f"{m.group(1)}{m.group(2)}{m.group(3)}****{m.group(5)}{m.group(6)}"

    def ident(m: re.Match) -> str:
        return f"{m.group(1)}{'*' * 8}{m.group(3)}{m.group(4)}"

    return _ID_NUMBER.sub(ident, _MOBILE.sub(mobile, text))


def has_personal(text: Any) -> bool:
    return isinstance(text, str) and bool(_MOBILE.search(text) or _ID_NUMBER.search(text))
