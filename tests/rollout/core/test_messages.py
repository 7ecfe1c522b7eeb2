"""The catalogue of refusals and notes: every code the application says has a message, every
message is said somewhere and reads in English too, and a mistyped code fails where it is made."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rollout.app import create_app
from rollout.core.messages import MESSAGES, Message
from rollout.core.problems import InvalidValue, Problem, refuse

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "rollout" / "core" / "messages.py"
# Calls whose first argument is a code, and the `problem(column, code, ...)` helpers of the imports.
CODE_FIRST = {"Problem", "Message", "InvalidValue", "PeriodError", "refuse", "message"}
CODE_SECOND = {"problem"}


def _modules() -> list[Path]:
    return [path for path in sorted((ROOT / "rollout").rglob("*.py")) if path != CATALOGUE]


def _literals(node: ast.expr) -> list[str]:
    """The strings an argument can be: a literal, or either branch of `a if test else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _codes_said() -> dict[str, list[str]]:
    """Every literal code passed to a problem, note or refusal, with where."""
    found: dict[str, list[str]] = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            position = 0 if name in CODE_FIRST else 1 if name in CODE_SECOND else None
            if position is None or len(node.args) <= position:
                continue
            for code in _literals(node.args[position]):
                found.setdefault(code, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_code_the_application_says_has_a_message() -> None:
    said = _codes_said()
    assert len(said) > 50  # the scan sees the calls
    unknown = {code: places for code, places in said.items() if code not in MESSAGES}
    assert unknown == {}, "add these codes to rollout/core/messages.py"


def test_every_message_is_said_somewhere() -> None:
    literals = {node.value for path in _modules() for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert sorted(set(MESSAGES) - literals) == []


def test_every_message_reads_in_english(tmp_path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URL": "sqlite://"},
                     instance_path=str(tmp_path / "instance"))
    french = {code: str(text) for code, text in MESSAGES.items()}
    with app.test_request_context("/?lang=en"):
        english = {code: str(text) for code, text in MESSAGES.items()}
    assert [code for code in MESSAGES if english[code] == french[code]] == []


@pytest.mark.parametrize("make", [
    lambda: Problem("integer_expectd"),
    lambda: Message("totals_row_skiped", {"row": 3, "label": "Total"}),
    lambda: InvalidValue("no_such_dya"),
    lambda: refuse("already_in_programe", column="code", value="N"),
])
def test_a_mistyped_code_fails_where_it_is_made(make) -> None:
    with pytest.raises(ValueError, match="no message has the code"):
        make()
