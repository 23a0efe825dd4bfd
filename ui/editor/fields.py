"""Validated field widgets for the application editor.

Every widget is bound to one JSON path of the application document. It parses what the clerk
types as they type, shows a red border and the Chinese reason as tooltip when the text is not a
valid value, and reports `(value, raw, typing)`:

* `value` — what goes into the document: a value of the right Python type, `None` for a required
  nullable key, or `docpath.MISSING` (the key is left out) when nothing valid was typed;
* `raw` — the typed text when it is not a valid value (kept in the editor's `invalid` dict, so it
  is saved with the draft and shown again later), else `None`.

The constraints (length, minimum, date format, nullability) are read from the exchange schema,
never restated here.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QSizePolicy, QWidget

from alliance_desk import exchange

from ui.editor.docpath import MISSING, parse as parse_path

translate = QCoreApplication.translate

INT_MAX = 2**63 - 1  # what SQLite/PostgreSQL integers hold


# ------------------------------------------------------------------ what the schema says about a path

@dataclass(frozen=True)
class Spec:
    kind: str  # text | int | number | date | datetime | bool | enum | lines | object | other
    required: bool = False  # the key is required in its parent object
    nullable: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    enum: tuple = ()


def _resolve(node: dict) -> dict:
    ref = node.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return exchange.schema()["$defs"][ref.split("/")[-1]]
    return node


@lru_cache(maxsize=None)
def spec_for(path: str) -> Spec:
    """The schema's description of the value at `path` (`members[0].employees`, `name` …)."""
    node: dict = exchange.schema()
    required = False
    for part in parse_path(path):
        node = _resolve(node)
        if isinstance(part, int):
            node = node.get("items", {})
            required = True
            continue
        props = node.get("properties", {})
        if part not in props:
            return Spec("other")
        required = part in node.get("required", ())
        node = props[part]
    return _spec_of(_resolve(node), required, path)


def _spec_of(node: dict, required: bool, path: str) -> Spec:
    types = node.get("type")
    types = tuple(types) if isinstance(types, list) else ((types,) if types else ())
    nullable = "null" in types
    main = next((t for t in types if t != "null"), None)
    common = dict(required=required, nullable=nullable)
    if "enum" in node:
        return Spec("enum", enum=tuple(node["enum"]), **common)
    if main == "string":
        if node.get("format") == "date":
            return Spec("date", **common)
        if "pattern" in node and "T" in node["pattern"]:
            return Spec("datetime", **common)
        return Spec("text", min_length=node.get("minLength"), max_length=node.get("maxLength"), **common)
    if main == "integer":
        return Spec("int", minimum=node.get("minimum"), **common)
    if main == "number":
        return Spec("number", minimum=node.get("minimum"), **common)
    if main == "boolean":
        return Spec("bool", **common)
    if main == "array":
        return Spec("lines", **common)
    if main == "object":
        return Spec("object", **common)
    return Spec("other", **common)


# ------------------------------------------------------------------ parsing typed text (pure functions)

@dataclass(frozen=True)
class Parsed:
    value: Any
    problem: str | None = None


def _empty(spec: Spec) -> Any:
    """What the document holds when nothing valid was typed."""
    if not spec.required:
        return MISSING
    if spec.nullable:
        return None
    if spec.kind in ("text", "datetime", "date"):
        return ""
    return MISSING


def _numeric_text(text: str) -> str:
    # full-width digits and signs (１２０, －) -> ASCII; thousands separators and spaces dropped
    t = unicodedata.normalize("NFKC", text).strip()
    return t.replace(",", "").replace("，", "").replace(" ", "")


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[T ]?\s*"
                          r"(\d{1,2})\s*[:：时]\s*(\d{2})\s*分?$")


