"""The monthly summary answers exactly what the base rows would, on SQLite and PostgreSQL.

The report reads `usagemonth` (and base rows only for months a bound cuts); these tests
recompute every report in Python from the base rows themselves, after imports that add,
replace and leave rows, and after a taxonomy change, for bounds on and off month limits.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from rollout.db import downgrade, upgrade
from rollout.models import ADMINISTRATIVE, PEDAGOGICAL, Programme, School, SchoolMonth, UsageMonth, UsageRecord
from rollout.usage import taxonomy
from rollout.usage.report import usage_report
from rollout.usage.summary import month_of, split_range
from rollout.usage.taxonomy import DEFAULT_KEYWORDS, set_category
from usage_world import import_usage_file, usage_world  # noqa: F401  (the fixture)

A, B, C = "0930001W", "0930002X", "0930003Y"
SERVICES = ("Cahier de textes", "Notes", "Messagerie", "Manuels numériques", "Jeux")
PROFILES = ("National_ENS", "National_ELV", "National_DIR")
BOUNDS = (
    (None, None),
    (date(2016, 3, 1), date(2016, 4, 30)),  # whole months only
    (date(2016, 2, 17), None),  # cut February, then everything
    (None, date(2016, 4, 9)),  # everything up to a cut April
    (date(2016, 3, 5), date(2016, 3, 20)),  # inside one month
    (date(2016, 2, 20), date(2016, 5, 3)),  # cut at both ends
)


def _csv(rows: list[tuple]) -> bytes:
    lines = ["date,uai,service,profile,visits,visitors,period"]
    lines += [f"{day.isoformat()},{uai},{service},{profile},{visits},{'' if visitors is None else visitors},{period}"
              for day, uai, service, profile, visits, visitors, period in rows]
    return ("\n".join(lines) + "\n").encode()


def _daily(seed: int, first: date, days: int, uais: tuple[str, ...]) -> list[tuple]:
    """Daily rows for a few schools, services and profiles, some without a visitors count."""
    chance = random.Random(seed)
    rows = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        for uai in uais:
            for service in chance.sample(SERVICES, 2):
                for profile in chance.sample(PROFILES, 2):
                    visits = chance.randint(0, 50)
                    visitors = None if chance.random() < 0.2 else chance.randint(0, visits)
                    rows.append((day, uai, service, profile, visits, visitors, "day"))
    return rows


def _weekly(first: date, weeks: int) -> list[tuple]:
    """School C reports by week (Mondays), so its weeks across month ends count in their start's month."""
    return [(first + timedelta(weeks=index), C, "Notes", "National_ENS", 70 + index, 6 + index % 3, "week")
            for index in range(weeks)]


def _expected(session: Session, programme_id: int, by: str, start: date | None, end: date | None) -> list[tuple]:
    """The report worked out in Python from the base rows, by the definitions of docs/usage.md."""
    mapping = taxonomy.category_mapping(session, programme_id=programme_id)
    schools = {school.id: school for school in session.exec(select(School).where(School.programme_id == programme_id))}
    groups: dict[tuple, dict] = defaultdict(lambda: {"visits": 0, "ped": 0, "adm": 0, "known": False,
                                                     "teacher": 0, "pupil": 0})
    for row in session.exec(select(UsageRecord).where(UsageRecord.school_id.in_(list(schools)))):
        if (start and row.period_start < start) or (end and row.period_start > end):
            continue
        category = mapping[row.service]
        key = (row.school_id, month_of(row.period_start)) + ((category,) if by == "category" else ())
        group = groups[key]
        group["visits"] += row.visits
        group["ped"] += row.visits if category in PEDAGOGICAL else 0
        group["adm"] += row.visits if category in ADMINISTRATIVE else 0
        if row.visitors is not None:
            group["known"] = True
            if row.audience in ("teacher", "pupil"):
                group[row.audience] = max(group[row.audience], row.visitors)
    totals: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for key, group in groups.items():
        school = schools[key[0]]
        name = {"school": school.uai, "month": key[1], "category": key[-1]}[by]
        total = totals[name]
        for field in ("visits", "ped", "adm"):
            total[field] += group[field]
        if group["known"]:
            total["teachers"] += group["teacher"]
            total["pupils"] += group["pupil"]
            total["teacher_enrolment"] += school.teachers
            total["pupil_enrolment"] += school.pupils
            total["known"] = 1

    def ratio(numerator: int, denominator: int) -> float | None:
        return round(numerator / denominator, 9) if denominator else None

    return sorted(
        (name, t["visits"], t["ped"], t["adm"], ratio(t["ped"], t["visits"]),
         ratio(t["teachers"], t["teacher_enrolment"]) if t["known"] else None,
         ratio(t["pupils"], t["pupil_enrolment"]) if t["known"] else None)
        for name, t in totals.items()
    )


def _reported(session: Session, programme_id: int, by: str, start: date | None, end: date | None) -> list[tuple]:
    rounded = (lambda value: None if value is None else round(value, 9))
    return sorted(
        (row.group, row.visits, row.pedagogical_visits, row.administrative_visits, rounded(row.pedagogical_share),
         rounded(row.teacher_adoption), rounded(row.pupil_adoption))
        for row in usage_report(session, programme_id=programme_id, by=by, start=start, end=end)
    )


