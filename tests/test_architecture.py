"""The architecture as a test: imports run one way (ui → alliance_desk → db, and cli on top), no module
imports itself round a cycle, and no module grows past 600 lines unless it is named data.

Every .py under alliance_desk/, db/ (without the frozen migrations), ui/ and cli/ is parsed with `ast`;
every import — at module level, inside functions, relative ones too, but not those under
`if TYPE_CHECKING:` (they never run) — becomes an edge to the module it names: `from pkg import name`
goes to the submodule pkg.name when there is one, else to pkg (whose `__init__` runs), so a package
`__init__` re-exporting from its submodules is an edge too.

KNOWN lists tolerated violations; it is empty. Should one ever have to be tolerated for a while, the
test also fails once it no longer occurs, so the list can only shrink.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("alliance_desk", "db", "ui", "cli")
SKIPPED_DIRS = (("db", "migrations"),)  # frozen Alembic revisions: data for Alembic, never imported
# layer -> layers it must never import (the arrows point ui → alliance_desk → db; cli sits on top)
FORBIDDEN = {"db": {"alliance_desk", "ui", "cli"}, "alliance_desk": {"ui", "cli"}, "ui": {"cli"}}
MAX_LINES = 600
DATA_ONLY = {  # module -> why it may be longer than MAX_LINES
    "alliance_desk.demo": "the demo applications of the five regions: literal data, no logic",
}

KNOWN: set[str] = set()


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    path: Path
    line: int
    text: str

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line}: {self.text}"


def find_modules(root: Path) -> dict[str, Path]:
    mods = {}
    for top in PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if any(parts[:len(skip)] == skip for skip in SKIPPED_DIRS):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            mods[".".join(parts)] = path
    return mods


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(node: ast.AST):
    """Every Import/ImportFrom below `node`, skipping the bodies of `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.orelse:
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    yield stmt
                yield from _import_nodes(stmt)
        else:
            yield from _import_nodes(child)


def _existing(name: str, mods: dict[str, Path]) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def resolve(module: str, node: ast.Import | ast.ImportFrom, mods: dict[str, Path]) -> list[str]:
    """The project modules an import statement in `module` names (outside modules are dropped)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if mods[module].name == "__init__.py" else module.split(".")[:-1]
            package = package[:len(package) - (node.level - 1)]
            base = ".".join(package + ([base] if base else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
    found = (_existing(n, mods) for n in names)
    return sorted({t for t in found if t and t != module})


def import_edges(root: Path) -> tuple[dict[str, Path], list[Edge]]:
    mods = find_modules(root)
    edges = []
    for module, path in mods.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in _import_nodes(ast.parse(text, filename=str(path))):
            for target in resolve(module, node, mods):
                edges.append(Edge(module, target, path, node.lineno, lines[node.lineno - 1].strip()))
    return mods, edges


def strongly_connected(nodes, graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (deep chains must not hit the recursion limit); components of 2+."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def violations(root: Path, max_lines: int = MAX_LINES, data_only=DATA_ONLY) -> dict[str, str]:
    """{key: explanation} of every layer violation, cycle and oversized module under `root`."""
    mods, edges = import_edges(root)
    found = {}
    for e in edges:
        if e.target.split(".")[0] in FORBIDDEN.get(e.source.split(".")[0], ()):
            key = f"layer {e.source} -> {e.target}"
            found[key] = found.get(key, key + ":") + f"\n    {e.where(root)}"
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
    for comp in strongly_connected(mods, graph):
        members = set(comp)
        inner = sorted({e.where(root) for e in edges if e.source in members and e.target in members})
        found["cycle " + " ".join(comp)] = f"cycle of {len(comp)} modules: {', '.join(comp)}\n    " + \
            "\n    ".join(inner)
    for module, path in mods.items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > max_lines and module not in data_only:
            found[f"size {module}"] = f"size {module}: {path.relative_to(root)} has {n} lines (over {max_lines})"
    return found


def _tolerated(key: str, known: set[str]) -> bool:
    """A violation in KNOWN; a cycle is also tolerated while it lies inside a known cycle (a part of it
    was already broken)."""
    if key in known:
        return True
    if key.startswith("cycle "):
        members = set(key.split()[1:])
        return any(k.startswith("cycle ") and members <= set(k.split()[1:]) for k in known)
    return False


def _still_occurs(entry: str, found: dict[str, str]) -> bool:
    if entry in found:
        return True
    if entry.startswith("cycle "):
        return any(_tolerated(k, {entry}) for k in found if k.startswith("cycle "))
    return False


def compare(found: dict[str, str], known: set[str]) -> tuple[list[str], list[str]]:
    """(new violations, KNOWN entries that no longer occur)."""
    new = [found[k] for k in sorted(found) if not _tolerated(k, known)]
    stale = sorted(k for k in known if not _still_occurs(k, found))
    return new, stale


# ------------------------------------------------------------------ the tree itself

def test_imports_run_one_way_without_cycles_and_modules_stay_small():
    new, stale = compare(violations(ROOT), KNOWN)
    message = ""
    if new:
        message += "New architecture violations:\n" + "\n".join(new) + "\n"
    if stale:
        message += "Fixed — remove from KNOWN in tests/test_architecture.py:\n" + "\n".join(stale) + "\n"
    assert not new and not stale, message


def test_every_data_only_module_exists_and_says_why():
    mods = find_modules(ROOT)
    for module, why in DATA_ONLY.items():
        assert module in mods, f"DATA_ONLY names {module}, which does not exist"
        assert why.strip()


def test_the_cli_imports_the_ui_only_inside_the_gui_command():
    """The one edge from cli to ui is the lazy import in the `gui` command, from the entry point down."""
    _, edges = import_edges(ROOT)
    to_ui = [e for e in edges if e.source.startswith("cli") and e.target.split(".")[0] == "ui"]
    assert [(e.source, e.target) for e in to_ui] == [("cli.system", "ui.app")]
    tree = ast.parse(to_ui[0].path.read_text(encoding="utf-8"))
    gui = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "cmd_gui")
    assert gui.lineno <= to_ui[0].line <= gui.end_lineno


# ------------------------------------------------------------------ the checker catches what it should

def _write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def tree(tmp_path) -> Path:
    """A clean little tree in the project's layout: ui → core → db, cli on top, a package re-exporting
    from its submodule."""
    _write(tmp_path, "db/__init__.py")
    _write(tmp_path, "db/session.py", "import sqlalchemy\n")
    _write(tmp_path, "db/migrations/versions/0001.py", "from alliance_desk import store\n")
    _write(tmp_path, "alliance_desk/__init__.py")
    _write(tmp_path, "alliance_desk/store/__init__.py", "from alliance_desk.store.audit import record\n")
    _write(tmp_path, "alliance_desk/store/audit.py", "from db.session import x\n\ndef record():\n    pass\n")
    _write(tmp_path, "ui/__init__.py")
    _write(tmp_path, "ui/app.py", "from alliance_desk import store\nfrom typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from cli import main\n")
    _write(tmp_path, "cli/__init__.py", "from cli import common\n\ndef gui():\n    from ui.app import run\n")
    _write(tmp_path, "cli/common.py", "import sys\n")
    return tmp_path


def test_a_clean_tree_has_no_violations(tree):
    assert violations(tree) == {}
    _, edges = import_edges(tree)
    assert {(e.source, e.target) for e in edges} == {
        ("alliance_desk.store", "alliance_desk.store.audit"), ("alliance_desk.store.audit", "db.session"),
        ("ui.app", "alliance_desk.store"), ("cli", "cli.common"), ("cli", "ui.app")}


def test_the_checker_catches_a_planted_cycle_through_a_relative_import_in_a_function(tree):
    _write(tree, "alliance_desk/store/audit.py", "from db.session import x\n\ndef record():\n"
                                                 "    from . import anchors\n")
    _write(tree, "alliance_desk/store/anchors.py", "from alliance_desk.store import record\n")
    found = violations(tree)
    assert set(found) == {"cycle alliance_desk.store alliance_desk.store.anchors alliance_desk.store.audit"}
    report = found.popitem()[1]
    assert "alliance_desk/store/audit.py:4: from . import anchors" in report
    assert "alliance_desk/store/anchors.py:1: from alliance_desk.store import record" in report
    new, stale = compare(violations(tree), set())
    assert len(new) == 1 and stale == []


def test_the_checker_catches_planted_upward_imports(tree):
    _write(tree, "db/session.py", "def backup():\n    import alliance_desk.store.audit\n")
    _write(tree, "alliance_desk/store/audit.py", "from db.session import x\nfrom ui import app\n")
    _write(tree, "ui/dialogs.py", "from ..cli import common\n")
    found = violations(tree)
    assert set(found) == {"layer db.session -> alliance_desk.store.audit", "layer alliance_desk.store.audit -> ui.app",
                          "layer ui.dialogs -> cli.common",
                          # each upward edge closes a loop with the downward ones already there
                          "cycle alliance_desk.store alliance_desk.store.audit db.session ui.app"}
    assert "db/session.py:2: import alliance_desk.store.audit" in found["layer db.session -> alliance_desk.store.audit"]


def test_the_checker_catches_a_planted_big_module_unless_it_is_named_data(tree):
    _write(tree, "alliance_desk/review.py", "x = 1\n" * 601)
    _write(tree, "alliance_desk/demo.py", "x = 1\n" * 700)
    _write(tree, "alliance_desk/dates.py", "x = 1\n" * 600)
    assert set(violations(tree)) == {"size alliance_desk.review"}
    assert set(violations(tree, data_only={})) == {"size alliance_desk.review", "size alliance_desk.demo"}


def test_known_entries_are_tolerated_until_they_are_fixed(tree):
    _write(tree, "alliance_desk/store/audit.py", "from alliance_desk.store import record\n")
    cycle = "cycle alliance_desk.store alliance_desk.store.audit"
    assert compare(violations(tree), {cycle}) == ([], [])
    bigger = "cycle alliance_desk.store alliance_desk.store.audit db.session"
    assert compare(violations(tree), {bigger}) == ([], [])  # part of a known cycle is already broken
    _write(tree, "alliance_desk/store/audit.py", "from db.session import x\n")
    assert compare(violations(tree), {cycle}) == ([], [cycle])  # fixed: KNOWN must shrink
    assert compare(violations(tree), {"size alliance_desk.store"}) == ([], ["size alliance_desk.store"])


if __name__ == "__main__":  # `python tests/test_architecture.py [ROOT]`: print the violations
    for text in violations(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT).values():
        print(text)
