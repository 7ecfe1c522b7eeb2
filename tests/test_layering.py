"""Pure domain code stays pure: the planner and the fixtures never pull in the web stack."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import fixtures
import planner

FORBIDDEN = ("flask", "sqlmodel", "sqlalchemy", "rollout", "werkzeug")


def _modules(package) -> list[str]:
    return [package.__name__] + [
        f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
    ]


@pytest.mark.parametrize("module", _modules(planner) + _modules(fixtures))
def test_module_imports_no_web_or_database_code(module: str) -> None:
    probe = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        f"print(sorted({{name.split('.')[0] for name in sys.modules}} & set({FORBIDDEN!r})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", f"{module} imports {result.stdout.strip()}"
