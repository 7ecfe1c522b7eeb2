"""Languages: French first, English too.

Source strings are French (the product's first language needs no catalogue); the English
catalogue lives in `rollout/translations/en`. The language is the one the user chose (stored
in the session by `?lang=`), else the browser's preference among those, else French; outside a
request (a command, a task in an application context) it is French.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale

LANGUAGES = ("fr", "en")
babel = Babel()


def select_locale() -> str:
    if not has_request_context():
        return "fr"
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES, default="fr") or "fr"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "fr")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)
