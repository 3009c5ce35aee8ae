"""The core's import graph: no cycles between meldkamer's subpackages, no framework imports.

Every module under ``meldkamer/`` is parsed (nothing is imported); an import anywhere in
a module counts, also one inside a function. The service layer, the composition root
and the CLI sit on top: they may import every other subpackage, nothing imports them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "meldkamer"
#: The top layers, lowest first: each may import the ones before it, never one after.
TOP = ("service", "composition", "cli")
#: Imports that would tie the core to a framework (adapters live outside meldkamer/).
FORBIDDEN = ("rasa", "rasa_sdk", "sanic", "aiohttp.web")


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target``; ``where`` is the file and line that does it."""

    source: str
    target: str
    where: str


def _modules(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        yield path, ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = module.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    # ``from aiohttp import web`` imports aiohttp.web: name the submodules too.
    return [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]


def imports(root: Path) -> Iterator[tuple[str, str, str]]:
    """(importing module, imported name, file:line) for every import under ``root``."""
    for path, module in _modules(root):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            for name in _imported(node, module, path.name == "__init__.py"):
                yield module, name, f"{path.relative_to(root.parent)}:{node.lineno}"


def _unit(module: str, package: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == package and len(parts) > 1 else None


def graph(root: Path) -> dict[str, list[Edge]]:
    """The edges between the subpackages (and top-level modules) of the package at ``root``."""
    edges: dict[str, list[Edge]] = defaultdict(list)
    for module, name, where in imports(root):
        source, target = _unit(module, root.name), _unit(name, root.name)
        edge = Edge(str(source), str(target), where)
        if source and target and source != target and edge not in edges[source]:
            edges[source].append(edge)
    return edges


def find_cycle(edges: Mapping[str, list[Edge]]) -> list[Edge] | None:
    """One cycle of the graph as its edges in order, or ``None``."""
    done: set[str] = set()
    on_path: list[str] = []  # the nodes entered, in order
    path: list[Edge] = []  # path[i] goes from on_path[i] to on_path[i + 1]

    def visit(node: str) -> list[Edge] | None:
        on_path.append(node)
        for edge in edges.get(node, []):
            if edge.target in on_path:
                return [*path[on_path.index(edge.target) :], edge]
            if edge.target in done:
                continue
            path.append(edge)
            found = visit(edge.target)
            if found:
                return found
            path.pop()
        on_path.pop()
        done.add(node)
        return None

    for node in sorted(edges):
        if node not in done:
            found = visit(node)
            if found:
                return found
    return None


def describe(cycle: list[Edge]) -> str:
    """The cycle as people read it: ``a -> b (file:line) -> a (file:line)``."""
    return " -> ".join([cycle[0].source] + [f"{edge.target} ({edge.where})" for edge in cycle])


def layer_violations(edges: Mapping[str, list[Edge]]) -> list[Edge]:
    """Imports of a top layer from below it (the core importing the service layer, ...)."""
    rank = {name: index + 1 for index, name in enumerate(TOP)}
    return [
        edge
        for source_edges in edges.values()
        for edge in source_edges
        if edge.target in rank and rank.get(edge.source, 0) < rank[edge.target]
    ]


def framework_imports(root: Path) -> list[str]:
    """Imports of Rasa, rasa_sdk, sanic or aiohttp.web under ``root``."""
    return [
        f"{where}: {name}"
        for _, name, where in imports(root)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]


def test_no_cycles_between_meldkamer_subpackages() -> None:
    cycle = find_cycle(graph(CORE))
    assert cycle is None, f"import cycle: {describe(cycle)}"


def test_nothing_imports_the_service_layer_composition_or_cli_back() -> None:
    wrong = layer_violations(graph(CORE))
    assert not wrong, "\n".join(f"{e.source} imports {e.target} ({e.where})" for e in wrong)


def test_the_core_imports_no_framework() -> None:
    found = framework_imports(CORE)
    assert not found, "framework imports in meldkamer/:\n" + "\n".join(found)


# The checks themselves, on a small package written for the purpose: they must fail.


def _package(root: Path, files: Mapping[str, str]) -> Path:
    for name, source in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root / "pkg"


def test_a_cycle_is_found_and_named_with_its_files(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "",
            "a/x.py": "from pkg.b.y import thing\n",
            "b/__init__.py": "",
            "b/y.py": "def f():\n    from pkg.c import other\n",
            "c.py": "from . import a\n",
        },
    )
    cycle = find_cycle(graph(root))
    assert cycle is not None
    text = describe(cycle)
    assert [e.source for e in cycle] == ["a", "b", "c"] and cycle[-1].target == "a"
    assert "pkg/b/y.py:2" in text and "pkg/c.py:1" in text


def test_no_cycle_in_a_layered_package(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "import pkg.b\n",
            "b.py": "import os\n",
            "service.py": "import pkg.a\n",
        },
    )
    assert find_cycle(graph(root)) is None and layer_violations(graph(root)) == []


@pytest.mark.parametrize(
    "source",
    ["from aiohttp import web", "import rasa_sdk.events", "from sanic import Sanic", "import rasa"],
)
def test_framework_imports_are_found(tmp_path: Path, source: str) -> None:
    root = _package(tmp_path, {"__init__.py": "", "m.py": f"def f():\n    {source}\n"})
    found = framework_imports(root)
    assert found and all(line.startswith("pkg/m.py:2: ") for line in found)


def test_aiohttp_client_is_allowed_and_a_back_import_is_not(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "import aiohttp\nfrom pkg.service import run\n",
            "service.py": "",
        },
    )
    assert framework_imports(root) == []
    assert [(e.source, e.target) for e in layer_violations(graph(root))] == [("a", "service")]
