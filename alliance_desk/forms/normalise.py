"""What people type into a Word form, turned into values: full-width digits and punctuation, Chinese
and dotted dates, amounts in 万元 or 元, ☑ ■ √ ✓ 是 for a ticked box, stray spaces and line breaks.

Every parser returns (value, doubt): doubt is None when the text was read with confidence, else a
Chinese sentence saying why the value (possibly None) should be looked at. Nothing is guessed: text
that does not parse gives (None, reason).
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

from alliance_desk.forms.fields import Field

TICKS = "☑■√✓✔☒▣◼●"   # ☒ is drawn as a crossed box: people use it to tick
BOXES = "☐□◻○"
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
_WS = re.compile(r"\s+")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_LABEL_PUNCT = re.compile(r"[\s:：*＊·•、,，.。;；\"'“”‘’]")
_DATE = re.compile(r"^(\d{1,4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_EMPTY_MARKS = {"", "无", "/", "-", "—", "——", "…", "……", "暂无", "不适用"}


def xml_safe(text: str) -> str:
    """Text a .docx can carry (XML 1.0 has no control characters)."""
    return _XML_ILLEGAL.sub("", text)


def clean(text: str | None) -> str:
    """Cell text as a value: XML-safe, runs of spaces/line breaks collapsed, none next to Chinese."""
    if not text:
        return ""
    text = _WS.sub(" ", xml_safe(text)).strip()
    return _SPACE_NEAR_CJK.sub("", text) if text else ""


def half(text: str) -> str:
    """Full-width digits, letters and punctuation as ASCII (for numbers, dates, codes)."""
    return unicodedata.normalize("NFKC", text)


def label_key(text: str) -> str:
    """A label compared loosely: NFKC, no spaces or punctuation, bracketed units dropped."""
    t = half(xml_safe(text or ""))
    t = _BRACKETED.sub("", t)
    return _LABEL_PUNCT.sub("", t).lower()


def unit_of(label: str) -> str:
    """'元' when a label says its amounts are in yuan (（元）), else '' (万元 assumed)."""
    m = _BRACKETED.findall(half(label or ""))
    return "元" if any("元" in x and "万" not in x for x in m) else ""


def lines(text: str) -> list[str]:
    return [c for c in (clean(x) for x in re.split(r"[\r\n]+", xml_safe(text or ""))) if c]


def is_blank(text: str) -> bool:
    return clean(text) in _EMPTY_MARKS


# ------------------------------------------------------------------ scalar parsers

def parse_int(text: str) -> tuple[int | None, str | None]:
    t = half(clean(text)).replace(",", "").replace(" ", "")
    t = re.sub(r"(人|个|家|项|名|位)$", "", t)
    if t in _EMPTY_MARKS:
        return None, None
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t), None
    if _NUMBER.match(t):
        v = float(t)
        if math.isfinite(v) and v.is_integer():
            return int(v), None
    return None, f"「{clean(text)}」不是整数"


def parse_number(text: str, unit: str = "") -> tuple[float | int | None, str | None]:
    """A number; with `money`, 元 amounts are turned into 万元 (the exchange format's unit)."""
    t = half(clean(text)).replace(",", "").replace(" ", "")
    yuan = unit == "元"
    if t.endswith("万元"):
        t, yuan = t[:-2], False
    elif t.endswith("万"):
        t, yuan = t[:-1], False
    elif t.endswith("元"):
        t, yuan = t[:-1], True
    t = re.sub(r"(平方米|㎡|m2)$", "", t)
    if t in _EMPTY_MARKS:
        return None, None
    if not _NUMBER.match(t):
        return None, f"「{clean(text)}」不是数字"
    v = float(t)
    if not math.isfinite(v):
        return None, f"「{clean(text)}」不是数字"
    if yuan:
        return v / 10000, f"按元填写的 {clean(text)} 已换算为 {v / 10000:g} 万元，请核对"
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t), None
    return v, None


def parse_date(text: str) -> tuple[str | None, str | None]:
    t = half(clean(text)).replace(" ", "")
    if t in _EMPTY_MARKS or re.fullmatch(r"年?月?日?", t):
        return None, None
    m = _DATE.match(t) or _DATE_COMPACT.match(t)
    if not m:
        return None, f"「{clean(text)}」不是日期（可写 2022年5月30日、2022.5.30 或 2022-05-30）"
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat(), None
    except ValueError:
        return None, f"「{clean(text)}」不是有效日期"


_DATETIME = re.compile(r"^(.*?\d)\s*(?:日|T)?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?$")


def parse_datetime(text: str) -> tuple[str | None, str | None]:
    t = half(clean(text))
    m = _DATETIME.match(t)
    day, doubt = parse_date(m.group(1) if m else t)
    if day is None:
        return None, doubt
    if m is None:
        return f"{day}T00:00", "只写了日期，没有时间：按当天 00:00 计，请核对"
    hh, mm = int(m.group(2)), int(m.group(3))
    if hh > 23 or mm > 59:
        return None, f"「{clean(text)}」的时间无效"
    return f"{day}T{hh:02d}:{mm:02d}", None


def _ticked(option_text: str) -> bool | None:
    """True/False for ☑x / ☐x, None when the text has no box at all."""
    if any(c in option_text for c in TICKS):
        return True
    if any(c in option_text for c in BOXES):
        return False
    return None


