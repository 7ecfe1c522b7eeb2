"""Layering: which code may import what, so that pure code stays pure and features stay apart.

- The planner and the dashboards' figures import no web or database code, and nothing of
  rollout (the dashboards' queries and pages, beside the figures, are the application's).
- The demo's fixtures import no web or database code; of rollout, only its pure modules.
- The pure modules of rollout (the national collège file, the planned-date rule) import no web
  or database code and no other rollout module, so the planner's benchmarks and the simulation
  can use them without an application.
- The application never reaches into the fixtures (the demo), except through its demo loader
  (`rollout/datasets.py`) and, inside the commands that load the demo, the command line.
- No feature imports another feature's routes: features share code through `rollout.core` and
  each other's domain modules, never through pages (`rollout/app.py` registers them all).

What an import pulls in is checked in a fresh interpreter, by what `sys.modules` then holds;
what a module's source says it imports is checked by parsing every module of rollout, so an
import inside a function cannot hide. Every failure names the module and the import at fault.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB_AND_DATABASE = frozenset({"flask", "sqlmodel", "sqlalchemy", "werkzeug"})
PROJECT = ("planner", "dashboards", "fixtures", "rollout")
DEMO_LOADER = "rollout/datasets.py"
COMMAND_LINE = "rollout/cli.py"  # may import fixtures inside the commands that load the demo
BLUEPRINT_REGISTRY = "rollout/app.py"

# Runs in a fresh interpreter: executes argv[1], then prints every loaded module with the
# innermost project line that first asked for it and whether that line imports it directly
# ([module, line, direct]; null when the probe did).
PROBE = """
import json, sys

class Witness:
    def __init__(self):
        self.asked_by = {}

    def find_spec(self, name, path=None, target=None):
        frame, importer = sys._getframe(1), None
        while frame is not None and name not in self.asked_by:
            module = frame.f_globals.get("__name__") or ""
            if importer is None and not module.startswith("importlib"):
                importer = module
            if module.split(".")[0] in %r:
                self.asked_by[name] = [module, frame.f_lineno, module == importer]
            frame = frame.f_back
        return None

witness = Witness()
sys.meta_path.insert(0, witness)
exec(sys.argv[1])
print(json.dumps({name: witness.asked_by.get(name) for name in sys.modules}))
""" % (PROJECT,)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(directory: str) -> list[str]:
    """Every module under a folder of the project, by dotted name, without importing it."""
    return [_module_name(path) for path in sorted((ROOT / directory).rglob("*.py"))]


PURE_ROLLOUT = tuple(_modules("rollout/colleges")) + ("rollout.tracking.milestones",)


def _loaded(code: str, **environment: str) -> dict[str, list | None]:
    """Every module loaded once `code` has run in a fresh interpreter, with who asked for it."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, code],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **environment},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def _pulled_in(loaded: dict[str, list | None], forbidden: Callable[[str], bool]) -> list[str]:
    """The forbidden modules, each with the project line that pulled it in; a module pulled in
    by another forbidden one is left out, so each message names where the chain starts."""
    offending = {name for name in loaded if forbidden(name)}
    by_line: dict[str, list[tuple[str, bool]]] = {}
    for name in sorted(offending):
        asked_by = loaded[name]
        if _top(name) not in PROJECT and "." in name:
            continue  # a third-party package's own submodules: its top-level name says it
        if asked_by is not None and asked_by[0] in offending:
            continue
        where = f"{asked_by[0]} line {asked_by[1]}" if asked_by else "the probe"
        by_line.setdefault(where, []).append((name, asked_by is None or asked_by[2]))
    messages = []
    for where, found in by_line.items():
        names = [name for name, direct in found if direct] or [name for name, _ in found]
        deepest = [name for name in names if not any(other.startswith(f"{name}.") for other in names)]
        messages.append(f"{where} imports {', '.join(deepest)}")
    return messages


def _top(name: str) -> str:
    return name.split(".")[0]


def _is_pure_rollout(name: str) -> bool:
    """A pure module of rollout, or a package that holds one (importing it runs its __init__)."""
    return any(name == pure or pure.startswith(f"{name}.") or name.startswith(f"{pure}.") for pure in PURE_ROLLOUT)


