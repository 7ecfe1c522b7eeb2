"""Usage pages as people use them: upload (dry run, import, every invalid row), the taxonomy a
district leader edits, and the report; another district's programme answers 404."""

from __future__ import annotations

import html
import io
import re

from sqlmodel import Session, func, select

from rollout.models import AuditEvent, SavedPreview, School, ServiceCategory, UsageRecord


def _usage_file(world, *, bad: bool = False) -> bytes:
    first, second = world.uais[:2]
    lines = [
        "Jour;Code UAI;Outil;Profil;Visites;Visiteurs",
        f"07/03/2016;{first};Cahier de textes;Enseignant;30;6",
        f"07/03/2016;{second};Jeux sérieux;Élève;12;5",
    ]
    if bad:
        lines.append(f"07/03/2016;{world.other_uai};Notes;Élève;-1;5")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _upload(client, csrf, world, data: bytes):
    path = f"/programmes/{world.programme_id}/usage/import"
    form = {"csrf_token": csrf(client, path), "file": (io.BytesIO(data), "mars.csv")}
    return client.post(path, data=form, content_type="multipart/form-data")


def _confirm(client, csrf, world, preview, action: str = "confirm"):
    pending_id = re.search(r"/imports/(\d+)/confirm", preview.text).group(1)
    path = f"/programmes/{world.programme_id}/imports/{pending_id}/{action}"
    return client.post(path, data={"csrf_token": csrf(client, f"/programmes/{world.programme_id}/usage/import")})


def _import(client, csrf, world, data: bytes):
    return _confirm(client, csrf, world, _upload(client, csrf, world, data))


def _records(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(UsageRecord)).one()


def test_project_manager_previews_then_confirms_a_file(client, engine, world, login, csrf) -> None:
    login(client, "project_manager")
    preview = _upload(client, csrf, world, _usage_file(world))
    assert preview.status_code == 200
    assert "Rien n'est encore enregistré." in preview.text and "Nouveaux : 2" in preview.text
    assert "Jeux sérieux" in preview.text  # unknown label, listed for the leader to map
    assert _records(engine) == 0
    confirmed = _confirm(client, csrf, world, preview)
    assert confirmed.status_code == 302
    assert "2 nouveau(x), 0 modifié(s), 0 inchangé(s)." in client.get(confirmed.headers["Location"]).text
    assert _records(engine) == 2
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "import_batch")).one()
        assert session.exec(select(func.count()).select_from(SavedPreview)).one() == 0
    assert event.actor == "projet@test.invalid" and event.changes["via"] == [None, "form"]

    again = _upload(client, csrf, world, _usage_file(world))
    assert "Inchangés : 2" in again.text and "Rien ne changerait" in again.text
    changed = _usage_file(world).replace(b";30;6", b";35;6")
    replacing = _upload(client, csrf, world, changed)
    assert "Modifiés : 1" in replacing.text and "30 → 35" in replacing.text
    abandoned = _confirm(client, csrf, world, replacing, "cancel")
    assert abandoned.status_code == 302
    with Session(engine) as session:
        assert sorted(session.exec(select(UsageRecord.visits))) == [12, 30]


def test_a_preview_is_confirmed_only_by_its_author(client, app, engine, world, login, csrf) -> None:
    login(client, "project_manager")
    preview = _upload(client, csrf, world, _usage_file(world))
    leader = app.test_client()
    login(leader, "district_leader")
    assert _confirm(leader, csrf, world, preview).status_code == 404
    assert _records(engine) == 0


def test_an_invalid_file_lists_every_problem_and_writes_nothing(client, engine, world, login, csrf) -> None:
    login(client, "district_leader")
    response = _upload(client, csrf, world, _usage_file(world, bad=True))
    assert response.status_code == 422
    assert "Lignes invalides : 1" in response.text and "Confirmer" not in response.text
    assert world.other_uai in response.text and "doit être ≥ 0" in response.text
    assert _records(engine) == 0


def test_stakeholders_read_but_do_not_import(client, world, login) -> None:
    login(client, "stakeholder")
    assert client.get(f"/programmes/{world.programme_id}/usage/import").status_code == 403
    assert client.get(f"/programmes/{world.programme_id}/usage/report").status_code == 200
    assert client.get(f"/programmes/{world.other_programme_id}/usage/report").status_code == 404


