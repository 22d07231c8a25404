"""Imports point one way (STYLE.md): errors, models <- pipeline, store <- config <- deliver,
refresh <- service <- cli. Pipeline stages and the store never import each other, and no
stage reads the config."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "monitor"

LAYERS: list[tuple[str, ...]] = [
    ("monitor.errors", "monitor.models", "monitor.metrics", "monitor.logs", "monitor"),
    ("monitor.pipeline", "monitor.store"),
    ("monitor.config",),
    ("monitor.deliver", "monitor.refresh", "monitor.detection"),
    ("monitor.service",),
    ("monitor.cli", "monitor.manage_cli", "monitor.__main__"),
]
# peers in one layer that must not import each other
APART = [
    ("monitor.pipeline", "monitor.store"),
    ("monitor.deliver", "monitor.refresh"),
    ("monitor.deliver", "monitor.detection"),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {name for name in found if name == "monitor" or name.startswith("monitor.")}


def _group(module: str) -> tuple[int, str]:
    best: tuple[int, str] | None = None
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > len(best[1])):
                best = (level, prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def test_imports_point_one_way() -> None:
    known = set(_modules())
    problems = []
    for module, path in sorted(_modules().items()):
        level, group = _group(module)
        for imported in sorted(_imports(path)):
            if imported not in known and imported.rsplit(".", 1)[0] in known:
                imported = imported.rsplit(".", 1)[0]  # `from monitor.x import name`
            if imported not in known or imported == "monitor":
                continue
            their_level, their_group = _group(imported)
            if their_level > level:
                problems.append(f"{module} imports {imported} (a higher layer)")
            for a, b in APART:
                if {group, their_group} == {a, b}:
                    problems.append(f"{module} imports {imported} ({a} and {b} stay apart)")
    assert problems == []


def test_every_module_is_in_a_layer() -> None:
    for module in _modules():
        _group(module)