def parse_text(spec: Spec, text: str) -> Parsed:
    """Parse what was typed into a field described by `spec`."""
    stripped = text.strip()
    kind = spec.kind
    if kind in ("text", "other"):
        if not stripped:
            if spec.min_length:
                return Parsed("" if spec.required else MISSING,
                              translate("Fields", "必填，不能为空"))
            return Parsed("" if spec.required else MISSING)
        n = len(stripped)
        if spec.min_length and n < spec.min_length:
            return Parsed(stripped, translate("Fields", "长度至少 {0} 个字符，当前 {1} 个").format(spec.min_length, n))
        if spec.max_length and n > spec.max_length:
            return Parsed(stripped, translate("Fields", "长度至多 {0} 个字符，当前 {1} 个").format(spec.max_length, n))
        return Parsed(stripped)
    if kind == "lines":
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        return Parsed(lines if lines else MISSING)
    if not stripped:
        if spec.required and not spec.nullable:
            return Parsed(_empty(spec), translate("Fields", "必填，不能为空"))
        return Parsed(_empty(spec))
    if kind == "int":
        t = _numeric_text(stripped)
        if not re.fullmatch(r"[+-]?\d+", t):
            return Parsed(_empty(spec), translate("Fields", "应为整数（如 120），「{0}」不是整数").format(stripped))
        n = int(t)
        if spec.minimum is not None and n < spec.minimum:
            return Parsed(_empty(spec), translate("Fields", "不能小于 {0}").format(_fmt_num(spec.minimum)))
        if abs(n) > INT_MAX:
            return Parsed(_empty(spec), translate("Fields", "数值过大"))
        return Parsed(n)
    if kind == "number":
        t = _numeric_text(stripped)
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t):
            return Parsed(_empty(spec), translate("Fields", "应为数字（如 12.5），「{0}」不是数字").format(stripped))
        x = float(t)
        if not math.isfinite(x) or abs(x) > 1e15:
            return Parsed(_empty(spec), translate("Fields", "数值过大"))
        if spec.minimum is not None and x < spec.minimum:
            return Parsed(_empty(spec), translate("Fields", "不能小于 {0}").format(_fmt_num(spec.minimum)))
        return Parsed(int(x) if x.is_integer() and "." not in t else x)
    if kind == "date":
        m = _DATE_RE.match(unicodedata.normalize("NFKC", stripped))
        if not m:
            return Parsed(_empty(spec), translate("Fields", "日期格式应为 YYYY-MM-DD（如 2023-09-01）"))
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return Parsed(_empty(spec), translate("Fields", "「{0}」不是真实存在的日期").format(stripped))
        return Parsed(d.isoformat())
    if kind == "datetime":
        m = _DATETIME_RE.match(unicodedata.normalize("NFKC", stripped))
        if not m:
            return Parsed(_empty(spec), translate("Fields", "时间格式应为 YYYY-MM-DD HH:MM（如 2023-09-20 10:00）"))
        try:
            dt = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
        except ValueError:
            return Parsed(_empty(spec), translate("Fields", "「{0}」不是真实存在的日期时间").format(stripped))
        return Parsed(dt.strftime("%Y-%m-%dT%H:%M"))
    return Parsed(stripped)


def _same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return type(a) is type(b) and a == b


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def format_value(spec: Spec, value: Any) -> str:
    """The text a field shows for a document value."""
    if value is MISSING or value is None:
        return ""
    if spec.kind == "datetime" and isinstance(value, str):
        return value.replace("T", " ")
    if spec.kind == "lines" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bool):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def problem_of_value(spec: Spec, value: Any) -> str | None:
    """The reason a value already in the document breaks the schema's length rules (else None)."""
    if spec.kind == "text" and isinstance(value, str):
        return parse_text(spec, value).problem
    return None


# ------------------------------------------------------------------ Ctrl+Z / Ctrl+Y go to the editor's stack

def undo_redo_of(event) -> str | None:
    if event.matches(QKeySequence.StandardKey.Undo):
        return "undo"
    if event.matches(QKeySequence.StandardKey.Redo):
        return "redo"
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    ctrl = Qt.KeyboardModifier.ControlModifier
    if event.key() == Qt.Key.Key_Y and mods == ctrl:
        return "redo"
    if event.key() == Qt.Key.Key_Z and mods == (ctrl | Qt.KeyboardModifier.ShiftModifier):
        return "redo"
    return None


