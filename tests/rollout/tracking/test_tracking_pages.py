"""The progress pages: overview with colours and filters, the school page and its history, the
milestone form (with its conflict message), the upload preview and confirmation, and access."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlmodel import Session, select

from rollout.models import AuditEvent, ImportBatch, Milestone, Programme, School
from rollout.core.author import Author
from rollout.tracking.updates import MilestoneChange, update_milestone
from tracking_world import adopt, programme, schools, session, tracked  # noqa: F401  (fixtures)


def _base(world) -> str:
    return f"/programmes/{world.programme_id}/progress"


def test_overview_colours_and_filters(client, tracked, login) -> None:
    login(client, "stakeholder")
    page = client.get(f"{_base(tracked)}?as_of=2015-08-15")
    assert page.status_code == 200
    assert "Couleurs évaluées au 15/08/2015" in page.text
    assert page.text.count("colour-red\">En difficulté</span>") == 2  # W1 schools, 11 days late
    filtered = client.get(f"{_base(tracked)}?as_of=2015-08-15&colour=green&wave=W2")
    assert all(uai in filtered.text for uai in sorted(tracked.uais)[2:4])
    assert not any(uai in filtered.text for uai in sorted(tracked.uais)[:2] + sorted(tracked.uais)[4:])
    assert "Mettre à jour par fichier" not in page.text  # a stakeholder only reads


def test_form_update_shows_on_the_school_page_with_its_history(client, tracked, login, csrf, engine) -> None:
    login(client, "project_manager")
    uai = sorted(tracked.uais)[0]
    form_url = f"{_base(tracked)}/{uai}/teachers_trained"
    response = client.post(form_url, data={"csrf_token": csrf(client, form_url), "status": "in_progress",
                                           "actual_on": "", "count": "14", "note": "Deux sessions faites", "version": "1"})
    assert response.status_code == 302
    page = client.get(f"{_base(tracked)}/{uai}")
    assert "Deux sessions faites" in page.text and "projet@test.invalid" in page.text
    history = page.text[page.text.index("Historique"):]
    assert history.index("Deux sessions faites") < history.index("Date prévue")  # newest first
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).one()
        assert (event.channel, event.user_id) == ("form", tracked.user_ids["project_manager"])


def test_a_stale_form_gets_a_conflict_that_keeps_what_was_typed(client, tracked, login, csrf, engine) -> None:
    login(client, "project_manager")
    uai = sorted(tracked.uais)[1]
    form_url = f"{_base(tracked)}/{uai}/school_live"
    token = csrf(client, form_url)  # the form is open at version 1
    with Session(engine) as session:
        programme = session.get(Programme, tracked.programme_id)
        school = session.exec(select(School).where(School.uai == uai, School.programme_id == programme.id)).one()
        update_milestone(session, programme=programme, school=school, kind="school_live",
                         change=MilestoneChange(status="blocked", note="Wi-Fi en panne"), version=1,
                         author=Author(actor="direction@test.invalid", channel="form"), today=date(2016, 6, 1))
        session.commit()
    response = client.post(form_url, data={"csrf_token": token, "status": "done", "actual_on": "2016-01-04",
                                           "note": "Ouvert à la rentrée", "version": "1"})
    assert response.status_code == 409
    assert "modifié par quelqu'un d'autre" in response.text and "direction@test.invalid" in response.text
    assert "Ouvert à la rentrée" in response.text and 'value="2016-01-04"' in response.text
    assert "Wi-Fi en panne" in response.text  # the current values, beside the typed ones
    with Session(engine) as session:
        stored = session.exec(select(Milestone).join(School).where(School.uai == uai, Milestone.kind == "school_live")).one()
        assert (stored.status, stored.note, stored.version) == ("blocked", "Wi-Fi en panne", 2)
    again = client.post(form_url, data={"csrf_token": token, "status": "done", "actual_on": "2016-01-04",
                                        "note": "Ouvert à la rentrée", "version": "2"})
    assert again.status_code == 302  # a deliberate second save replaces the current values


def test_an_invalid_form_says_why_in_french(client, tracked, login, csrf) -> None:
    login(client, "district_leader")
    form_url = f"{_base(tracked)}/{sorted(tracked.uais)[0]}/school_live"
    response = client.post(form_url, data={"csrf_token": csrf(client, form_url), "status": "done", "actual_on": "",
                                           "note": "", "version": "1"})
    assert response.status_code == 422
    assert "un jalon terminé doit avoir sa date de réalisation" in response.text


def test_upload_preview_then_confirm(client, tracked, login, csrf, engine) -> None:
    login(client, "project_manager")
    a, b = sorted(tracked.uais)[:2]
    data = f"uai;jalon;statut;date\n{a};direction;fait;2015-08-10\n{b};direction;en cours;\n".encode()
    upload_url = f"{_base(tracked)}/upload"
    preview = client.post(upload_url, data={"csrf_token": csrf(client, upload_url), "file": (io.BytesIO(data), "suivi.csv")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200 and "Modifiés : 2" in preview.text and "Lignes invalides : 0" in preview.text
    with Session(engine) as session:
        assert session.exec(select(ImportBatch)).all() == []
    confirm_url = re.search(r'action="([^"]+/confirm)"', preview.text).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', preview.text).group(1)
    assert client.post(confirm_url, data={"csrf_token": token}).status_code == 302
    with Session(engine) as session:
        batch = session.exec(select(ImportBatch)).one()
        assert (batch.kind, batch.rows_replaced) == ("progress", 2)
        events = session.exec(select(AuditEvent).where(AuditEvent.import_batch_id == batch.id)).all()
        assert {e.channel for e in events} == {"import"} and len(events) == 2
    assert client.post(confirm_url, data={"csrf_token": token}).status_code == 404  # applied once


def test_an_invalid_upload_lists_every_row_and_offers_no_confirmation(client, tracked, login, csrf) -> None:
    login(client, "project_manager")
    upload_url = f"{_base(tracked)}/upload"
    data = b"uai,jalon,statut\n0930000Z,direction,fait\n" + f"{sorted(tracked.uais)[0]},ouverture,peut-etre\n".encode()
    response = client.post(upload_url, data={"csrf_token": csrf(client, upload_url), "file": (io.BytesIO(data), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Lignes invalides : 2" in response.text and "peut-etre" in response.text and "Confirmer" not in response.text


def test_stakeholders_read_but_cannot_update_and_other_districts_get_404(client, tracked, login, csrf) -> None:
    uai = sorted(tracked.uais)[0]
    login(client, "stakeholder")
    assert client.get(f"{_base(tracked)}/{uai}").status_code == 200
    assert client.get(f"{_base(tracked)}/{uai}/school_live").status_code == 403
    assert client.get(f"{_base(tracked)}/upload").status_code == 403
    other = client.application.test_client()
    login(other, "other_leader")
    assert other.get(f"{_base(tracked)}/{uai}").status_code == 404
    assert other.get(f"{_base(tracked)}/{uai}/school_live").status_code == 404
    assert other.get(f"/programmes/{tracked.other_programme_id}/progress/{uai}").status_code == 404


def test_the_progress_page_offers_the_sheet_to_download_to_every_reader(client, tracked, login) -> None:
    login(client, "stakeholder")
    page = client.get(_base(tracked)).text
    link = f"/programmes/{tracked.programme_id}/export/progress.xlsx"
    assert link in page
    download = client.get(link)
    assert download.status_code == 200 and download.data.startswith(b"PK\x03\x04")
