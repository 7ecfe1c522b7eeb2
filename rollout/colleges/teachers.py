"""The teachers of a collège, which the national file does not give.

One rule, shared by the national import (for a school new to the programme) and the shipped
datasets, so a school has the same teachers whichever way it arrived.
"""

from __future__ import annotations

PUPILS_PER_TEACHER = {"none": 15.0, "REP": 13.5, "REP+": 12.0}
MIN_TEACHERS = 8


def estimated_teachers(pupils: int, priority: str) -> int:
    """Teachers of a collège, estimated from pupils: priority-education classes are smaller."""
    return max(MIN_TEACHERS, round(pupils / PUPILS_PER_TEACHER[priority]))
