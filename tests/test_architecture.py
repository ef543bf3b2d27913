"""The code layout the README's code map describes, checked from the source.

The allowed imports are a table, ``[tool.importlinter]`` in pyproject.toml,
that import-linter enforces (``make test`` runs ``lint-imports``); here: each
package's ``__init__`` docstring, the README's code map and ``kit``'s own
docstring say the same as the table, and a forbidden import planted in a copy
of the source makes ``lint-imports`` fail naming the contract. Besides: no
import cycle, counting imports inside functions and the package ``__init__``
each import runs; no module takes a ``_private`` name of another; one module
(kit.layout) spells the repository's folders and files.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "kit"


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


def _contracts() -> list[dict[str, Any]]:
    contracts: list[dict[str, Any]] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
    return contracts


def _layer_lines() -> list[str]:
    """The layers contract's lines as written, top first."""
    (contract,) = [c for c in _contracts() if c["type"] == "layers"]
    assert contract["containers"] == ["kit"]
    lines: list[str] = contract["layers"]
    return lines


def _allowed_imports() -> dict[str, set[str]]:
    """``kit.<package>`` -> what the table lets it import: every module of a lower layer and the siblings
    a ``:`` joins (never those a ``|`` separates), minus the forbidden contracts' modules."""
    layers = [(re.split(r"\s*[|:]\s*", line.strip()), ":" in line) for line in _layer_lines()]
    allowed: dict[str, set[str]] = {}
    for depth, (names, joined) in enumerate(layers):
        below = {f"kit.{name}" for lower, _ in layers[depth + 1 :] for name in lower}
        for name in names:
            siblings = {f"kit.{other}" for other in names if other != name} if joined else set()
            allowed[f"kit.{name}"] = below | siblings
    for contract in _contracts():
        if contract["type"] == "forbidden":
            for source in contract["source_modules"]:
                allowed[source] -= set(contract["forbidden_modules"])
        elif contract["type"] == "independence":
            for module in contract["modules"]:
                allowed[module] -= set(contract["modules"])
    # the bottom layer is the core, which the docstrings call "the core"
    core = {f"kit.{name}" for name in layers[-1][0]}
    return {
        module: (names - core) | ({"the core"} if core <= names else set())
        for module, names in allowed.items()
        if module not in core
    }


def _may_import(doc: str) -> set[str]:
    """What a docstring's "May import: ..." sentence names: "the core" and each :mod:`kit.<package>`."""
    match = re.search(r"May import:(.*?)(?:\.\s|\.$)", doc, re.DOTALL)
    assert match, "no 'May import:' sentence"
    sentence = match.group(1)
    named = set(re.findall(r":mod:`(kit\.\w+)`", sentence))
    return named | ({"the core"} if "the core" in sentence else set())


def test_every_package_docstring_names_exactly_what_the_import_table_allows() -> None:
    packages = {f"kit.{p.parent.name}" for p in SRC.glob("*/__init__.py")}
    allowed = _allowed_imports()
    assert packages == set(allowed), "every package is in the layers of [tool.importlinter]"
    wrong: dict[str, dict[str, list[str]]] = {}
    for package in sorted(packages):
        init = SRC / package.removeprefix("kit.") / "__init__.py"
        named = _may_import(ast.get_docstring(ast.parse(init.read_text("utf-8"))) or "")
        if named != allowed[package]:
            wrong[package] = {"docstring": sorted(named), "pyproject.toml": sorted(allowed[package])}
    assert wrong == {}


def _layer_block(text: str) -> list[str]:
    """The lines of the first literal block (indented after ``::`` or fenced) that holds the top layer."""
    blocks = re.findall(r"```\n(.*?)```", text, re.DOTALL) + re.findall(r"::\n\n((?:    .*\n)+)", text)
    top = _layer_lines()[0]
    for block in blocks:
        lines = [line.strip() for line in block.strip("\n").splitlines()]
        if lines and lines[0] == top:
            return lines
    return []


def test_readme_code_map_and_kit_docstring_draw_the_layers_of_the_table() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    code_map = readme.split("## Code map", 1)[1].split("\n## ", 1)[0]
    kit_doc = ast.get_docstring(ast.parse((SRC / "__init__.py").read_text("utf-8"))) or ""
    assert _layer_block(code_map) == _layer_lines()
    assert _layer_block(kit_doc + "\n") == _layer_lines()
    prose = " ".join(code_map.split())  # the README wraps its lines
    for contract in _contracts():
        assert contract["name"] in prose, contract["name"]


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over the kit copied under ``root/src``, with the repository's contracts."""
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_a_forbidden_import_planted_in_a_copy_of_the_kit_fails_lint_imports_naming_the_contract(tmp_path: Path) -> None:
    shutil.copytree(SRC, tmp_path / "src" / "kit", ignore=shutil.ignore_patterns("__pycache__"))
    clean = _lint_imports(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    names = {c["id"]: c["name"] for c in _contracts()}
    layers, stages = names["layers"], names["stages-run-as-notebooks"]
    top = f"kit.{_layer_lines()[0]}"  # the top layer is one package (the CLI)
    # every package below the top imports the top layer; the core imports a package; the runner a stage
    planted = [f"kit.{p.parent.name}.planted" for p in SRC.glob("*/__init__.py") if f"kit.{p.parent.name}" != top]
    for module in planted:
        (tmp_path / "src" / Path(*module.split("."))).with_suffix(".py").write_text(f"import {top}\n")
    with (tmp_path / "src" / "kit" / "errors.py").open("a") as errors:
        errors.write("import kit.study\n")
    (tmp_path / "src" / "kit" / "run" / "stage_planted.py").write_text("from kit.plan import stage\n")

    broken = _lint_imports(tmp_path)

    assert broken.returncode == 1, broken.stdout + broken.stderr
    report = broken.stdout
    assert f"{layers} BROKEN" in report and f"{stages} BROKEN" in report
    for module in planted:
        assert f"{module} -> {top}" in report
    assert "kit.errors -> kit.study" in report
    assert "kit.run.stage_planted -> kit.plan" in report


# A string literal naming a folder, an output file or a stage ("01-plan", "03-insights.html"); "studies"
# is also a key of index.json: not listed.
LAYOUT_LITERALS = re.compile(
    r"""(["'])(reports|notebooks|templates|_site|plan\.json|synthesis\.json|"""
    r"""insights\.json|index\.json|\d\d-[a-z]+(?:\.ipynb|\.html)?)\1"""
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
