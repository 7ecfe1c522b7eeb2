"""What a milestone is, for the tracker and the demo's simulation alike: the seven kinds in
order, the four statuses, the Pix+ Édu levels, and the one rule that plans them.

Every milestone's planned date derives from the window of the school's wave in the adopted
plan (the baseline). Tracking stores these dates when a plan is adopted, and the demo's
simulation draws its slips around them, so the simulated history is late exactly where the
stored plan says it is. Both import the rule from here; standard library only, so the
simulation needs no database.

The rule (offsets in days, from the wave's first or last day):

| milestone | planned on |
|---|---|
| leadership briefed | wave start − 28 (the head teacher is briefed a month ahead) |
| administrators trained | wave start + 14 |
| platform provisioned | wave start + 21 |
| teachers trained | wave end − 7 |
| school live | wave end |
| peer relays active | wave end + 120 (after a first term of use) |
| teachers certified Pix+ Édu | wave end + 270 (the following school year) |

and a milestone is never planned before the one it follows (a short wave pushes the later
milestones back rather than reordering them).
"""

from __future__ import annotations

from datetime import date, timedelta

MILESTONE_STATUSES = ("not_started", "in_progress", "done", "blocked")
PIX_LEVELS = ("initie", "confirme", "avance", "expert")
MILESTONE_KINDS = (
    "leadership_briefed",
    "admins_trained",
    "platform_provisioned",
    "teachers_trained",
    "school_live",
    "relays_active",
    "pix_certified",
)
PLAN_OFFSETS: dict[str, tuple[str, int]] = {
    "leadership_briefed": ("start", -28),
    "admins_trained": ("start", 14),
    "platform_provisioned": ("start", 21),
    "teachers_trained": ("end", -7),
    "school_live": ("end", 0),
    "relays_active": ("end", 120),
    "pix_certified": ("end", 270),
}
EARLIEST_OFFSET_DAYS = min(offset for anchor, offset in PLAN_OFFSETS.values() if anchor == "start")


def planned_dates(wave_start: date, wave_end: date) -> dict[str, date]:
    """Each milestone's planned date for a school of the wave [wave_start, wave_end]."""
    planned: dict[str, date] = {}
    previous = date.min
    for kind in MILESTONE_KINDS:
        anchor, offset = PLAN_OFFSETS[kind]
        base = wave_start if anchor == "start" else wave_end
        previous = max(previous, base + timedelta(days=offset))
        planned[kind] = previous
    return planned
