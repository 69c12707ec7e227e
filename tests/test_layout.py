"""The package's shape: the factory assembles, and the Assistant it assembles imports nothing that imports it."""

import ast
from pathlib import Path

import pytest

import rag

PACKAGE = Path(rag.__file__).parent


def _imports(module: str) -> set[str]:
    """The rag modules a module imports anywhere in it (at the top or inside a function)."""
    tree = ast.parse((PACKAGE / f"{module.removeprefix('rag.')}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rag"):
            names = [f"{node.module}.{a.name}" for a in node.names] if node.module == "rag" else [node.module]
            found |= {n for n in names if (PACKAGE / f"{n.removeprefix('rag.')}.py").is_file()}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("rag.")}
    return found


def test_nothing_the_assistant_imports_imports_it_back():
    seen, todo = set(), ["rag.assistant"]
    while todo:
        for imported in _imports(todo.pop()) - seen:
            seen.add(imported)
            todo.append(imported)
    assert "rag.assistant" not in seen and "rag.factory" not in seen


def test_an_assistant_without_its_parts_points_to_the_factory():
    with pytest.raises(TypeError, match=r"use rag.build_assistant\(\)"):
        rag.Assistant()
