"""The package graph in docs/architecture.md is the code's: no import cycles, no upward imports.

Every ``import`` of ``src/senga`` is read with :mod:`ast` (module level, inside
functions, under ``TYPE_CHECKING``: an import anywhere is an edge). Two checks:

* between modules there is no cycle (``a -> b -> ... -> a``);
* between packages (``senga.extract.tiling`` is in package ``extract``,
  ``senga/evaluate.py`` is package ``evaluate``) the edges are exactly the
  "may import" table of docs/architecture.md: an import the table does not
  allow fails (add it to the table only if it points down), and so does a
  table entry no code uses any more (the table stays true).

``from senga import __version__`` and a bare ``import senga`` (the root package
imports nothing when imported; its ``LineExtractor`` is loaded on first use) are the
only imports of the root package allowed to other modules; they are not edges.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
DOC = REPO / "docs" / "architecture.md"
ROOT = "senga"
TABLE_START, TABLE_END = "<!-- allowed-imports:start -->", "<!-- allowed-imports:end -->"


def _modules() -> dict[str, Path]:
    """``{"senga.extract.tiling": path, "senga.extract": path/__init__.py, ...}``."""
    found = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _owner(name: str) -> str | None:
    """The module that ``name`` (a module or a name inside one) lives in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> Iterator[tuple[str, int, ast.ImportFrom | ast.Import]]:
    """``(target module, line, node)`` for every senga import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == ROOT or alias.name.startswith(ROOT + "."):
                    target = _owner(alias.name)
                    if target:
                        yield target, node.lineno, node
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x / from ..a import b
                base = package[: len(package) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if source != ROOT and not source.startswith(ROOT + "."):
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                target = full if full in MODULES else _owner(source)
                if target:
                    yield target, node.lineno, node


def _is_version_import(node: ast.AST) -> bool:
    """``from senga import __version__`` or a bare ``import senga`` (the root imports nothing at import)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names] == [ROOT]
    return (
        isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module == ROOT
        and [a.name for a in node.names] == ["__version__"]
    )


@functools.cache
def module_graph() -> dict[str, dict[str, str]]:
    """``{module: {imported module: "file:line" of the first such import}}``."""
    graph: dict[str, dict[str, str]] = {}
    for module, path in MODULES.items():
        edges: dict[str, str] = {}
        for target, line, node in _imports(module, path):
            if target == module or _is_version_import(node):
                continue
            edges.setdefault(target, f"{path.relative_to(REPO)}:{line}")
        graph[module] = edges
    return graph


def package_of(module: str) -> str:
    """``senga.extract.tiling`` -> ``extract``; ``senga`` (the root package) -> ``senga``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def allowed_edges() -> dict[str, set[str]]:
    """The "may import" table of docs/architecture.md, between its two markers."""
    text = DOC.read_text(encoding="utf-8")
    assert TABLE_START in text and TABLE_END in text, f"{DOC}: the table's markers are missing"
    table = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    allowed: dict[str, set[str]] = {}
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        names = re.findall(r"`([\w.]+)`", cells[0]) if len(cells) >= 2 else []
        if names:
            allowed[names[0]] = set(re.findall(r"`([\w.]+)`", cells[1]))
    return allowed


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_parser_sees_every_kind_of_import() -> None:
    graph = module_graph()
    assert "senga.extract.tiling" in graph["senga.extract.extractor"]  # module level, parenthesised
    assert "senga.models" in graph["senga.extract.extractor"]  # inside a function
    assert "senga.extract.extractor" in graph[ROOT]  # the root package's lazy __getattr__
    assert ROOT not in graph["senga.models.pretrained"]  # `from senga import __version__` is no edge


def test_no_module_import_cycles() -> None:
    graph = module_graph()
    cycles = _cycles({m: set(edges) for m, edges in graph.items()})
    where = [
        " -> ".join(c)
        + "  ("
        + "; ".join(f"{m} imports {t} at {graph[m][t]}" for m in c for t in graph[m] if t in c)
        + ")"
        for c in cycles
    ]
    assert not cycles, "import cycles:\n" + "\n".join(where)


def test_only_the_version_is_imported_from_the_root_package() -> None:
    bad = [
        f"{path.relative_to(REPO)}:{line}"
        for module, path in MODULES.items()
        for target, line, node in _imports(module, path)
        if target == ROOT and module != ROOT and not _is_version_import(node)
    ]
    assert not bad, f"import from the submodule, not from the root package: {bad}"


def test_package_edges_are_the_documented_ones() -> None:
    allowed = allowed_edges()
    graph = module_graph()
    actual: dict[str, dict[str, str]] = {}
    for module, edges in graph.items():
        for target, where in edges.items():
            a, b = package_of(module), package_of(target)
            if a != b:
                actual.setdefault(a, {}).setdefault(b, where)
    packages = {package_of(m) for m in MODULES}
    undocumented = sorted(packages - set(allowed))
    assert not undocumented, f"{DOC.name}: add a row for package(s) {undocumented} to the may-import table"
    upward = [
        f"{a} -> {b} ({where})"
        for a, targets in sorted(actual.items())
        for b, where in sorted(targets.items())
        if b not in allowed.get(a, set())
    ]
    assert not upward, f"imports the table in {DOC.name} does not allow:\n" + "\n".join(upward)
    stale = [
        f"{a} -> {b}" for a, bs in sorted(allowed.items()) for b in sorted(bs) if b not in actual.get(a, {})
    ]
    assert not stale, f"{DOC.name} allows imports no code makes (remove them): {stale}"


def test_the_documented_package_graph_has_no_cycle() -> None:
    allowed = allowed_edges()
    assert not _cycles(allowed), f"{DOC.name}: the may-import table has a cycle: {_cycles(allowed)}"
