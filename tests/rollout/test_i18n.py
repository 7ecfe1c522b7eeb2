"""French first, English too: every French string of the interface has an English translation,
and the compiled catalogue is the one the translators wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "rollout" / "translations" / "en" / "LC_MESSAGES"
# French needs no translation but its plural rule: 0 and 1 take the singular.
FRENCH_PLURALS = ROOT / "rollout" / "translations" / "fr" / "LC_MESSAGES"
METHODS = [("rollout/**.py", "python"), ("dashboards/**.py", "python"), ("rollout/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _extracted() -> list[str | tuple]:
    return [message for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS, options_map={})]


def _source_messages() -> set[str]:
    return {message[0] if isinstance(message, tuple) else message for message in _extracted()}


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


@pytest.mark.parametrize("catalogue", [CATALOGUE, FRENCH_PLURALS], ids=["en", "fr"])
def test_compiled_catalogue_matches_its_source(catalogue: Path) -> None:
    with open(catalogue / "messages.po", "rb") as handle:
        source = {_hashable(m.id): _hashable(m.string) for m in read_po(handle) if m.id and _written(m.string) and not m.fuzzy}
    with open(catalogue / "messages.mo", "rb") as handle:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "run: pybabel compile -d rollout/translations"


def test_every_plural_message_has_its_french_forms() -> None:
    with open(FRENCH_PLURALS / "messages.po", "rb") as handle:
        french = {_hashable(m.id): _hashable(m.string) for m in read_po(handle) if m.id}
    plurals = {message for message in _extracted() if isinstance(message, tuple)}
    missing = sorted(message[0] for message in plurals if french.get(message) != message)
    assert missing == [], f"add to {FRENCH_PLURALS / 'messages.po'} with msgstr[0]/[1] = the two forms: {missing}"


def test_french_takes_the_singular_for_none_and_one(app) -> None:
    from flask_babel import force_locale, ngettext

    message = ("La vague %(wave)s accueille au plus %(num)d établissement.",
               "La vague %(wave)s accueille au plus %(num)d établissements.")
    with app.test_request_context(), force_locale("fr"):
        assert [ngettext(*message, num=n, wave="W2") for n in (0, 1, 2)] == [
            "La vague W2 accueille au plus 0 établissement.", "La vague W2 accueille au plus 1 établissement.",
            "La vague W2 accueille au plus 2 établissements."]


def test_pages_switch_language(client, world) -> None:
    assert "Se connecter" in client.get("/login").text
    english = client.get("/login?lang=en").text
    assert "Sign in" in english and "Se connecter" not in english
