"""Read and write one application in the exchange format (resources/schema/application.schema.json).

Reading refuses anything the schema refuses, one Chinese line per problem naming its JSON path.
Writing is canonical (schema key order, fixed indentation, UTF-8 without BOM), so
export -> import -> export is byte-for-byte stable.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from alliance_desk.paths import resource

FORMAT_ID = "alliance-desk/application@1"
_SUBMITTED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")  # \uD800–\uDFFF in JSON text

_TYPE_NAMES = {
    "string": "字符串", "integer": "整数", "number": "数字", "boolean": "布尔值（true/false）",
    "object": "对象", "array": "数组", "null": "null",
}


class ApplicationFormatError(ValueError):
    """The input is not a valid application; `problems` holds one Chinese line per problem."""

    def __init__(self, problems: list[str], source: str | None = None):
        self.problems = problems
        self.source = source
        super().__init__("\n".join(problems))


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resource("schema", "application.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    # Imported lazily: jsonschema costs start-up time the GUI does not need until an import runs.
    from jsonschema import Draft202012Validator

    # `format` is an annotation by default in 2020-12; we assert it so bad dates and ids are refused.
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=1)
def _fast_validator():
    """A compiled validator (jsonschema-rs) used only to say "valid" quickly; None when unavailable.

    It is ~100x faster than jsonschema on a 30-member application, which is most of an import's time.
    Its word is trusted only for "valid": anything it does not accept goes through `validate_document`,
    which words the messages. Formats use jsonschema's own checkers, so both agree on what a date or
    an id is (tests/test_fast_validation.py checks the two agree)."""
    try:
        import jsonschema_rs
    except ImportError:  # a platform without its wheels: everything takes the slow path
        return None
    checker = _validator().format_checker
    formats = {name: (lambda value, name=name: checker.conforms(value, name)) for name in ("date", "uuid")}
    try:
        return jsonschema_rs.Draft202012Validator(schema(), validate_formats=True, formats=formats)
    except (TypeError, ValueError):  # an old release without custom formats: the slow path is exact
        return None


def fast_valid(doc: Any) -> bool:
    """True only when `doc` is certainly schema-valid (False also when unsure or the fast path is absent)."""
    fast = _fast_validator()
    if fast is None:
        return False
    try:
        return bool(fast.is_valid(doc))
    except Exception:  # noqa: BLE001 — e.g. lone surrogates or huge integers it cannot convert: ask jsonschema
        return False


def dotted_path(parts) -> str:
    """``["members", 3, "kind"]`` -> ``"members[3].kind"`` (empty for the root)."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


def json_path(parts) -> str:
    return dotted_path(parts) or "（根）"


# bool before int: True is an int to isinstance
_PY_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
             (list, "array"), (dict, "object"))


