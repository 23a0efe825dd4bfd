"""The shape of a rule kind and the registry the themed modules fill.

A `RuleKind` holds everything about one kind in one place: its parameters (required and optional)
and their validation (run when a pack loads, with the file and line in every message), its
evaluation `(AppView, params, Context) -> (met, message, field)`, and its editor hint — the facts
of the application it reads (document paths, `lead.*` facts, `members.<column>`), so the editor
offers exactly the fields a region's rules judge. The outcome's `field` is where the checklist
sends the clerk when the rule is not met. `met is None` reports `na`; `met == "warn"` is a soft
outcome of a rule that otherwise fails.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

from alliance_desk import exchange
from alliance_desk.rules.view import AppView, Context, Outcome

REGISTRY: dict[str, "RuleKind"] = {}


@dataclass(frozen=True)
class RuleKind:
    id: str
    fn: Callable[[AppView, dict, Context], Outcome]
    required: frozenset = frozenset()
    optional: frozenset = frozenset()
    validate: Callable[[dict, "ParamCheck"], None] | None = None
    reads: tuple = ()  # facts read whatever the parameters
    param_facts: Callable[[dict], Iterable[str]] | None = field(default=None, repr=False)

    def evaluate(self, a: AppView, params: dict, ctx: Context) -> Outcome:
        return self.fn(a, params, ctx)

    def facts(self, params: dict) -> set[str]:
        """The editor hint: every fact of the application this rule reads."""
        out = set(self.reads)
        if self.param_facts is not None:
            out |= set(self.param_facts(params))
        return out


def register(kind_id: str, fn, required=(), optional=(), validate=None, reads=(), param_facts=None) -> RuleKind:
    kind = RuleKind(kind_id, fn, frozenset(required), frozenset(optional), validate, tuple(reads), param_facts)
    REGISTRY[kind_id] = kind
    return kind


# ------------------------------------------------------------------ field paths the schema knows

def _object_paths(node: dict, prefix: str, out: set[str]) -> None:
    node = exchange._resolve(node)
    for key, sub in node.get("properties", {}).items():
        path = f"{prefix}{key}"
        out.add(path)
        sub = exchange._resolve(sub)
        types = sub.get("type")
        if types == "object" or (isinstance(types, list) and "object" in types):
            _object_paths(sub, path + ".", out)


@lru_cache(maxsize=1)
def application_fields() -> frozenset[str]:
    out: set[str] = set()
    _object_paths(exchange.schema(), "", out)
    return frozenset(out)


@lru_cache(maxsize=1)
def member_fields() -> frozenset[str]:
    return frozenset(exchange.schema()["$defs"]["member"]["properties"])


# ------------------------------------------------------------------ validating a rule's parameters

@dataclass
class ParamCheck:
    """What a kind's validator may use: the rule id, the pack's material codes, and `fail`, which
    raises the pack error with the file and the line of `key` inside the rule."""
    rid: str
    codes: set
    fail: Callable

    def error(self, msg: str, key: str | None) -> None:
        self.fail(msg, self.rid, key)

    def app_fields(self, fields: Iterable[str]) -> None:
        for f in fields:
            if f not in application_fields():
                self.error(f"规则 {self.rid} 引用了未知字段「{f}」", f.split(".")[-1])

    def known(self, values: Iterable, table: dict, noun: str, key: str) -> None:
        for v in values:
            if v not in table:
                self.error(f"规则 {self.rid} 的{noun}「{v}」未知", key)

    def one_of(self, value, allowed: tuple, key: str) -> None:
        if value not in allowed:
            self.error(f"规则 {self.rid} 的 {key} 应为 {' 或 '.join(allowed)}", key)


def check_params(params: dict, kind: str, rid: str, codes: set[str], fail) -> None:
    """Validate `params` of a rule of `kind` (a registered id): known and required keys, then the
    kind's own checks."""
    spec = REGISTRY[kind]
    for key in params:
        if key not in spec.required and key not in spec.optional:
            fail(f"规则 {rid}（{kind}）有未知参数「{key}」", rid, key)
    for req in spec.required:
        if req not in params:
            fail(f"规则 {rid}（{kind}）缺少参数「{req}」", rid, "kind")
    if spec.validate is not None:
        spec.validate(params, ParamCheck(rid, codes, fail))
