"""Progress bars for long commands, on a terminal only.

`rollout usage import` of a million rows or `rollout fixtures load --usage daily` run for tens of
seconds: a person at a terminal sees a bar and the rows done so far (click's, as the rest of the
command line is click), while scripts, cron jobs, pipes and tests, whose output is read or
logged, get only the command's usual lines.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


@contextmanager
def rows_bar(label: str) -> Iterator[Callable[[int], None] | None]:
    """A callable that moves a bar to the count of rows it is given, while the block runs, when
    standard output is a terminal; None otherwise (pass it on as a `progress` hook: nothing is
    counted then). The number of rows is not known before the file is read, so the bar shows
    the count and a moving mark rather than a share."""
    if not sys.stdout.isatty():
        yield None
        return
    # An endless iterable gives click's bar no length: it shows the position, not a percentage.
    with click.progressbar(itertools.count(), label=label, show_pos=True, width=24) as bar:
        yield lambda count: bar.update(count - bar.pos)