def json_type(value: Any) -> str:
    """The JSON Schema type name of a parsed JSON value (the Python type name for anything else)."""
    if value is None:
        return "null"
    for cls, name in _PY_TYPES:
        if isinstance(value, cls):
            return name
    return type(value).__name__


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _messages(error) -> list[tuple[list, str]]:
    """Translate one jsonschema error into (path parts, Chinese message) pairs."""
    path = list(error.absolute_path)
    v, val, inst = error.validator, error.validator_value, error.instance
    if v == "required":
        missing = [k for k in val if isinstance(inst, dict) and k not in inst]
        return [(path + [k], "缺少必填字段") for k in missing]
    if v == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in inst if k not in allowed] if isinstance(inst, dict) else []
        return [(path + [k], "未知字段（格式中没有这个键，可能是拼写错误）") for k in extra]
    if v == "type":
        types = val if isinstance(val, list) else [val]
        want = " 或 ".join(_TYPE_NAMES.get(t, t) for t in types)
        got = _TYPE_NAMES.get(json_type(inst), json_type(inst))
        return [(path, f"应为{want}，实际为{got} {_show(inst)}")]
    if v == "enum":
        allowed = "、".join(_show(x) for x in val)
        return [(path, f"{_show(inst)} 不是允许的取值（允许：{allowed}）")]
    if v == "const":
        return [(path, f"应为 {_show(val)}，实际为 {_show(inst)}")]
    if v == "format":
        what = {"date": "有效的日期（YYYY-MM-DD）", "uuid": "有效的 UUID"}.get(val, val)
        return [(path, f"{_show(inst)} 不是{what}")]
    if v == "pattern":
        if path and path[-1] == "submitted_at":
            return [(path, f"{_show(inst)} 不是 YYYY-MM-DDTHH:MM 格式的本地日期时间")]
        return [(path, f"{_show(inst)} 不符合格式 {val}")]
    if v == "minLength":
        return [(path, f"长度至少 {val} 个字符，实际 {len(inst)} 个")]
    if v == "maxLength":
        return [(path, f"长度至多 {val} 个字符，实际 {len(inst)} 个")]
    if v == "minimum":
        return [(path, f"不能小于 {val}，实际为 {_show(inst)}")]
    if v == "minItems":
        return [(path, f"至少需要 {val} 项，实际 {len(inst)} 项")]
    if v in ("contains", "minContains", "maxContains"):
        if path == ["members"]:
            leads = sum(1 for m in inst if isinstance(m, dict) and m.get("role") == "lead")
            return [(path, f"必须恰有一个牵头单位（role 为 \"lead\"），实际 {leads} 个")]
        return [(path, "数组内容不符合要求")]
    return [(path, error.message)]


def validate_document(doc: Any, *, vouched: bool | None = None) -> list[str]:
    """All schema problems of `doc`, one Chinese line each, sorted by JSON path. Empty = valid.

    `vouched`: what `fast_valid(doc)` said, when the caller already asked it."""
    found: list[tuple[str, str]] = []
    if not (fast_valid(doc) if vouched is None else vouched):
        for error in _validator().iter_errors(doc):
            for parts, msg in _messages(error):
                found.append((json_path(parts), msg))
    # The schema's pattern admits impossible calendar values; a deadline cannot be judged on them.
    # (Python's `$` also lets a trailing newline through the pattern.)
    if isinstance(doc, dict) and isinstance(doc.get("submitted_at"), str):
        s = doc["submitted_at"]
        if _SUBMITTED.match(s):
            try:
                if not _SUBMITTED.fullmatch(s):
                    raise ValueError
                datetime.strptime(s, "%Y-%m-%dT%H:%M")
            except ValueError:
                found.append(("submitted_at", f"{_show(s)} 不是有效的日期时间"))
    unique = sorted(set(found), key=lambda pm: (pm[0], pm[1]))
    return [f"{p}: {m}" for p, m in unique]


def _no_duplicates(pairs):
    seen = dict(pairs)
    if len(seen) != len(pairs):  # rare: find the repeated key only then, for the message
        keys: set = set()
        for key, _ in pairs:
            if key in keys:
                raise ValueError(f"重复的键 {_show(key)}")
            keys.add(key)
    return seen


def _no_constant(name):
    raise ValueError(f"不允许的数值 {name}（JSON 不支持 NaN/Infinity）")


