"""French first, English too: every French string of the interface has an English translation,
and the compiled catalogue is the one the translators wrote."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "rollout" / "translations" / "en" / "LC_MESSAGES"
METHODS = [("rollout/**.py", "python"), ("dashboards/**.py", "python"), ("rollout/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_messages() -> set[str]:
    messages = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS, options_map={}
    ):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


def _singular(value: str | tuple | list) -> str:
    """A plural message (ngettext) is known by its singular form."""
    return value if isinstance(value, str) else value[0]


def _written(value: str | tuple | list) -> bool:
    """Translated: the string, or every plural form of it."""
    return bool(value) if isinstance(value, str) else all(value)


def _hashable(value: str | tuple | list) -> str | tuple:
    return value if isinstance(value, str) else tuple(value)


def test_every_french_string_has_an_english_translation() -> None:
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {_singular(message.id): message for message in catalogue if message.id}
    missing = sorted(
        message for message in _source_messages()
        if message not in translated or not _written(translated[message].string) or translated[message].fuzzy
    )
    assert missing == [], f"untranslated (see docs/developing.md, Language): {missing}"


def test_compiled_catalogue_matches_its_source() -> None:
    with open(CATALOGUE / "messages.po", "rb") as handle:
        source = {_hashable(m.id): _hashable(m.string) for m in read_po(handle) if m.id and _written(m.string) and not m.fuzzy}
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "run: pybabel compile -d rollout/translations"


def test_pages_switch_language(client, world) -> None:
    assert "Se connecter" in client.get("/login").text
    english = client.get("/login?lang=en").text
    assert "Sign in" in english and "Se connecter" not in english
