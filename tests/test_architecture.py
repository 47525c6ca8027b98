"""The house's shape, checked: no import circles between the apps' modules, and
no app reaching into another app's private names. The floors themselves
(foundation <- network <- crisisplans <- messaging <- config) are import-linter
contracts in pyproject.toml, run by `make lint`; import-linter has no contract
for private names, so that one is here."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("foundation", "network", "crisisplans", "messaging", "config")


def _import_cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other round a circle (the
    strongly connected components of more than one module, by Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(imports[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return cycles


def test_the_cycle_finder_finds_a_circle_and_nothing_else():
    imports = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}, "b": set()}
    assert _import_cycles(imports) == [["a.x", "a.y", "a.z"]]
    assert _import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_the_apps_imports_itself_round_a_circle():
    """grimp reads every import statement in a module's source, including the
    ones inside functions and under TYPE_CHECKING, so a circle hidden in a
    function-local import (the old crisisplans actions <-> tasks) counts too."""
    graph = grimp.build_graph(*APPS, cache_dir=None)
    modules = set(graph.modules)
    imports = {module: graph.find_modules_directly_imported_by(module) & modules for module in modules}
    assert _import_cycles(imports) == []


def _app_of(dotted: str) -> str:
    return dotted.split(".")[0]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``from ... import`` names (relative ones resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")[: -node.level]
    return ".".join([*base, node.module] if node.module else base)


def _dotted(node: ast.expr) -> list[str] | None:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(names)]


def private_names_of_other_apps(
    module: str, source: str, *, is_module: Callable[[str], bool] | None = None
) -> list[str]:
    """What ``module`` takes from another app that the other app keeps private:
    ``from network.x import _y``, ``from network._x import y``, or ``x._y`` on a
    name bound to another app's module (``import network.x``, ``from network
    import x``)."""
    is_module = is_module or _is_module
    own = _app_of(module)
    tree = ast.parse(source)
    bound: dict[str, str] = {}  # local name -> the other app's dotted name it stands for
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _app_of(alias.name) in APPS and _app_of(alias.name) != own:
                    if any(_is_private(part) for part in alias.name.split(".")):
                        found.append(alias.name)
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound[_app_of(alias.name)] = _app_of(alias.name)
        elif isinstance(node, ast.ImportFrom):
            source_module = _resolve(module, node)
            if _app_of(source_module) not in APPS or _app_of(source_module) == own:
                continue
            for alias in node.names:
                dotted = f"{source_module}.{alias.name}"
                if any(_is_private(part) for part in dotted.split(".")):
                    found.append(dotted)
                bound[alias.asname or alias.name] = dotted
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names = _dotted(node)
            if not names or names[0] not in bound:
                continue
            # Follow the modules down the chain; the first name that is not a
            # module is what the module exports (``Person._meta`` is then the
            # class's business, not a module's private name).
            dotted = bound[names[0]]
            for name in names[1:]:
                if not is_module(dotted):
                    break
                dotted = f"{dotted}.{name}"
                if _is_private(name):
                    found.append(dotted)
                    break
    return sorted(set(found))


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from network.selectors.core import _visible", ["network.selectors.core._visible"]),
        ("from network._internal import thing", ["network._internal.thing"]),
        (
            "import network.selectors.core\nnetwork.selectors.core._visible(x)",
            ["network.selectors.core._visible"],
        ),
        ("import network.selectors.core as core\ncore._visible(x)", ["network.selectors.core._visible"]),
        ("from network import selectors\nselectors.core._visible(x)", ["network.selectors.core._visible"]),
        ("from crisisplans.actions import _private\n", []),  # the module's own app
        ("from .actions import _private\n", []),
        ("from network.models import Person\nPerson._meta.get_fields()", []),  # Django's API
        ("from network.models import Person\nPerson.__name__", []),
        ("import json\njson._default_decoder", []),  # not one of the apps
    ],
)
def test_the_private_name_check_sees_every_way_in(source, found):
    modules = {"network", "network.selectors", "network.selectors.core", "network.models", "crisisplans"}
    assert private_names_of_other_apps("crisisplans.demo", source, is_module=modules.__contains__) == found


def _modules_of_the_apps() -> list[tuple[str, Path]]:
    modules = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules.append((".".join(parts), path))
    return modules


def test_no_app_uses_another_apps_private_names():
    modules = _modules_of_the_apps()
    assert len(modules) > 100, "the walk found too few modules to be walking the apps"
    taken = {
        module: names
        for module, path in modules
        if (names := private_names_of_other_apps(module, path.read_text()))
    }
    assert taken == {}