def _assert_reports_match_rows(session: Session, programme_id: int) -> None:
    for by in ("school", "month", "category"):
        for start, end in BOUNDS:
            assert _reported(session, programme_id, by, start, end) == _expected(session, programme_id, by, start, end), (
                by, start, end)


def _assert_summary_is_the_rows_summed(session: Session) -> None:
    expected: dict[tuple, list] = {}
    for row in session.exec(select(UsageRecord)):
        key = (row.school_id, month_of(row.period_start), row.service, row.audience)
        visits, largest, counted = expected.get(key, (0, None, 0))
        if row.visitors is not None:
            largest, counted = max(largest or 0, row.visitors), counted + 1
        expected[key] = (visits + row.visits, largest, counted)
    stored = {(s.school_id, s.month, s.service, s.audience): (s.visits, s.visitors_max, s.visitors_rows)
              for s in session.exec(select(UsageMonth))}
    assert stored == expected


def test_reports_from_the_summary_equal_the_base_rows_through_imports_and_a_taxonomy_change(engine, usage_world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, usage_world.programme_id)
        first = _daily(1, date(2016, 2, 10), 60, (A, B)) + _weekly(date(2016, 2, 1), 12)
        import_usage_file(session, programme, _csv(first), "first.csv")
        session.commit()
        _assert_summary_is_the_rows_summed(session)
        _assert_reports_match_rows(session, programme.id)

        # A later export: A's March again with more visits (only replacements in those
        # school-months), B's April unchanged, new days in May.
        replacing = [(day, uai, service, profile, visits + 1, *rest)
                     for day, uai, service, profile, visits, *rest in first if uai == A and day.month == 3]
        kept = [row for row in first if row[0].month == 4 and row[1] == B]
        added = _daily(2, date(2016, 5, 1), 10, (A, B))
        imported = import_usage_file(session, programme, _csv(replacing + kept + added), "second.csv")
        session.commit()
        assert imported.replaced == len(replacing) and imported.unchanged == len(kept) and imported.new > 0
        _assert_summary_is_the_rows_summed(session)
        _assert_reports_match_rows(session, programme.id)

        # A leader maps the unknown "Jeux" to pedagogy: past months follow at once.
        set_category(session, programme=programme, label="Jeux", category="pedagogy", actor="lea@example.fr", channel="cli")
        session.commit()
        assert any(row[2] for row in _reported(session, programme.id, "category", None, None) if row[0] == "pedagogy")
        _assert_reports_match_rows(session, programme.id)


def test_a_deleted_school_takes_its_summary_with_it(engine, usage_world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, usage_world.programme_id)
        import_usage_file(session, programme, _csv(_daily(3, date(2016, 3, 28), 7, (A, B))), "week.csv")
        session.commit()
        session.delete(session.get(School, usage_world.schools[A]))
        session.commit()
        assert {row.school_id for row in session.exec(select(UsageMonth))} == {usage_world.schools[B]}
        _assert_summary_is_the_rows_summed(session)


def test_migration_0010_summarises_the_rows_already_stored(engine, usage_world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, usage_world.programme_id)
        import_usage_file(session, programme, _csv(_daily(4, date(2016, 2, 25), 12, (A, B)) + _weekly(date(2016, 2, 1), 6)))
        set_category(session, programme=programme, label="Jeux", category="resources", actor="lea@example.fr", channel="cli")
        session.commit()
    downgrade(engine, "0009")
    upgrade(engine)
    with Session(engine) as session:
        assert session.exec(select(SchoolMonth)).first() is not None
        _assert_summary_is_the_rows_summed(session)
        _assert_reports_match_rows(session, usage_world.programme_id)


KEYWORDS_DIGEST = "7b726a98d1a074a9a99e6ee37396d23da5000e92a8baf7936fa1fadefc5e8983"


def test_schoolmonth_was_computed_under_these_default_keywords() -> None:
    """`schoolmonth` stores categories: a release that changes the default keywords must
    recompute it (a migration calling `summary.refresh_categories` for each programme)."""
    digest = hashlib.sha256(json.dumps(DEFAULT_KEYWORDS, sort_keys=True).encode()).hexdigest()
    assert digest == KEYWORDS_DIGEST, (
        "the default taxonomy changed: add a migration that recomputes schoolmonth, then set KEYWORDS_DIGEST to "
        + digest)


@pytest.mark.parametrize(("start", "end", "months", "partial"), [
    (None, None, (None, None), []),
    (date(2016, 3, 1), date(2016, 4, 30), ("2016-03", "2016-04"), []),
    (date(2016, 3, 2), None, ("2016-04", None), [(date(2016, 3, 2), date(2016, 3, 31))]),
    (None, date(2016, 4, 29), (None, "2016-03"), [(date(2016, 4, 1), date(2016, 4, 29))]),
    (date(2016, 3, 5), date(2016, 3, 20), ("2016-04", "2016-02"), [(date(2016, 3, 5), date(2016, 3, 20))]),
    (date(2016, 2, 29), date(2016, 3, 1), ("2016-03", "2016-02"), [(date(2016, 2, 29), date(2016, 2, 29)),
                                                                    (date(2016, 3, 1), date(2016, 3, 1))]),
    (date(2016, 12, 15), date(2017, 1, 31), ("2017-01", "2017-01"), [(date(2016, 12, 15), date(2016, 12, 31))]),
])
def test_a_range_splits_into_whole_months_and_cut_days(start, end, months, partial) -> None:
    assert split_range(start, end) == (*months, partial)
