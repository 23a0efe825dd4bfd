"""Open a Word form safely and return its text as paragraphs and tables of cell texts.

Hostile documents are refused like every other file (alliance_desk/exchange/safety.py): size, entry count,
entry names and sizes, compression ratio; XML is parsed with defusedxml (no DTD, no entities); no
relationship is ever followed (only word/document.xml and docProps/core.xml are read); a document
carrying macros (vbaProject) and .docm/.dotm files are refused. A legacy .doc or a .wps file is
converted with LibreOffice headless when `soffice` is installed, else refused saying how to save it
as .docx.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from alliance_desk.exchange import safety

MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_DOCX_ENTRIES = 1_000
MAX_PART_BYTES = 64 * 1024 * 1024
CONVERT_TIMEOUT_S = 120
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SYM_TICKS = {"F0FE", "F052", "F053", "F0FD", "F078", "F0FC"}   # Wingdings ☑ ☒ ✓ ✗ drawn as symbols
_SYM_BOXES = {"F0A8", "F06F", "F071", "F0A1"}


class FormFileError(ValueError):
    """A form that cannot be read; the message is Chinese and says why (and what to do)."""


@dataclass
class Table:
    rows: list[list[str]]
    before: str = ""        # the nearest paragraph text above the table (its caption)


@dataclass
class Extracted:
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    props: dict[str, str] = field(default_factory=dict)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_legacy(path: Path, workdir: Path) -> Path:
    """A .doc/.wps converted to .docx in `workdir` with LibreOffice headless."""
    exe = soffice()
    if exe is None:
        raise FormFileError(f"{path.name}：这是旧版 Word/WPS 文件（{path.suffix}），本机未安装 LibreOffice，无法读取。"
                            "请在 Word 或 WPS 中打开它，选择「另存为」→「Word 文档（*.docx）」后再导入。")
    profile = workdir / "lo-profile"
    try:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "docx", "--outdir", str(workdir), str(path)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=CONVERT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FormFileError(f"{path.name}：用 LibreOffice 转换失败（{type(exc).__name__}）。请另存为 .docx 后再导入。") from exc
    out = workdir / (path.stem + ".docx")
    if not out.exists():
        raise FormFileError(f"{path.name}：LibreOffice 未能转换此文件（可能已损坏）。请另存为 .docx 后再导入。")
    return out


def _zip_problem(path: Path) -> str | None:
    size = path.stat().st_size
    if size > MAX_DOCX_BYTES:
        return f"文件过大（{size // 1024 // 1024} MB，上限 {MAX_DOCX_BYTES // 1024 // 1024} MB）"
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return "不是 Word 文档（.docx 是 ZIP 格式，此文件不是）"
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_DOCX_ENTRIES:
            return f"文件内部条目过多（{len(infos)} 个），不是正常的 Word 文档"
        total = 0
        for info in infos:
            why = safety.entry_name_problem(info.filename) or safety.zip_entry_problem(info, MAX_PART_BYTES)
            if why:
                return why
            total += info.file_size
            if total > MAX_PART_BYTES * 2:
                return "文件解压后过大，疑似压缩炸弹"
            low = info.filename.lower()
            if low.endswith("vbaproject.bin") or low.endswith("vbadata.xml"):
                return "文档含有宏（VBA），出于安全考虑拒绝读取：请另存为不含宏的 .docx"
    return None


def _parse(data: bytes, name: str):
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FormFileError(f"{name} 含有 XML 文档类型声明或实体（可能是实体炸弹或外部实体攻击），已拒绝") from exc
    except Exception as exc:  # noqa: BLE001 - ParseError and friends: a damaged document
        raise FormFileError(f"{name} 已损坏，无法解析（{type(exc).__name__}）") from exc


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    data, why = safety.read_entry(zf, info, MAX_PART_BYTES)
    if why:
        raise FormFileError(why)
    return data


def _main_part(zf: zipfile.ZipFile) -> str:
    types = _read_part(zf, "[Content_Types].xml")
    if types is None:
        raise FormFileError("不是 Word 文档（缺少 [Content_Types].xml）")
    root = _parse(types, "[Content_Types].xml")
    for el in root:
        ctype = el.get("ContentType", "")
        if "macroEnabled" in ctype or "vbaProject" in ctype:
            raise FormFileError("文档是启用宏的格式（.docm），出于安全考虑拒绝读取：请另存为 .docx")
    for el in root:
        if el.get("ContentType", "").endswith("wordprocessingml.document.main+xml"):
            return el.get("PartName", "").lstrip("/")
    raise FormFileError("不是 Word 文档（没有正文部分）；Excel、PowerPoint 文件不能作为申报表导入")


def _cell_text(tc) -> str:
    paras = []
    for p in tc.iter(W + "p"):
        buf = []
        for el in p.iter():
            tag = el.tag
            if tag == W + "t":
                buf.append(el.text or "")
            elif tag == W + "tab":
                buf.append(" ")
            elif tag in (W + "br", W + "cr"):
                buf.append("\n")
            elif tag == W + "sym":
                code = (el.get(W + "char") or "").upper()
                buf.append("☑" if code in _SYM_TICKS else "☐" if code in _SYM_BOXES else "")
            elif tag == W + "checkBox":  # a legacy FORMCHECKBOX field
                checked = el.find(W + "checked")
                if checked is None:
                    checked = el.find(W + "default")
                on = checked is not None and checked.get(W + "val", "1") not in ("0", "false", "off")
                buf.append("☑" if on else "☐")
        paras.append("".join(buf))
    return "\n".join(paras)


def _children(el, tag: str):
    """Direct children with `tag`, looking through content controls and custom XML wrappers."""
    for c in el:
        if c.tag == tag:
            yield c
        elif c.tag in (W + "sdt", W + "customXml", W + "sdtContent"):
            yield from _children(c, tag)


def _table(tbl, before: str) -> Table:
    rows = []
    for tr in _children(tbl, W + "tr"):
        cells = []
        for tc in _children(tr, W + "tc"):
            pr = tc.find(W + "tcPr")
            vm = pr.find(W + "vMerge") if pr is not None else None
            if vm is not None and vm.get(W + "val", "continue") == "continue":
                cells.append("")  # the lower part of a vertically merged cell: its text is above
            else:
                cells.append(_cell_text(tc))
        rows.append(cells)
    return Table(rows, before)


def _walk(body, out: Extracted) -> None:
    last = ""
    for el in body:
        if el.tag == W + "p":
            text = "".join(t.text or "" for t in el.iter(W + "t")).strip()
            if text:
                out.paragraphs.append(text)
                last = text
        elif el.tag == W + "tbl":
            out.tables.append(_table(el, last))
        elif el.tag in (W + "sdt", W + "customXml", W + "sdtContent"):
            _walk(el, out)


def _props(zf: zipfile.ZipFile) -> dict[str, str]:
    data = _read_part(zf, "docProps/core.xml")
    if data is None:
        return {}
    out = {}
    for el in _parse(data, "docProps/core.xml"):
        out[el.tag.rsplit("}", 1)[-1]] = (el.text or "").strip()
    return out


def extract(path: str | Path) -> Extracted:
    """The text of a .docx (or, converted, a .doc/.wps) form; FormFileError when it is refused."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".docm", ".dotm"):
        raise FormFileError(f"{path.name}：启用宏的 Word 文档（{suffix}）出于安全考虑不予读取，请另存为 .docx")
    if not path.is_file():
        raise FormFileError(f"{path.name}：文件不存在")
    if suffix in (".doc", ".wps"):
        with tempfile.TemporaryDirectory(prefix="ad-form-") as tmp:
            converted = convert_legacy(path, Path(tmp))
            return _extract_docx(converted, path.name)
    return _extract_docx(path, path.name)


def _extract_docx(path: Path, name: str) -> Extracted:
    why = _zip_problem(path)
    if why:
        raise FormFileError(f"{name}：{why}")
    try:
        with zipfile.ZipFile(path) as zf:
            part = _main_part(zf)
            data = _read_part(zf, part)
            if data is None:
                raise FormFileError("文档缺少正文部分")
            root = _parse(data, part)
            out = Extracted(props=_props(zf))
    except FormFileError as exc:
        msg = str(exc)
        raise FormFileError(msg if msg.startswith(name) else f"{name}：{msg}") from None
    body = root.find(W + "body")
    if body is not None:
        _walk(body, out)
    return out
