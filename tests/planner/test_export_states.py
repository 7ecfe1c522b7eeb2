"""A calendar told what became of each planned event (`plan_to_icalendar(states=…)`), as a
trainer's feed is: the note ends the description, a cancelled event is STATUS:CANCELLED, and
the events' identities do not change, so a subscribed calendar updates them in place."""

from __future__ import annotations

import datetime

import icalendar

from planner.export import EventState, plan_to_icalendar
from tiny_scenarios import make_plan, make_scenario

STAMP = datetime.datetime(2027, 1, 2, 9, 30, tzinfo=datetime.timezone.utc)


def _events(text: str) -> list:
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def test_states_mark_events_by_key_without_changing_their_identity() -> None:
    plain = _events(plan_to_icalendar(make_scenario(), make_plan(), "V-1", stamp=STAMP))
    states = {("leadership", "W1", "1"): EventState("État : Annulée.", cancelled=True), ("trainers", "W1", "1"): EventState("État : Réalisée.")}
    marked = _events(plan_to_icalendar(make_scenario(), make_plan(), "V-1", stamp=STAMP, states=states))

    assert [str(event["uid"]) for event in marked] == [str(event["uid"]) for event in plain]
    trainers, leadership_w1, leadership_w2 = marked
    assert str(trainers["description"]).endswith("\nÉtat : Réalisée.") and trainers.get("status") is None
    assert str(leadership_w1["description"]).endswith("\nÉtat : Annulée.") and str(leadership_w1["status"]) == "CANCELLED"
    assert str(leadership_w2["description"]) == str(plain[2]["description"]) and leadership_w2.get("status") is None


def test_a_school_event_is_keyed_by_wave_and_school() -> None:
    states = {("teachers", "W2", "0930003Y"): EventState("État : Annulée.", cancelled=True)}
    found = _events(plan_to_icalendar(make_scenario(), make_plan(), "AT-1", stamp=STAMP, states=states))

    assert [event.get("status") is not None for event in found] == [False, True]
    assert "(0930003Y)" in str(found[1]["description"])
