"""XLSX files written by hand, part by part, as a hostile or careless tool could write them:
openpyxl would never declare a sheet of sixteen thousand columns, leave a formula without its
value or number a row past Excel's last one, so tests that need such files zip the XML here.
Also a guard that fails a test whose work is not bounded, instead of hanging the run."""

from __future__ import annotations

import io
import signal
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def content_types(*, shared_strings: bool) -> str:
    strings = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>' if shared_strings else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK_TYPE}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>{strings}</Types>')


def parts(sheet_data: str, *, dimension: str | None = None, shared_strings: list[str] | str | None = None,
          after_data: str = "") -> dict[str, str | bytes]:
    """The parts of a one-sheet workbook whose `<sheetData>` holds `sheet_data` (rows as XML);
    `shared_strings` is a list of texts, or the whole part as XML."""
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": content_types(shared_strings=shared_strings is not None),
        "_rels/.rels": (f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
                        f'Type="{RELS}/officeDocument"/></Relationships>'),
        "xl/workbook.xml": (f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
                            '<sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
            f'Type="{RELS}/worksheet"/><Relationship Id="rId2" Target="sharedStrings.xml" '
            f'Type="{RELS}/sharedStrings"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (f'<worksheet xmlns="{MAIN}">{dimension_xml}<sheetData>{sheet_data}</sheetData>'
                                     f'{after_data}</worksheet>'),
    }
    if isinstance(shared_strings, list):
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared_strings)
        members["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{items}</sst>'
    elif isinstance(shared_strings, str):
        members["xl/sharedStrings.xml"] = shared_strings
    return members


def zipped(members: Mapping[str, str | bytes]) -> bytes:
    """The members deflated into one archive, as Excel writes an XLSX."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def cell(reference: str, value: str | float) -> str:
    """A cell holding `value` (text written inline, so no shared strings are needed)."""
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{reference}"><v>{value}</v></c>'


def row(number: int, *values: str | float | None) -> str:
    """A row numbered `number` with `values` from column A (None leaves a cell out)."""
    cells = "".join(cell(f"{_letter(index)}{number}", value) for index, value in enumerate(values, 1) if value is not None)
    return f'<row r="{number}">{cells}</row>'


def workbook(*rows: str, **options: object) -> bytes:
    """A one-sheet XLSX of `rows` (see `parts` for the options)."""
    return zipped(parts("".join(rows), **options))  # type: ignore[arg-type]


def _letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def declared_smaller(data: bytes, name: str, size: int) -> bytes:
    """The archive with the part `name` declaring `size` bytes unpacked, whatever it holds: the
    lie a zip bomb tells to pass a check of declared sizes."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
    patched[local + 22:local + 26] = size.to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")  # the central directory: one entry a part, the name 46 bytes in
    while data[central + 46:central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    patched[central + 24:central + 28] = size.to_bytes(4, "little")
    return bytes(patched)


class Unbounded(AssertionError):
    """The guarded work ran past its generous limit: it is not bounded by the file's size."""


@contextmanager
def guard(seconds: int = 20) -> Iterator[None]:
    """Fail (rather than hang) when the block runs for `seconds`: a limit far above what any
    bounded read of a test file needs, so it never measures speed, only that the work ends."""

    def expire(signum: int, frame: object) -> None:
        raise Unbounded(f"still reading after {seconds} s: the work is not bounded")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