def _options(text: str) -> list[tuple[bool | None, str]]:
    """'☑是 ☐否' -> [(True, '是'), (False, '否')]: each box with the words after it."""
    t = xml_safe(text or "")
    pieces = re.split(rf"(?=[{TICKS}{BOXES}])", t)
    out = []
    for p in pieces:
        p = p.strip()
        if not p:
            continue
        state = _ticked(p[0])
        out.append((state, clean(p[1:] if state is not None else p)))
    return out


YES = {"是", "有", "已", "√", "✓", "✔", "y", "yes", "true", "已签署", "已盖章", "已建立", "符合"}
NO = {"否", "无", "没有", "未", "×", "✗", "n", "no", "false", "未签署", "未盖章", "不符合"}


def parse_bool(text: str) -> tuple[bool | None, str | None]:
    opts = _options(text)
    boxed = [(s, w) for s, w in opts if s is not None]
    if boxed:
        ticked = [w for s, w in boxed if s]
        yes = [w for w in ticked if w.startswith(("是", "有", "已"))]
        no = [w for w in ticked if w.startswith(("否", "无", "没有", "未"))]
        if yes and no:
            return None, "「是」「否」都勾选了"
        if yes:
            return True, None
        if no:
            return False, None
        if ticked and len(boxed) == 1:  # a single box: ticked means yes
            return True, None
        if not ticked and len(boxed) == 1:
            return False, None
        return None, None  # nothing ticked: left unanswered
    t = half(clean(text)).lower()
    if t == "":
        return None, None
    if t in YES or t.startswith(("是", "已")):
        return True, None
    if t in NO or t.startswith(("否", "未", "无")):
        return False, None
    return None, f"「{clean(text)}」看不出是「是」还是「否」"


def _code_of(word: str, f: Field) -> str | None:
    key = label_key(word)
    if not key:
        return None
    for code, zh in f.choices.items():
        if label_key(zh) == key or code == key:
            return code
    for alias, code in f.aliases.items():
        if label_key(alias) == key:
            return code
    return None


def parse_choice(text: str, f: Field) -> tuple[str | None, str | None]:
    opts = _options(text)
    boxed = [(s, w) for s, w in opts if s is not None]
    if boxed:
        ticked = [w for s, w in boxed if s]
        if not ticked:
            return None, None
        if len(ticked) > 1:
            return None, f"勾选了多项（{'、'.join(ticked)}），只能选一项"
        text = ticked[0]
    if is_blank(text):
        return None, None
    code = _code_of(text, f)
    if code is None:
        return None, f"「{clean(text)}」不是可选项（{'、'.join(f.choices.values())}）"
    return code, None


def parse_multi(text: str, f: Field) -> tuple[list[str], str | None]:
    opts = _options(text)
    boxed = [(s, w) for s, w in opts if s is not None]
    if boxed:
        words = [w for s, w in boxed if s]
    else:
        words = [w for w in re.split(r"[、，,;；/\s]+", clean(text)) if w and not is_blank(w)]
    out, unknown = [], []
    for w in words:
        code = _code_of(w, f)
        if code is None:
            unknown.append(w)
        elif code not in out:
            out.append(code)
    return out, (f"不认识的选项：{'、'.join(unknown)}" if unknown else None)


def parse(text: str, f: Field, unit: str = ""):
    """(value, doubt) for the field's kind."""
    kind = f.kind
    if kind == "text":
        v = clean(text)
        return (v or None), None
    if kind == "lines":
        return lines(text), None
    if kind == "code":
        # normalised again after upper(): a few letters' capitals are not in NFKC, and a code must read
        # back the same however often it is printed and read
        v = half(re.sub(r"\s+", "", half(xml_safe(text or ""))).upper())
        return (v or None), None
    if kind == "date":
        return parse_date(text)
    if kind == "datetime":
        return parse_datetime(text)
    if kind == "int":
        return parse_int(text)
    if kind in ("money", "number"):
        return parse_number(text, unit if kind == "money" else "")
    if kind == "bool":
        return parse_bool(text)
    if kind == "choice":
        return parse_choice(text, f)
    if kind == "multi":
        return parse_multi(text, f)
    raise ValueError(kind)


# ------------------------------------------------------------------ printing (the writer's side)

def fmt_number(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return repr(v) if isinstance(v, float) else str(v)


def fmt_date(iso: str | None) -> str:
    if not iso:
        return ""
    y, m, d = iso[:10].split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def fmt_bool(v: bool | None) -> str:
    return f"{'☑' if v is True else '☐'}是　{'☑' if v is False else '☐'}否"


def fmt_choice_boxes(codes, f: Field) -> str:
    chosen = set(codes or [])
    return "　".join(f"{'☑' if c in chosen else '☐'}{zh}" for c, zh in f.choices.items())


def fmt(value, f: Field, boxes: bool = True) -> str:
    """A value as the form prints it (the inverse of `parse`)."""
    kind = f.kind
    if kind == "bool":
        return fmt_bool(value)
    if kind in ("multi", "choice") and boxes and value is None:
        return fmt_choice_boxes([], f)
    if kind == "multi":
        return fmt_choice_boxes(value, f) if boxes else "、".join(f.choices.get(c, c) for c in value or [])
    if value is None:
        return ""
    if kind in ("text", "code"):
        return xml_safe(value)
    if kind == "lines":
        return "\n".join(xml_safe(x) for x in value)
    if kind == "date":
        return fmt_date(value)
    if kind == "datetime":
        return f"{fmt_date(value[:10])} {value[11:16]}"
    if kind in ("int", "money", "number"):
        return fmt_number(value)
    if kind == "choice":
        return fmt_choice_boxes([value], f) if boxes else f.choices.get(value, value)
    raise ValueError(kind)
