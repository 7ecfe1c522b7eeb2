"""Screenshots of the main pages for the README, taken on demand (never by the test run, so that
the committed images change only when someone means them to):

    python -m tests.browser.screenshots [--out docs/screenshots]

The demo is loaded and served by gunicorn exactly as the browser tests do, and each page is
captured as a district leader sees it, 1280×800, by Debian's headless Chromium.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.browser.served import (
    VIEWPORT,
    Site,
    chromium_path,
    launch,
    new_page,
    served_demo,
)

ROOT = Path(__file__).resolve().parents[2]
SHOWN = ("dashboard", "equity", "leadership", "school_dashboard", "trainers", "progress", "school", "usage", "plans",
         "schools")
DASHBOARDS = ("dashboard", "equity", "leadership", "school_dashboard", "trainers")


def capture(site: Site, page, out: Path) -> list[Path]:
    """One PNG per shown page, the viewport only (the top of the page, as it opens)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    pages = site.pages()
    for name in SHOWN:
        page.goto(site.url + pages[name])
        if name in DASHBOARDS:
            page.wait_for_function("document.querySelectorAll('[data-figure] .main-svg').length"
                                   " >= document.querySelectorAll('[data-figure]').length")
        if name in DASHBOARDS and name != "dashboard":
            _scroll_to_first_figure(page)
        written.append(_shot(page, out / f"{name}.png"))
        if name == "dashboard":
            _scroll_to_first_figure(page)
            written.append(_shot(page, out / "dashboard-figures.png"))
    return written


def _scroll_to_first_figure(page) -> None:
    """The first figure at the top of the viewport: the filters and cards are shown elsewhere."""
    page.locator(".dashboard-figure").first.evaluate("element => element.scrollIntoView({block: 'start'})")


def _shot(page, path: Path) -> Path:
    """The viewport as it is, into `path`."""
    page.screenshot(path=str(path), full_page=False)
    return path


def main(argv: list[str] | None = None) -> int:
    """Serve the demo, sign in as a district leader, and write the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    arguments = parser.parse_args(argv)
    executable = chromium_path()
    if executable is None:
        print("no Chromium: install Debian's chromium or set ROLLOUT_CHROMIUM", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as directory, served_demo(Path(directory)) as site, \
            sync_playwright() as playwright:
        browser = launch(playwright, executable)
        page = new_page(browser)
        site.sign_in(page, "district_leader")
        for path in capture(site, page, arguments.out):
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
                  f"({VIEWPORT['width']}×{VIEWPORT['height']})")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