def _outside_pure_layer(name: str) -> bool:
    return _top(name) in WEB_AND_DATABASE or (_top(name) == "rollout" and not _is_pure_rollout(name))


LAYERS = {
    "planner or dashboard figures": (
        _modules("planner") + ["dashboards"] + _modules("dashboards/figures"),
        lambda name: _top(name) in WEB_AND_DATABASE | {"rollout"},
    ),
    "fixtures": (_modules("fixtures"), _outside_pure_layer),
    "pure rollout": (list(PURE_ROLLOUT), lambda name: _outside_pure_layer(name) or _top(name) == "fixtures"),
}


@pytest.mark.parametrize(
    ("layer", "module"), [(layer, module) for layer, (modules, _) in LAYERS.items() for module in modules]
)
def test_pure_modules_pull_in_no_web_database_or_application_code(layer: str, module: str) -> None:
    forbidden = LAYERS[layer][1]
    pulled_in = _pulled_in(_loaded(f"import {module}"), forbidden)
    assert not pulled_in, f"{module} ({layer}) pulls in: " + "; ".join(pulled_in)


def _rollout_sources() -> list[Path]:
    return sorted((ROOT / "rollout").rglob("*.py"))


def _imports(path: Path) -> Iterator[tuple[ast.stmt, list[str], bool]]:
    """Every import statement of `path`: the modules it may load (for `from a import b`, both
    `a` and `a.b`, since b may be a module) and whether it runs inside a function."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.stmt, list[str], bool]]:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                yield child, [alias.name for alias in child.names], inside
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(anchor + ([child.module] if child.module else []))
                yield child, [base] + [f"{base}.{alias.name}" for alias in child.names], inside
            yield from visit(child, inside)

    yield from visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), False)


def _where(path: Path, statement: ast.stmt) -> str:
    return f"{path.relative_to(ROOT)}:{statement.lineno}: {ast.unparse(statement)}"


def test_the_application_imports_fixtures_only_in_its_demo_loader() -> None:
    offending = []
    for path in _rollout_sources():
        relative = path.relative_to(ROOT).as_posix()
        for statement, names, in_function in _imports(path):
            if not any(_top(name) == "fixtures" for name in names):
                continue
            if relative == DEMO_LOADER or (relative == COMMAND_LINE and in_function):
                continue
            offending.append(_where(path, statement))
    assert not offending, (
        f"only {DEMO_LOADER} (and {COMMAND_LINE}, inside a command) may import fixtures:\n" + "\n".join(offending)
    )


def _blueprint_modules() -> list[str]:
    """Modules of rollout that create a Flask Blueprint."""
    return [
        _module_name(path)
        for path in _rollout_sources()
        if any(
            isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Blueprint"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]


def test_the_running_application_loads_no_fixtures(tmp_path) -> None:
    modules = _blueprint_modules()
    assert "rollout.schools.routes" in modules
    code = "from rollout.app import create_app; import importlib; create_app()\n" + "".join(
        f"importlib.import_module({module!r})\n" for module in modules
    )
    loaded = _loaded(code, ROLLOUT_INSTANCE_PATH=str(tmp_path))
    pulled_in = _pulled_in(loaded, lambda name: _top(name) == "fixtures")
    assert not pulled_in, "create_app() and the blueprints pull in the demo's fixtures: " + "; ".join(pulled_in)


def test_no_feature_imports_another_features_routes() -> None:
    offending = []
    for path in _rollout_sources():
        relative = path.relative_to(ROOT)
        if relative.as_posix() == BLUEPRINT_REGISTRY:
            continue
        own = relative.parts[1] if len(relative.parts) > 2 else None
        for statement, names, _ in _imports(path):
            parts = [name.split(".") for name in names]
            if any(len(p) >= 3 and p[0] == "rollout" and p[2] == "routes" and p[1] != own for p in parts):
                offending.append(_where(path, statement))
    assert not offending, (
        f"a feature may import only its own routes (blueprints are registered in {BLUEPRINT_REGISTRY}):\n"
        + "\n".join(offending)
    )
