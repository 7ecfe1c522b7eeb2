"""A project manager imports a large usage file in the browser, on the demo served by gunicorn
with a real queue worker beside it: the upload page hands the file to the worker, the import's
page follows it by itself (static/import_progress.js, under the strict CSP) to the preview, and
after the confirmation to the batch written."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlmodel import Session, func, select

from rollout.db import make_engine
from rollout.models import ImportBatch, School
from tests.browser.served import Site, Watched, new_page, served_demo, serious_violations
from tests.rollout.live_server import queue_worker

DAYS = 20
SERVICE = "Outil de la vague de test"  # no demo row has it: no stored period overlaps the file's
WAIT_MS = 90_000


@pytest.fixture(scope="module")
def served(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Site]]:
    """The session's browser, and the demo with gunicorn queueing uploads above 1 kB and one
    queue worker, for this module."""
    directory = tmp_path_factory.mktemp("queued-import")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROLLOUT_QUEUE_IMPORT_BYTES", "1000")
        with served_demo(directory) as site, queue_worker(directory, site.database_url):
            yield browser, site
    assert "Traceback" not in site.log.read_text(), site.log.read_text()
    assert "Traceback" not in (directory / "worker.log").read_text(), (directory / "worker.log").read_text()


def _usage_file(uais: list[str]) -> bytes:
    lines = ["Jour;Code UAI;Outil;Profil;Visites;Visiteurs"]
    lines += [f"{day:02d}/03/2018;{uai};{SERVICE};Enseignant;{day + 4};2" for day in range(1, DAYS + 1) for uai in uais]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_a_large_usage_file_is_followed_to_its_preview_then_written(served) -> None:
    from playwright.sync_api import expect

    browser, site = served
    engine = make_engine(site.database_url)
    with Session(engine) as session:
        uais = list(session.exec(select(School.uai).where(School.programme_id == site.programme_id).order_by(School.uai)
                                 .limit(10)))
        batches_before = session.exec(select(func.count()).select_from(ImportBatch)).one()
    rows = len(uais) * DAYS
    page = new_page(browser)
    watched = Watched()
    watched.attach(page)
    site.sign_in(page, "project_manager")

    page.goto(f"{site.url}/programmes/{site.programme_id}/usage/import")
    page.locator("input[type=file]").set_input_files({"name": "mars-2018.csv", "mimeType": "text/csv",
                                                      "buffer": _usage_file(uais)})
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.wait_for_url(re.compile(r"/imports/\d+$"))
    job_url = page.url

    # The page reloads itself into the preview once the worker has read the file.
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu : mars-2018.csv", timeout=WAIT_MS)
    expect(page.locator("main")).to_contain_text(f"Nouveaux : {rows}")
    assert page.url == job_url
    assert serious_violations(page) == []

    page.get_by_role("button", name="Confirmer l'import").click()
    written = page.locator("main [role=status]")
    expect(written).to_contain_text(f"{rows} nouveau(x), 0 modifié(s), 0 inchangé(s).", timeout=WAIT_MS)
    assert serious_violations(page) == []
    page.reload()
    expect(written).to_contain_text(f"{rows} nouveau(x)")
    assert watched.take() == []
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ImportBatch)).one() == batches_before + 1
    engine.dispose()
    page.context.close()
