"""Pure domain code stays pure: the planner and the fixtures never pull in the web stack; of
rollout, the fixtures import only its pure reference data."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import fixtures
import planner

FORBIDDEN = ("flask", "sqlmodel", "sqlalchemy", "rollout", "werkzeug")
FIXTURES_MAY_IMPORT = ("rollout.colleges", "rollout.tracking.calendar")


def _modules(package) -> list[str]:
    return [package.__name__] + [
        f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
    ]


def _allowed(module: str, name: str) -> bool:
    """Of rollout, a fixtures module may load the pure modules and the packages holding them."""
    return module.startswith("fixtures") and any(
        name == pure or name.startswith(f"{pure}.") or pure.startswith(f"{name}.") for pure in FIXTURES_MAY_IMPORT
    )


@pytest.mark.parametrize("module", _modules(planner) + _modules(fixtures))
def test_module_imports_no_web_or_database_code(module: str) -> None:
    probe = f"import sys, importlib; importlib.import_module({module!r}); print(' '.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = result.stdout.split()
    forbidden = sorted(name for name in loaded if name.split(".")[0] in FORBIDDEN and not _allowed(module, name))
    assert forbidden == [], f"{module} imports {forbidden}"
