"""The package's shape: its modules import one way, calendar.py stands apart (a feed may
replace it), and the package's names are its functions, never a submodule by accident."""
import ast
import types
from pathlib import Path

import pytest

from companion import groups

FOLDER = Path(groups.__file__).parent
# each module may import only from modules in earlier layers
LAYERS = [{"recurrence"}, {"attendance"}, {"rsvps"}, {"scheduling"},
          {"client_progress", "pregroup_view", "calendar", "demo"}]
LAYER = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _siblings_imported(name: str) -> set[str]:
    tree = ast.parse((FOLDER / f"{name}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if node.level:  # a relative import
                module = f"companion.groups.{module}"
            if module == "companion.groups":
                found |= {"__init__"}
            elif module.startswith("companion.groups."):
                found.add(module.removeprefix("companion.groups."))
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("companion.groups.") for a in node.names
                      if a.name.startswith("companion.groups")}
    return found


def test_every_module_has_a_layer():
    modules = {p.stem for p in FOLDER.glob("*.py")} - {"__init__"}
    assert modules == set(LAYER)


@pytest.mark.parametrize("name", sorted(LAYER))
def test_modules_import_one_way(name):
    for other in _siblings_imported(name):
        assert other != "__init__", f"{name} imports the package: import from the module"
        assert LAYER[other] < LAYER[name], f"{name} imports {other}, which is not below it"
        assert other != "calendar", f"{name} imports calendar.py, which stands apart"


def test_the_package_exports_functions_and_values_not_modules():
    for name in groups.__all__:
        assert not isinstance(getattr(groups, name), types.ModuleType), name
    for name in ("occurrences", "rsvp", "schedule", "progress", "pregroup"):
        assert callable(getattr(groups, name)), name
    assert sorted(groups.__all__) == sorted(set(groups.__all__))
