"""The sandbox's imports go one way: no cycles, no upward import (moto's split, kept by a test).

Layers, bottom to top, in ``LAYERS`` (a module imports only its own layer or lower ones;
function-local imports count too, except under ``TYPE_CHECKING``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import mpqr.sandbox

ROOT = Path(mpqr.sandbox.__file__).parent
LAYERS: list[tuple[str, ...]] = [
    ("zones", "syntax", "errors", "events", "catalog", "lifecycle", "persistence", "lookup"),
    ("models",),
    ("state",),
    ("slots", "merchant_orders"),
    ("orders", "orders_api", "stores_pos", "instrument"),
    ("customer", "refunds"),
    ("api", "control", "delivery", "faults", "web"),
    ("app", "cli", "testing", "pytest_plugin", "sdk", "parity", "parity_compare", "__init__"),
]


def _layer(module: str) -> int:
    top = module.removeprefix("mpqr.sandbox").strip(".").split(".")[0] or "__init__"
    return next(i for i, names in enumerate(LAYERS) if top in names)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    checking = [
        n for n in ast.walk(tree) if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.dump(n.test)
    ]
    skipped = {id(x) for n in checking for x in ast.walk(n)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mpqr.sandbox"):
            assert node.module is not None
            found |= {
                f"{node.module}.{a.name}" if _is_module(f"{node.module}.{a.name}") else node.module
                for a in node.names
            }
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("mpqr.sandbox")}
    return found


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[2:])
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(("mpqr", "sandbox", *parts)).removesuffix(".__init__")
        out[name] = path
    return out


def test_no_upward_imports() -> None:
    upward = [
        f"{name} (layer {_layer(name)}) imports {target} (layer {_layer(target)})"
        for name, path in _modules().items()
        for target in _imports(path)
        if _layer(target) > _layer(name)
    ]
    assert upward == []


def test_no_cycles() -> None:
    modules = _modules()
    graph = {
        name: {t for t in _imports(path) if t in modules and t != name}
        for name, path in modules.items()
    }
    done: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        assert name not in stack, " -> ".join((*stack, name))
        if name in done:
            return
        for target in graph[name]:
            if not name.startswith(target + "."):  # a package's __init__ re-exporting its modules
                visit(target, (*stack, name))
        done.add(name)

    for name in graph:
        visit(name, ())