class UndoKeyFilter(QObject):
    """Keeps the text widgets' own undo history out of the way: Ctrl+Z/Ctrl+Y (Ctrl+Shift+Z) inside
    the editor trigger the editor's QUndoStack actions, so one key undoes a field edit, a paste or a
    row move alike — and never collides with a window-level Ctrl+Z shortcut."""

    def __init__(self, undo_action, redo_action, parent=None):
        super().__init__(parent)
        self._actions = {"undo": undo_action, "redo": redo_action}

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        t = event.type()
        if t in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            which = undo_redo_of(event)
            if which:
                if t == QEvent.Type.ShortcutOverride:
                    # claim the key so no window-level shortcut (or the widget's own undo) takes it;
                    # the KeyPress that follows triggers the editor's action below
                    event.accept()
                    return True
                self._actions[which].trigger()
                return True
        return False

    def watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)


def show_problem(widget: QWidget, problem: str | None, hint: str) -> None:
    """Red border (via the `invalid` property) and the reason as tooltip, or back to normal."""
    was = widget.property("invalid")
    widget.setProperty("invalid", bool(problem))
    widget.setToolTip(problem or hint)
    widget.setAccessibleDescription(problem or "")
    if bool(was) != bool(problem):
        widget.style().unpolish(widget)
        widget.style().polish(widget)
        widget.update()


# ------------------------------------------------------------------ widgets

