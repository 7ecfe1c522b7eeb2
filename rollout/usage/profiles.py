"""User profiles as platforms export them, rolled up into the four audiences reports use.

The SDET national codes and the plain French or English words of the usage contract are
accepted; matching ignores case and accents.
"""

from __future__ import annotations

from rollout.core.text import fold

SDET_AUDIENCES = {
    "national_elv": "pupil",
    "national_ens": "teacher",
    "national_tut": "parent",
    "national_dir": "staff",
    "national_evs": "staff",
    "national_eta": "staff",
    "national_doc": "staff",
    "national_aca": "staff",
    "national_col": "staff",
}
WORD_AUDIENCES = {
    "eleve": "pupil",
    "pupil": "pupil",
    "enseignant": "teacher",
    "teacher": "teacher",
    "parent": "parent",
    "personnel": "staff",
    "staff": "staff",
}


def audience_of(profile: str) -> str:
    """The audience of a profile; ValueError names the profile when it is unknown."""
    key = fold(profile)
    audience = SDET_AUDIENCES.get(key) or WORD_AUDIENCES.get(key)
    if audience is None:
        raise ValueError(f"unknown profile {profile!r}")
    return audience


def canonical_profile(profile: str) -> str:
    """How a profile is stored: SDET codes as `National_XXX`, plain words folded (`eleve`).

    The profile is part of the usage key, so `Élève`, `ELEVE` and `eleve` must be one key: a
    re-import spelled differently then replaces its rows instead of counting them twice.
    ValueError names the profile when it is unknown.
    """
    key = fold(profile)
    if key in SDET_AUDIENCES:
        return "National_" + key.removeprefix("national_").upper()
    if key in WORD_AUDIENCES:
        return key
    raise ValueError(f"unknown profile {profile!r}")
