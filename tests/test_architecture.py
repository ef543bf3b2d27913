"""The code layout the README's code map describes, checked from the source.

Dependencies point one way (core -> study -> privacy -> stages -> run/site/forms -> cli),
so there is no import cycle, counting imports inside functions and the
package ``__init__`` each import runs; no module takes a ``_private`` name of
another; one module (kit.layout) spells the repository's folders and files.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "kit"


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(mods: dict[str, Path]) -> tuple[dict[str, set[str]], list[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    private = []
    for mod, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("kit"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.append(full if full in mods else node.module)
                    if alias.name.startswith("_") and alias.name != "__version__":
                        private.append(f"{mod} imports {full}")
            elif isinstance(node, ast.ImportFrom) and node.level:
                private.append(f"{mod}: relative import (use kit.<package>.<module>)")
            elif isinstance(node, ast.Import):
                targets += [a.name for a in node.names if a.name.startswith("kit")]
            for target in targets:
                parts = target.split(".")
                # importing kit.a.b runs kit/a/__init__.py first: that is an edge too
                for i in range(2, len(parts) + 1):
                    pkg = ".".join(parts[:i])
                    if pkg in mods and pkg != mod and not mod.startswith(pkg + "."):
                        edges[mod].add(pkg)
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_and_no_private_name_crosses_a_module():
    edges, private = _imports(_modules())
    assert _cycles(edges) == []
    assert private == []


def test_a_few_core_modules_and_a_package_per_stage_or_concern():
    top = sorted(p.stem for p in SRC.glob("*.py") if p.stem != "__init__")
    packages = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").is_file())
    assert len(top) <= 12, top
    assert {"study", "privacy", "plan", "synthesis", "insights", "run", "site", "forms"} <= set(packages)


def test_no_module_over_400_lines():
    long = {
        str(p.relative_to(SRC)): n for p in SRC.rglob("*.py") if (n := len(p.read_text("utf-8").splitlines())) > 400
    }
    assert long == {}


def test_every_package_says_its_role_and_what_it_may_import():
    for init in SRC.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8"))) or ""
        assert "May import" in doc, init


# A string literal naming a folder or an output file ("studies" is also a key of index.json: not listed).
LAYOUT_LITERALS = re.compile(
    r"""(["'])(reports|notebooks|templates|_site|plan\.json|synthesis\.json|"""
    r"""insights\.json|index\.json)\1"""
)


def test_only_kit_layout_spells_the_repository_layout():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "layout.py":
            continue
        for no, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if LAYOUT_LITERALS.search(code):
                offenders.append(f"{path.relative_to(SRC)}:{no}: {line.strip()}")
    assert offenders == []
