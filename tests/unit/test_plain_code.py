"""The portal's code starts no thread and imports no private name of another package: what it
asks of Django and its libraries goes through their public names."""

from __future__ import annotations

import ast
from pathlib import Path

TICKETS = Path(__file__).resolve().parents[2] / "tickets"
THREADS = {"threading": {"Thread", "Timer"}, "concurrent.futures": {"ThreadPoolExecutor"}}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(TICKETS.rglob("*.py"))]


def test_no_module_imports_a_private_name_of_another_package():
    found = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
                private = [a.name for a in node.names if _private(a.name)]
                module_private = any(
                    part.startswith("_") for part in (node.module or "").split(".")
                )
                if private or module_private:
                    found.append(
                        f"{path.relative_to(TICKETS)}: from {node.module} import {private}"
                    )
    assert found == []


def test_no_module_starts_a_thread():
    found = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in THREADS:
                names = {a.name for a in node.names} & THREADS[node.module]
                found += [f"{path.relative_to(TICKETS)}: {name}" for name in names]
            if isinstance(node, ast.Attribute) and node.attr in {"Thread", "ThreadPoolExecutor"}:
                found.append(f"{path.relative_to(TICKETS)}: .{node.attr}")
    assert found == []