class _Floats:
    """json.loads parse_float hook that notices numbers beyond the float range (`1e400` would be
    stored as infinity and then exported as `Infinity`, which no JSON reader accepts)."""

    def __init__(self) -> None:
        self.non_finite = False

    def __call__(self, text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            self.non_finite = True
        return value


def non_finite_path(value: Any, parts: list | None = None) -> list | None:
    """The JSON path (parts) of the first infinite or NaN number in a parsed value, or None."""
    stack: list[tuple[Any, list]] = [(value, parts or [])]
    while stack:
        node, at = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return at
        if isinstance(node, dict):
            stack.extend((v, at + [k]) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((v, at + [i]) for i, v in reversed(list(enumerate(node))))
    return None


def parse_text(data: bytes | str, source: str | None = None) -> dict:
    """Parse and validate one application; raise ApplicationFormatError with located messages."""
    from alliance_desk.exchange import safety

    prefix = f"{source}: " if source else ""
    why = safety.json_size_problem(len(data))
    if why:
        raise ApplicationFormatError([f"{prefix}{why}"], source)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")  # with or without BOM
        except UnicodeDecodeError as exc:
            raise ApplicationFormatError(
                [f"{prefix}文件不是 UTF-8 编码（第 {exc.start + 1} 个字节无法解码），请另存为 UTF-8"], source
            ) from None
    else:
        text = data[1:] if data.startswith("\ufeff") else data
    floats = _Floats()
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=floats)
    except json.JSONDecodeError as exc:
        raise ApplicationFormatError(
            [f"{prefix}第 {exc.lineno} 行第 {exc.colno} 列：JSON 格式错误（{_json_reason(exc.msg)}）"], source
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ApplicationFormatError([f"{prefix}{safety.parse_error_reason(exc)}"], source) from None
    if floats.non_finite:
        where = json_path(non_finite_path(doc) or [])
        raise ApplicationFormatError([f"{prefix}{where}: 数值超出可表示的范围（如 1e400），不是有限的数"], source)
    # A schema-valid document is shallow (every object and array in the schema is closed), so the
    # depth walk is needed only when the fast validator does not vouch for it; no string can be over
    # the limit when the whole text is not, and lone surrogates can only come from \u escapes.
    vouched = fast_valid(doc)
    if not (vouched and len(text) <= safety.MAX_STRING_CHARS and not _SURROGATE_ESCAPE.search(text)):
        why = safety.tree_problem(doc)
        if why:
            raise ApplicationFormatError([f"{prefix}{why}"], source)
    problems = validate_document(doc, vouched=vouched)
    if problems:
        raise ApplicationFormatError([prefix + p for p in problems], source)
    return doc


def _json_reason(msg: str) -> str:
    table = {
        "Expecting value": "此处缺少值",
        "Expecting property name enclosed in double quotes": "键名应使用双引号",
        "Expecting ',' delimiter": "缺少逗号",
        "Expecting ':' delimiter": "缺少冒号",
        "Unterminated string starting at": "字符串没有结束引号",
        "Extra data": "JSON 结束后还有多余内容",
        "Invalid control character at": "字符串中有未转义的控制字符",
    }
    for en, zh in table.items():
        if msg.startswith(en):
            return zh
    return msg


def read_file(path: str | Path) -> dict:
    from alliance_desk.exchange.safety import json_size_problem

    p = Path(path)
    try:
        why = json_size_problem(p.stat().st_size)
        if why:
            raise ApplicationFormatError([f"{p}: {why}"], str(p))
        data = p.read_bytes()
    except OSError as exc:
        raise ApplicationFormatError([f"{p}: 无法读取文件（{exc.strerror or exc}）"], str(p)) from None
    return parse_text(data, str(p))


# ---------------------------------------------------------------- canonical output

def _order(value: Any, node: dict) -> Any:
    node = _resolve(node)
    if isinstance(value, dict):
        props = node.get("properties", {})
        out = {k: _order(value[k], props[k]) for k in props if k in value}
        for k in value:  # never drop data, even outside the schema (callers validate first)
            if k not in out:
                out[k] = value[k]
        return out
    if isinstance(value, list):
        item = node.get("items", {})
        return [_order(v, item) for v in value]
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _resolve(node: dict) -> dict:
    ref = node.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return schema()["$defs"][ref.split("/")[-1]]
    return node


def canonical(doc: dict) -> dict:
    return _order(doc, schema())


def dumps(doc: dict) -> str:
    """The canonical text of one application."""
    return json.dumps(canonical(doc), ensure_ascii=False, indent=2) + "\n"


def write_file(doc: dict, path: str | Path) -> None:
    Path(path).write_text(dumps(doc), encoding="utf-8", newline="\n")