class LineField(QLineEdit):
    """One-line text, integer, number, date or date-time field."""

    edited = Signal(object, object, bool)  # value, raw text (None if valid), typing
    burstEnded = Signal()

    def __init__(self, path: str, spec: Spec | None = None, placeholder: str = "", hint: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.path = path
        self.spec = spec or spec_for(path)
        self._hint = hint
        self._problem: str | None = None
        self.setObjectName("field_" + path.replace(".", "_"))
        if not placeholder:
            placeholder = {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:MM"}.get(self.spec.kind, "")
        self.setPlaceholderText(placeholder)
        self.textEdited.connect(self._on_edited)
        self.editingFinished.connect(self._on_finished)

    def problem(self) -> str | None:
        return self._problem

    def set_value(self, value: Any, raw: str | None = None) -> None:
        """Show a document value (or the raw invalid text) without reporting an edit."""
        current = self.text()
        if raw is not None:
            text = raw
        else:
            parsed = parse_text(self.spec, current)
            same = parsed.problem is None and _same(parsed.value, value)
            # the text already means this value (`2021-02-3`, `abc ` while typing on): keep it as typed
            text = current if same else format_value(self.spec, value)
        if text != current:
            pos = self.cursorPosition()
            self.setText(text)
            if self.hasFocus():
                self.setCursorPosition(min(pos, len(text)))
        self._validate(self.text())

    def _validate(self, text: str) -> Parsed:
        parsed = parse_text(self.spec, text)
        self._problem = parsed.problem
        show_problem(self, parsed.problem, self._hint)
        return parsed

    def _on_edited(self, text: str) -> None:
        parsed = self._validate(text)
        raw = text if parsed.problem and text.strip() else None
        self.edited.emit(parsed.value, raw, True)

    def _on_finished(self) -> None:
        parsed = parse_text(self.spec, self.text())
        if parsed.problem is None and self.spec.kind in ("date", "datetime", "int", "number"):
            canonical = format_value(self.spec, parsed.value)
            if canonical != self.text():
                self.setText(canonical)  # 2023/9/1 -> 2023-09-01; same value, no new edit
        self.burstEnded.emit()


class TextAreaField(QPlainTextEdit):
    """Multi-line text (`goals`, `opinion`) or one list entry per line (`research_directions`)."""

    edited = Signal(object, object, bool)
    burstEnded = Signal()

    def __init__(self, path: str, spec: Spec | None = None, placeholder: str = "", height: int = 64,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.path = path
        self.spec = spec or spec_for(path)
        self._updating = False
        self.setObjectName("field_" + path.replace(".", "_"))
        self.setPlaceholderText(placeholder)
        self.setUndoRedoEnabled(False)  # the editor's QUndoStack owns undo
        self.setTabChangesFocus(True)
        self.setFixedHeight(height)
        self.textChanged.connect(self._on_changed)

    def problem(self) -> str | None:
        return None

    def set_value(self, value: Any, raw: str | None = None) -> None:
        text = raw if raw is not None else format_value(self.spec, value)
        if self.spec.kind == "lines":
            current = parse_text(self.spec, self.toPlainText()).value
            if current == (value if value is not None else MISSING) and raw is None:
                return  # same list: keep the clerk's blank lines and cursor
        if text != self.toPlainText():
            self._updating = True
            try:
                cursor = self.textCursor()
                pos = cursor.position()
                self.setPlainText(text)
                if self.hasFocus():
                    cursor = self.textCursor()
                    cursor.setPosition(min(pos, len(text)))
                    self.setTextCursor(cursor)
            finally:
                self._updating = False

    def _on_changed(self) -> None:
        if self._updating:
            return
        parsed = parse_text(self.spec, self.toPlainText())
        if self.spec.kind == "text":
            # keep line breaks and inner spacing of long texts exactly as typed
            text = self.toPlainText()
            value = text if text.strip() else parsed.value
            self.edited.emit(value, None, True)
        else:
            self.edited.emit(parsed.value, None, True)

    def focusOutEvent(self, event):  # noqa: N802 - Qt API
        super().focusOutEvent(event)
        self.burstEnded.emit()


class CheckField(QCheckBox):
    edited = Signal(object, object, bool)
    burstEnded = Signal()

    def __init__(self, path: str, text: str, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.path = path
        self.spec = spec_for(path)
        self.setObjectName("field_" + path.replace(".", "_"))
        self.clicked.connect(lambda checked: self.edited.emit(bool(checked), None, False))

    def problem(self) -> str | None:
        return None

    def set_value(self, value: Any, raw: str | None = None) -> None:
        want = value is True or (isinstance(value, dict))
        if self.isChecked() != want:
            self.blockSignals(True)
            self.setChecked(want)
            self.blockSignals(False)


class ComboField(QComboBox):
    """A choice among (label, value) pairs; a stored value outside the list is kept and shown."""

    edited = Signal(object, object, bool)
    burstEnded = Signal()

    def __init__(self, path: str, items: list[tuple[str, Any]], parent: QWidget | None = None,
                 required_hint: bool = False):
        super().__init__(parent)
        self.path = path
        self.spec = spec_for(path)
        self._values: list[Any] = []
        self._required = required_hint
        self._problem: str | None = None
        self.setObjectName("field_" + path.replace(".", "_"))
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(16)
        for label, value in items:
            self.add_choice(label, value)
        self.activated.connect(self._on_activated)

    def add_choice(self, label: str, value: Any) -> None:
        self.addItem(label)
        self._values.append(value)

    def problem(self) -> str | None:
        return self._problem

    def current_value(self) -> Any:
        i = self.currentIndex()
        return self._values[i] if 0 <= i < len(self._values) else MISSING

    def set_value(self, value: Any, raw: str | None = None) -> None:
        idx = next((i for i, v in enumerate(self._values) if v == value and type(v) is type(value)), -1)
        if idx < 0 and value not in (MISSING, None, ""):
            self.add_choice(translate("Fields", "{0}（不在列表中）").format(value), value)
            idx = len(self._values) - 1
        if idx < 0:
            idx = next((i for i, v in enumerate(self._values) if v in (MISSING, None, "")), 0)
        if idx != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(idx)
            self.blockSignals(False)
        self._check()

    def _check(self) -> None:
        v = self.current_value()
        self._problem = translate("Fields", "必填，请选择") if self._required and v in (MISSING, None, "") else None
        show_problem(self, self._problem, "")

    def _on_activated(self, index: int) -> None:
        self._check()
        self.edited.emit(self._values[index], None, False)


class ElidedLabel(QLabel):
    """A one-line label that never widens its layout: long text is elided (full text as tooltip)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height())

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(0, self.width() - 2)
        QLabel.setText(self, self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
                       if width else self._full)