def test_leader_maps_an_unknown_label_and_the_report_follows(client, engine, world, login, csrf) -> None:
    login(client, "district_leader")
    _import(client, csrf, world, _usage_file(world))
    taxonomy_path = f"/programmes/{world.programme_id}/usage/taxonomy"
    page = client.get(taxonomy_path).text
    assert page.index("Jeux sérieux") < page.index("Cahier de textes")  # unknown first
    assert "inconnu" in page
    report_path = f"/programmes/{world.programme_id}/usage/report?by=category&format=json"
    assert [row["category"] for row in client.get(report_path).get_json()] == ["pedagogy", "other"]

    response = client.post(
        f"{taxonomy_path}/jeux%20serieux",
        data={"csrf_token": csrf(client, taxonomy_path), "label": "Jeux sérieux", "category": "pedagogy"},
    )
    assert response.status_code == 302
    with Session(engine) as session:
        override = session.exec(select(ServiceCategory)).one()
    assert (override.label_key, override.category) == ("jeux serieux", "pedagogy")
    assert "choix du programme" in client.get(taxonomy_path).text
    after = client.get(report_path).get_json()
    assert [(row["category"], row["visits"], row["pedagogical_share"]) for row in after] == [("pedagogy", 42, 1.0)]
    report = client.get(f"/programmes/{world.programme_id}/usage/report?by=school&from=2016-03&to=2016-03")
    assert report.status_code == 200 and "100,0" in report.text


def test_a_label_with_a_slash_can_be_mapped(client, engine, world, login, csrf) -> None:
    login(client, "district_leader")
    data = f"date;uai;service;profile;visits\n2016-03-07;{world.uais[0]};Outils / Sondages;Élève;4\n".encode()
    _import(client, csrf, world, data)
    taxonomy_path = f"/programmes/{world.programme_id}/usage/taxonomy"
    assert 'action="/programmes/%d/usage/taxonomy/outils%%20/%%20sondages"' % world.programme_id in client.get(taxonomy_path).text
    response = client.post(
        f"{taxonomy_path}/outils%20/%20sondages",
        data={"csrf_token": csrf(client, taxonomy_path), "label": "Outils / Sondages", "category": "pedagogy"},
    )
    assert response.status_code == 302
    with Session(engine) as session:
        assert session.exec(select(ServiceCategory.label_key)).one() == "outils / sondages"


def test_only_leaders_edit_the_taxonomy(client, world, login, csrf) -> None:
    login(client, "project_manager")
    taxonomy_path = f"/programmes/{world.programme_id}/usage/taxonomy"
    assert client.get(taxonomy_path).status_code == 200
    response = client.post(f"{taxonomy_path}/notes", data={"csrf_token": csrf(client, taxonomy_path), "label": "Notes", "category": "other"})
    assert response.status_code == 403


def test_report_page_explains_an_unreadable_date(client, world, login) -> None:
    login(client, "stakeholder")
    response = client.get(f"/programmes/{world.programme_id}/usage/report?from=mars")
    assert response.status_code == 400 and "mars" in response.text


def test_a_preview_kept_as_rows_by_an_earlier_version_asks_for_the_file_again(client, engine, world, login,
                                                                              csrf) -> None:
    login(client, "project_manager")
    preview = _upload(client, csrf, world, _usage_file(world))
    with Session(engine) as session:  # what a usage preview kept before it kept its file: its rows
        saved = session.exec(select(SavedPreview)).one()
        assert saved.rows[0] == "usage-file/1"
        saved.rows = [[1, "2016-03-07", "Cahier de textes", "Enseignant", "day", "teachers", 30, 6, None]]
        session.add(saved)
        session.commit()
    refused = _confirm(client, csrf, world, preview)
    assert refused.status_code == 409
    assert "une version précédente de l'application : renvoyez le fichier" in html.unescape(refused.text)
    assert _records(engine) == 0


def test_a_school_removed_since_the_preview_refuses_the_confirmation(client, engine, world, login, csrf) -> None:
    login(client, "project_manager")
    preview = _upload(client, csrf, world, _usage_file(world))
    with Session(engine) as session:
        session.delete(session.exec(select(School).where(School.uai == world.uais[1])).one())
        session.commit()
    refused = _confirm(client, csrf, world, preview)
    shown = html.unescape(refused.text)
    # The kept file is read again at confirmation: the school's row names its UAI, now unknown.
    assert refused.status_code == 409 and "aucun établissement de ce programme n'a cet UAI" in shown
    assert world.uais[1] in shown
    assert _records(engine) == 0
