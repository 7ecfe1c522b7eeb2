"""Every bound an uploaded file is held to, in one place, each with the reason for its value.

A file is read only within these bounds, checked before or while it is parsed, never after, so
that one upload cannot hold a worker for minutes or fill its memory: a file refused for a bound
costs what reading its first bytes, its zip directory or the rows up to the bound costs.
The readers (`tabular`, `xlsx`) look the values up at call time, so tests may lower them.
"""

from __future__ import annotations

MAX_BYTES = 80 * 2**20
"""The largest file read: a district's daily usage file of MAX_DATA_ROWS rows is 56 MiB of CSV
(Seine-Saint-Denis, 130 collèges, issue #14). Uploads through the web are held to the request
limit (`ROLLOUT_MAX_UPLOAD_MB`, by default this bound and its form: `rollout.config.UPLOAD_MB`)
before this bound is reached; a deployer may lower it."""

MAX_UNPACKED_BYTES = 500 * 2**20
"""The most an XLSX may unpack to: a genuine workbook unpacks to five to thirty times its size."""

MAX_PARTS = 1_000
"""The most files an XLSX archive may hold: a workbook has a dozen parts, and a few more a sheet."""

MAX_RATIO = 100
"""How many times a part of an XLSX, or the whole archive, may unpack to its packed size. A
workbook's XML compresses 5 to 30 times (15 for 100,000 identical rows written by openpyxl); a
zip bomb about 1,000 times."""

RATIO_FLOOR = 2**20
"""Below this unpacked size, a part (or an archive) is not held to MAX_RATIO: a small part of
repeated bytes compresses far better than a sheet, and costs nothing to read."""

MAX_SHARED_STRINGS_BYTES = 64 * 2**20
"""The most an XLSX's shared strings (the texts its cells point to) may unpack to: openpyxl holds
them all in memory. A district's files repeat a few thousand texts; 64 MiB is a million rows
of three distinct texts each, from a tool that does not share them."""

MAX_ROWS = 1_048_576
"""The last row number read, of a sheet or a CSV: Excel's own limit. An XLSX's row numbered
beyond it, or its millionth row element past it, is refused as soon as it is seen."""

MAX_COLUMNS = 1_000
"""The widest row read: no import has more than a few dozen columns. A cell with a value beyond
it is refused; empty cells beyond it (formatting, trailing separators) are left out."""

MAX_DATA_ROWS = 1_000_000
"""The most data rows read, header, title and totals rows apart (a sheet holds at most MAX_ROWS)."""


def mebibytes(size: int, limit: int) -> dict[str, float]:
    """A size and the bound it is over, in mebibytes, as the messages that refuse a file say them."""
    return {"size": size / 2**20, "limit": limit / 2**20}
