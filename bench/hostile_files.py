"""How long reading each hostile file takes, against reading a genuine small file, and whether a
genuine large export stays within the bounds.

    python bench/hostile_files.py [--repeat N]

The hostile files are the tests' (`tests/rollout/imports/handmade_xlsx.py` writes them part by
part); each is read with `rollout.imports.tabular.read_table`, the whole of an upload's work
before its refusal (the preview starts with it). The baseline, measured in the same run, is a
genuine 100-row usage workbook written by openpyxl. Then two genuine 100,000-row usage exports
(openpyxl's write-only writer, as the downloads write, with inline texts; and the shape Excel
and LibreOffice write, every text once in the shared strings) are checked against the
archive's bounds and read: the largest ratio a part compresses by says how far the bound of
100 is from a real file.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "rollout" / "imports")]  # the tests' hand-made files

from handmade_xlsx import MAIN, cell, parts, row, workbook, zipped

from rollout.imports import bounds
from rollout.imports.export import table_bytes
from rollout.imports.tabular import Column, TableError, read_table
from rollout.imports.xlsx import check_archive

USAGE = ["date", "uai", "service", "profile", "visits", "visitors"]
COLUMNS = tuple(Column(name, required=name != "visitors") for name in USAGE)
HEADER = row(1, *USAGE)
DATA = row(2, "2016-03-07", "0931234L", "Notes", "National_ENS", 12, 3)
SERVICES = ("Cahier de textes", "Messagerie", "Notes", "Vie scolaire", "Ressources", "Blog", "Casier")
PROFILES = ("National_ELV", "National_ENS", "National_TUT", "National_PERS")


def _usage_rows(count: int) -> list[list[object]]:
    return [[f"2016-{1 + number // 10_000 % 12:02d}-07", f"093{number % 130:04d}X", SERVICES[number % 7],
             PROFILES[number % 4], number % 5_000, number % 300] for number in range(count)]


def _openpyxl_workbook(rows: list[list[object]]) -> bytes:
    """A workbook as openpyxl writes it (texts inline in the sheet)."""
    book = Workbook()
    book.active.append(USAGE)
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shared_strings_workbook(rows: list[list[object]]) -> bytes:
    """A workbook as Excel and LibreOffice write it: every text once in the shared strings, the
    cells pointing to it."""
    texts: dict[str, int] = {}

    def xml_cell(reference: str, value: object) -> str:
        if isinstance(value, str):
            return f'<c r="{reference}" t="s"><v>{texts.setdefault(value, len(texts))}</v></c>'
        return f'<c r="{reference}"><v>{value}</v></c>'

    sheet = "".join(f'<row r="{number}">' + "".join(xml_cell(f"{letter}{number}", value)
                                                   for letter, value in zip("ABCDEF", values)) + "</row>"
                    for number, values in enumerate([USAGE, *rows], start=1))
    return zipped(parts(sheet, shared_strings=list(texts)))


def _laughs() -> str:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{level} "{f"&a{level - 1};" * 10}">' for level in range(1, 10))
    return f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{MAIN}"><si><t>&a9;</t></si></sst>'


def _many_sheets() -> bytes:
    """3,000 sheet entries that are all one 3,000-row sheet without a dimension."""
    members = parts(HEADER + "".join(row(number, "2016-03-07", "0931234L", "Notes", "National_ENS", number)
                                     for number in range(2, 3_001)))
    entries = "".join(f'<sheet name="F{number}" sheetId="{number}" r:id="rId1"/>' for number in range(1, 3_001))
    members["xl/workbook.xml"] = str(members["xl/workbook.xml"]).replace('<sheet name="Feuil1" sheetId="1" r:id="rId1"/>',
                                                                        entries)
    return zipped(members)


HOSTILE: dict[str, Callable[[], bytes]] = {
    "declared A1:XFD1048576, a row at 1,048,576": lambda: workbook(
        HEADER, DATA, '<row r="1048576"><c r="A1048576"><v>1</v></c></row>', dimension="A1:XFD1048576"),
    "a row numbered 99,999,999": lambda: workbook(HEADER, DATA, '<row r="99999999"><c r="A99999999"><v>1</v></c></row>'),
    "a value in column XFD": lambda: workbook(HEADER, f'<row r="2">{cell("XFD2", "x")}</row>'),
    "20,000 cells without reference in a row": lambda: workbook(HEADER, '<row r="2">' + "<c><v>1</v></c>" * 20_000 + "</row>"),
    "zip bomb: a sheet of 30 MiB of spaces": lambda: zipped(parts(HEADER + " " * 30 * 2**20)),
    "1,001 parts": lambda: zipped(parts(HEADER) | {f"xl/media/i{number}.png": b"" for number in range(bounds.MAX_PARTS)}),
    "shared strings expanding a billion times": lambda: workbook(HEADER, DATA, shared_strings=_laughs()),
    "a formula without its value": lambda: workbook(HEADER, '<row r="2"><c r="A2"><f>NOW()</f></c></row>'),
    "3,000 sheets that are one sheet": _many_sheets,
    "a PNG named .csv": lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
}


def _outcome(data: bytes, name: str) -> str:
    try:
        return f"{len(read_table(data, name, COLUMNS).rows)} rows read"
    except TableError as error:
        return f"refused {error.status}: {error.problems[0].code}"


def _best(read: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    return min(times)


def _hostile(repeat: int) -> None:
    genuine = _openpyxl_workbook(_usage_rows(100))
    baseline = _best(lambda: _outcome(genuine, "genuine.xlsx"), repeat)
    print(f"| file | bytes | outcome | seconds (best of {repeat}) | × genuine |")
    print("|---|---:|---|---:|---:|")
    print(f"| genuine usage workbook, 100 rows (baseline) | {len(genuine):,} | {_outcome(genuine, 'g.xlsx')} "
          f"| {baseline:.4f} | 1.0 |")
    for what, make in HOSTILE.items():
        data = make()
        name = "hostile.csv" if what.endswith(".csv") else "hostile.xlsx"
        seconds = _best(lambda data=data, name=name: _outcome(data, name), repeat)
        print(f"| {what} | {len(data):,} | {_outcome(data, name)} | {seconds:.4f} | {seconds / baseline:.1f} |")


def _largest_ratio(data: bytes) -> tuple[str, float]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = max(archive.infolist(), key=lambda member: member.file_size / max(member.compress_size, 1))
    return part.filename, part.file_size / max(part.compress_size, 1)


def _genuine_large() -> None:
    rows = _usage_rows(100_000)
    exports = {
        "100,000 rows, write-only (inline texts, as the downloads)": table_bytes(USAGE, rows, fmt="xlsx", sheet="Usage"),
        "100,000 rows, as Excel writes them (shared strings)": _shared_strings_workbook(rows),
    }
    print("\n| genuine export | bytes | most compressed part | ratio | within bounds | rows read | seconds |")
    print("|---|---:|---|---:|---|---:|---:|")
    for what, data in exports.items():
        check_archive(data, "usage.xlsx")  # raises when over a bound
        part, ratio = _largest_ratio(data)
        start = time.perf_counter()
        read = len(read_table(data, "usage.xlsx", COLUMNS).rows)
        seconds = time.perf_counter() - start
        print(f"| {what} | {len(data):,} | {part} | {ratio:.1f} | yes (≤ {bounds.MAX_RATIO}) | {read:,} | {seconds:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="times each file is read; the best time is kept")
    arguments = parser.parse_args()
    _hostile(arguments.repeat)
    _genuine_large()


if __name__ == "__main__":
    main()
