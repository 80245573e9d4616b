"""The walls of the house, read from the code itself (its syntax trees), so that they hold:
imports flow one way (server -> graph -> resolvers -> models; subscriptions and media import
none of them; nothing imports server), graph/ queries no model itself, resolvers/ has no GraphQL,
and a library's private names are used only in the one module fenced for that library."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("server", "graph", "resolvers", "models", "subscriptions", "media")
# What each package may import of the others.
MAY_IMPORT = {
    "server": {"server", "graph", "resolvers", "models", "subscriptions", "media"},
    "graph": {"graph", "resolvers", "models", "subscriptions", "media"},
    "resolvers": {"resolvers", "models", "subscriptions", "media"},
    "models": {"models"},
    "subscriptions": {"subscriptions"},
    "media": {"media"},
}
GRAPHQL_LIBRARIES = {"strawberry", "graphql"}
# The one module per library allowed to use its private names.
FENCES = {
    "strawberry": "graph/compat.py",
    "graphql": "graph/compat.py",
    "tortoise": "resolvers/sql/hydrate.py",
    "broadcaster": "subscriptions/broker.py",
    "starlette": "server/ws/wire.py",
    "uvicorn": "server/ws/wire.py",
    "wsproto": "server/ws/wire.py",
}
# What a model is asked by a query: graph/ goes through resolvers/ for all of these.
QUERIES = {
    "all",
    "annotate",
    "bulk_create",
    "bulk_update",
    "create",
    "delete",
    "exclude",
    "exists",
    "filter",
    "first",
    "get",
    "get_or_create",
    "get_or_none",
    "in_bulk",
    "raw",
    "select_for_update",
    "update_or_create",
}


def modules(package: str) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT).as_posix()
        yield relative, ast.parse(path.read_text(), relative)


def imported(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Every module an import names (absolute imports only: the project uses no others)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno


def test_imports_flow_one_way() -> None:
    wrong = []
    for package in PACKAGES:
        for path, tree in modules(package):
            for name, line in imported(tree):
                top = name.split(".")[0]
                if top in PACKAGES and top not in MAY_IMPORT[package]:
                    wrong.append(f"{path}:{line} imports {name}")
    assert wrong == [], "imports against the flow server -> graph -> resolvers -> models"


def test_resolvers_and_below_know_no_graphql() -> None:
    wrong = [
        f"{path}:{line} imports {name}"
        for package in ("resolvers", "models", "subscriptions", "media")
        for path, tree in modules(package)
        for name, line in imported(tree)
        if name.split(".")[0] in GRAPHQL_LIBRARIES
    ]
    assert wrong == []


def _model_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names bound to model classes by `from models import X`, names bound to the models
    package by `import models`)."""
    classes, packages = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "models":
            classes |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            packages |= {
                alias.asname or alias.name for alias in node.names if alias.name == "models"
            }
    return classes, packages


def _is_model(node: ast.expr, classes: set[str], packages: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in classes
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in packages
    )


def test_graph_queries_no_model_itself() -> None:
    wrong = []
    for path, tree in modules("graph"):
        classes, packages = _model_names(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in QUERIES
                and _is_model(node.func.value, classes, packages)
            ):
                wrong.append(f"{path}:{node.lineno} {ast.unparse(node.func)}()")
    assert wrong == [], "graph/ asks resolvers/ for rows"


def _own_private_names() -> set[str]:
    """Every `_name` the project defines itself: its functions, classes, attributes
    (assigned, annotated or in __slots__), keyword arguments and module globals."""
    names: set[str] = set()
    for package in PACKAGES:
        for _, tree in modules(package):
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names.add(node.name)
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                    names.add(node.attr)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, ast.arg):
                    names.add(node.arg)
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    names.add(node.value)  # __slots__ entries, getattr() names
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def _private_uses(tree: ast.Module, own: set[str]) -> Iterator[tuple[str, int]]:
    """Private names of other code: `from lib import _x`, and `obj._x` where `_x` is not
    one of the project's own names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            for alias in node.names:
                if alias.name.startswith("_") and top not in PACKAGES:
                    yield f"{node.module}.{alias.name}", node.lineno
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            if not node.attr.startswith("__") and node.attr not in own:
                yield ast.unparse(node), node.lineno


def test_private_names_of_libraries_stay_in_their_fence() -> None:
    own = _own_private_names()
    fences = set(FENCES.values())
    wrong = [
        f"{path}:{line} uses {name}"
        for package in PACKAGES
        for path, tree in modules(package)
        if path not in fences
        for name, line in _private_uses(tree, own)
    ]
    assert wrong == [], f"use them through their library's fence: {sorted(set(FENCES.values()))}"
