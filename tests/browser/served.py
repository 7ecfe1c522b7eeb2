"""The demo served by gunicorn as the Procfile starts it, and Debian's Chromium driven by
Playwright: what the browser tests and the screenshot script share.

A module, not a conftest.py: a second conftest.py would shadow the root one for modules that
import `conftest` by name (see tests/rollout/live_server.py).

Playwright's own browser downloads are never used (school and CI networks block them, and a
pinned binary nobody patches is a liability): Chromium comes from the distribution, found at
`ROLLOUT_CHROMIUM` or /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sqlmodel import Session, select

from rollout.cli import (
    DEMO_ACCOUNTS,
    DEMO_DATASET,
    load_dataset_committed,
    reset_demo_accounts,
)
from rollout.db import make_engine, upgrade
from rollout.models import Programme, School
from tests.rollout.live_server import live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

ROLES = ("admin", "district_leader", "project_manager", "stakeholder")
EMAILS = {role: email for email, role, _ in DEMO_ACCOUNTS}
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
VIEWPORT = {"width": 1280, "height": 800}
NO_BROWSER = "browser test: install Debian's chromium (or set ROLLOUT_CHROMIUM) and the test extra (playwright, axe-playwright-python)"
BLOCKING_IMPACTS = {"serious", "critical"}


def chromium_path() -> Path | None:
    """Debian's Chromium, or the one `ROLLOUT_CHROMIUM` names; None when there is none."""
    named = os.environ.get("ROLLOUT_CHROMIUM")
    candidates = (named,) if named else CHROMIUM_CANDIDATES
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return Path(found)
    return None


def launch(playwright: Playwright, executable: Path) -> Browser:
    """A headless Chromium from `executable`: never a browser Playwright downloads."""
    return playwright.chromium.launch(executable_path=str(executable), headless=True)


@contextmanager
def headless_chromium() -> Iterator[Browser]:
    """Debian's headless Chromium until the block ends; the test is skipped without one, or
    fails where a browser is required (CI sets ROLLOUT_REQUIRE_BROWSER=1)."""
    try:
        import axe_playwright_python  # noqa: F401 (the accessibility checks need it too)
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"{error.name} is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("no Chromium at ROLLOUT_CHROMIUM or /usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = launch(playwright, executable)
        yield browser
        browser.close()


def _unavailable(reason: str) -> None:
    if os.environ.get("ROLLOUT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ROLLOUT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"{NO_BROWSER}: {reason}")


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in results.response["violations"] if violation["impact"] in BLOCKING_IMPACTS]


def new_page(browser: Browser) -> Page:
    """A page in a fresh context (its own cookies), French as a French browser asks for it."""
    return browser.new_context(viewport=VIEWPORT, locale="fr-FR").new_page()


@dataclass
class Site:
    """The served demo: its address, the accounts' passwords, and where its pages are."""

    url: str
    passwords: dict[str, str]
    programme_id: int
    school_uai: str
    log: Path
    database_url: str

    def pages(self) -> dict[str, str]:
        """The main pages by name, as paths: what every role opens and axe checks."""
        programme = f"/programmes/{self.programme_id}"
        return {
            "home": "/",
            "dashboard": f"{programme}/dashboard",
            "equity": f"{programme}/dashboard/equity",
            "leadership": f"{programme}/dashboard/leadership",
            "school_dashboard": f"{programme}/dashboard/school?school={self.school_uai}",
            "trainers": f"{programme}/dashboard/trainers",
            "training": f"{programme}/dashboard/training",
            "progress": f"{programme}/progress",
            "school": f"{programme}/progress/{self.school_uai}",
            "usage": f"{programme}/usage/report",
            "plans": f"{programme}/plans",
            "schools": f"{programme}/schools",
        }

    def sign_in(self, page: Page, role: str) -> None:
        """Sign in through the real form, as a person would, and wait to leave the sign-in page
        (for the landing page: the programme's overview, the demo having one programme)."""
        page.goto(self.url + "/login")
        page.get_by_label("Adresse électronique").fill(EMAILS[role])
        page.get_by_label("Mot de passe").fill(self.passwords[EMAILS[role]])
        page.locator("main").get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/login" not in url)


def load_demo(database_url: str) -> tuple[dict[str, str], int, str]:
    """The demo as `rollout demo` loads it: passwords by email, its programme and one school.

    The school is the first by UAI that has progress, so its page shows a history."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        programme = load_dataset_committed(engine, DEMO_DATASET)
        passwords = reset_demo_accounts(engine)
        with Session(engine) as session:
            programme_id = session.exec(select(Programme.id).where(Programme.name == programme.name)).one()
            uai = session.exec(select(School.uai).where(School.programme_id == programme_id)
                               .order_by(School.uai)).first()
    finally:
        engine.dispose()
    return passwords, programme_id, uai


@contextmanager
def served_demo(directory: Path) -> Iterator[Site]:
    """The demo in a SQLite file under `directory`, served by gunicorn until the block ends."""
    database_url = f"sqlite:///{directory / 'rollout.sqlite3'}"
    passwords, programme_id, uai = load_demo(database_url)
    with live_server(directory, database_url, workers=1) as server:
        yield Site(url=server.url, passwords=passwords, programme_id=programme_id, school_uai=uai, log=server.log,
                   database_url=database_url)


@dataclass
class Watched:
    """What went wrong while a page loaded: console errors (CSP refusals among them),
    uncaught exceptions, requests that failed or answered 4xx/5xx."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", lambda message: message.type == "error" and self.problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url} {request.failure}"))
        page.on("response", lambda response: response.status >= 400
                and self.problems.append(f"HTTP {response.status}: {response.url}"))

    def take(self) -> list[str]:
        """The problems seen since the last call, forgetting them."""
        problems, self.problems = self.problems, []
        return problems
