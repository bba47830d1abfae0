"""Opening a CSV export whatever tool wrote it: encoding, delimiter and header row.

:func:`open_csv` looks at the file once (its hash, whether it is text, which encoding
decodes it), then streams its rows with their 1-based physical line numbers, so a problem
can always be located. Nothing here knows what the columns mean; the usage import and
the signups import both build on it.

Rows are read in pieces (1 MiB unless the caller asks for another size) cut at a line
break outside quotes. A piece with no quotes whose lines all have the header's width
(most machine-written exports) is split into columns with one ``str.split``; any other
piece goes through the csv module.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from plm_desktop.importer.errors import ImportRejected, Problem

log = logging.getLogger(__name__)

SAMPLE_BYTES = 64 * 1024
SAMPLE_ROWS = 200
DELIMITERS = (",", ";", "\t", "|")
_SCAN_CHUNK = 1024 * 1024
# Characters of text per batch, and how long a row may grow before an unclosed quote
# is reported instead of reading on to the end of the file.
CHUNK_CHARS = 1024 * 1024
MAX_ROW_CHARS = 8 * 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ZIP_MAGIC = b"PK\x03\x04"
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}


def describe_encoding(encoding: str) -> str:
    """A name for the encoding that a founder would recognise from a Save As dialog."""
    return _ENCODING_NAMES.get(encoding, encoding)


@dataclass(frozen=True)
class FileScan:
    """What one pass over the bytes found: size, sha256 and an encoding that decodes all."""

    total_bytes: int
    content_hash: str
    encoding: str


class RowBatch:
    """Consecutive data rows and where each starts in the file.

    ``rows`` are lists of str as the csv module gives them; blank lines are dropped.
    ``line(k)`` is the 1-based physical line on which row ``k`` starts. A batch cut from
    plain text (no quotes, every line as wide as the header) is held as ``columns``
    instead, which is what the validator wants; ``rows`` are then built on first use.
    """

    def __init__(
        self,
        rows: list[list[str]] | None,
        first_line: int,
        lines: list[int] | None = None,
        *,
        columns: list[list[str]] | None = None,
    ) -> None:
        self._rows = rows
        self._columns = columns
        self.first_line = first_line
        self.lines = lines
        self.count = len(rows) if rows is not None else len(columns[0]) if columns else 0

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            self._rows = [list(row) for row in zip(*(self._columns or ()), strict=True)]
        return self._rows

    @property
    def columns(self) -> list[list[str]] | None:
        """The rows as columns when every row has the header's width, else None."""
        return self._columns

    def line(self, k: int) -> int:
        return self.first_line + k if self.lines is None else self.lines[k]

    def __len__(self) -> int:
        return self.count

    def drop(self, indexes: set[int]) -> None:
        """Remove rows by position, keeping the line numbers of the others right."""
        rows = self.rows
        lines = [self.line(k) for k in range(len(rows))]
        keep = [k for k in range(len(rows)) if k not in indexes]
        self._rows = [rows[k] for k in keep]
        self._columns = None
        self.count = len(keep)
        self.lines = [lines[k] for k in keep]
        self.first_line = self.lines[0] if self.lines else self.first_line


def _line_breaks(text: str) -> int:
    """Physical line breaks in text read with ``newline=""`` (\n, \r\n or a lone \r)."""
    if "\r" not in text:
        return text.count("\n")
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _make_batch(rows: list[list[str]], lines_before: int, lines_after: int) -> RowBatch:
    """Attach line numbers to rows the csv module read, without a Python step per row.

    When the rows used exactly one physical line each (the usual case) the line of row k
    is arithmetic. Otherwise (blank lines, quoted newlines) they are counted row by row.
    """
    first = lines_before + 1
    if lines_after - lines_before == len(rows) and [] not in rows:
        return RowBatch(rows, first)
    lines, kept, line = [], [], first
    for row in rows:
        if row:
            kept.append(row)
            lines.append(line)
            line += 1 + _line_breaks("".join(row))
        else:
            line += 1
    return RowBatch(kept, lines[0] if lines else first, lines)


def _safe_cut(text: str) -> int:
    """The last line break in ``text`` that is not inside a quoted field, or -1.

    In CSV a line break is a row boundary exactly when an even number of quote characters
    precede it (a doubled quote inside a field counts twice, so parity still holds).
    Files from classic Mac tools end lines with a lone carriage return; those are cut
    there instead.
    """
    mark = "\n" if "\n" in text else "\r"
    cut = text.rfind(mark, 0, len(text) - 1) if mark == "\r" else text.rfind(mark)
    if '"' not in text:
        return cut
    total, after, end = text.count('"'), 0, len(text)
    while cut >= 0:
        after += text.count('"', cut, end)
        end = cut
        if (total - after) % 2 == 0:
            return cut
        cut = text.rfind(mark, 0, cut)
    return -1


def _chunk_batch(text: str, first_line: int, delimiter: str, width: int) -> RowBatch:
    """The rows of a piece of the file that holds whole rows only.

    Plain text (no quotes, no blank lines, every line with the header's number of
    delimiters) is split at C speed straight into columns; anything else goes through the
    csv module, which agrees with the plain split wherever both apply.
    """
    body = text.replace("\r\n", "\n") if "\r" in text else text
    if body.endswith("\n"):
        body = body[:-1]
    plain = (
        width > 1
        and '"' not in body
        and "\r" not in body
        and "\n\n" not in body
        and not body.startswith("\n")
    )
    columns = _plain_columns(body, delimiter, width) if plain else None
    if columns is not None:
        return RowBatch(None, first_line, columns=columns)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    return _make_batch(rows, first_line - 1, first_line - 1 + reader.line_num)


def _plain_columns(body: str, delimiter: str, width: int) -> list[list[str]] | None:
    """Split unquoted lines into ``width`` columns with one ``split``, or None if ragged.

    Splitting on the delimiter alone leaves each line break inside the cell that joins
    the last value of one line to the first of the next, at every ``width - 1``-th cell.
    The lines are all exactly ``width`` wide precisely when the cell count is right and
    each of those joining cells holds one line break (there are only as many breaks as
    joining cells, so none can hide elsewhere).
    """
    step = width - 1
    lines = body.count("\n") + 1
    cells = body.split(delimiter)
    if len(cells) != lines * step + 1:
        return None
    joins = cells[step : lines * step : step]
    if not all(map(str.__contains__, joins, repeat("\n"))):
        return None
    parts = "\n".join(joins).split("\n") if joins else []
    if len(parts) != 2 * len(joins):
        return None
    first = [cells[0], *parts[1::2]]
    last = [*parts[0::2], cells[-1]]
    return [first, *(cells[j::step] for j in range(1, step)), last]


class CsvSource:
    """A sniffed CSV file, streamed row by row or in batches.

    Attributes:
        path: the file.
        name: the file's name, used in every message.
        encoding: the Python codec that reads it.
        delimiter: ``,``, ``;``, tab or ``|``.
        header: the header row's cells, stripped.
        header_line: the 1-based line of the header row (preamble lines may come first).
        total_bytes: the file's size, for progress.
        content_hash: sha256 of the bytes, or None when the file was only sampled.
        sample_rows: the first data rows (up to ``SAMPLE_ROWS``), for previews and for
            deciding what unknown columns hold.
    """

    def __init__(
        self,
        path: Path,
        *,
        encoding: str,
        delimiter: str,
        data_line: int,
        header: list[str],
        header_line: int,
        total_bytes: int,
        content_hash: str | None,
        sample_rows: list[list[str]],
    ) -> None:
        self.path = path
        self.name = path.name
        self.encoding = encoding
        self.delimiter = delimiter
        self.header = header
        self.header_line = header_line
        self.total_bytes = total_bytes
        self.content_hash = content_hash
        self.sample_rows = sample_rows
        self._data_line = data_line
        self._binary: io.BufferedReader | None = None
        self._text: io.TextIOWrapper | None = None

    def _open(self) -> io.TextIOWrapper:
        self.close()
        self._binary = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        self._text = io.TextIOWrapper(self._binary, encoding=self.encoding, newline="")
        for _ in range(self._data_line - 1):
            self._text.readline()
        return self._text

    @property
    def bytes_read(self) -> int:
        """How far into the file the reader is, in bytes (for progress)."""
        if self._binary is None or self._binary.closed:
            return 0
        return min(self._binary.tell(), self.total_bytes)

    def batches(self, size: int = CHUNK_CHARS) -> Iterator[RowBatch]:
        """The data rows after the header, about ``size`` characters at a time.

        Raises:
            ImportRejected: the text stops decoding, or a quote is never closed; the
                problem names the line where it happened.
        """
        text_io = self._open()
        width = len(self.header)
        line = self._data_line
        pending = ""
        while True:
            try:
                data = text_io.read(size)
            except UnicodeDecodeError as exc:
                raise ImportRejected([self._decode_problem(line, exc)]) from None
            if not data:
                break
            pending += data
            cut = _safe_cut(pending)
            if cut < 0:
                if len(pending) > MAX_ROW_CHARS:
                    message = "a quote opened on this line is never closed"
                    raise ImportRejected([Problem(self.name, line, None, message)])
                continue
            chunk, pending = pending[: cut + 1], pending[cut + 1 :]
            batch = self._batch(chunk, line, width)
            line += _line_breaks(chunk)
            if len(batch):
                yield batch
        if pending.strip("\r\n"):
            batch = self._batch(pending, line, width)
            if len(batch):
                yield batch

    def _batch(self, text: str, line: int, width: int) -> RowBatch:
        try:
            return _chunk_batch(text, line, self.delimiter, width)
        except csv.Error as exc:
            problem = Problem(self.name, line, None, f"not valid CSV: {exc}")
            raise ImportRejected([problem]) from None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        """Each data row with the 1-based line it starts on; blank lines are skipped."""
        for batch in self.batches():
            for k, row in enumerate(batch.rows):
                yield batch.line(k), row

    def _decode_problem(self, line: int, exc: UnicodeDecodeError) -> Problem:
        bad = exc.object[exc.start : exc.start + 1].hex()
        message = (
            "from about this line, "
            f"byte 0x{bad} cannot be read as {describe_encoding(self.encoding)}; "
            "save the file again as UTF-8 CSV"
        )
        return Problem(self.name, line, None, message)

    def close(self) -> None:
        if self._text is not None:
            self._text.close()
        elif self._binary is not None:
            self._binary.close()
        self._text = self._binary = None

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_csv(
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    scan: bool = True,
) -> CsvSource:
    """Sniff a CSV file and return a source that streams its rows.

    Args:
        path: the file.
        encoding: a codec to force instead of detecting (UTF-8, UTF-8 with BOM, UTF-16
            with BOM and Windows-1252 are detected).
        delimiter: a delimiter to force instead of detecting among ``, ; tab |``.
        scan: read the whole file once first, to hash it and to be sure the chosen
            encoding decodes every byte (an accent on line 90,000 decides between UTF-8 and
            Windows-1252). Previews pass False and decide from the first 64 KiB.

    Raises:
        ImportRejected: the file is empty, binary, in no known encoding, or has no
            header row; the problem says which.
        OSError: the file cannot be read.
    """
    path = Path(path)
    name = path.name
    total = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise ImportRejected([Problem(name, None, None, "the file is empty")])
    _refuse_binary(name, head)

    if encoding is None:
        if scan:
            found = scan_file(path)
            encoding = found.encoding
            content_hash = found.content_hash
        else:
            encoding = _encoding_of_sample(name, head, total > len(head))
            content_hash = None
    else:
        content_hash = scan_file(path, encoding=encoding).content_hash if scan else None

    text = _decode_sample(head, encoding, truncated=total > len(head))
    if delimiter is None:
        delimiter = sniff_delimiter(rows_by_delimiter(text))
    if delimiter is None:
        message = "no delimiter found: expected values separated by commas, semicolons or tabs"
        raise ImportRejected([Problem(name, 1, None, message)])
    rows, line_starts, line_ends = _parse(text, delimiter)
    index = header_row_index(rows)
    if index is None:
        raise ImportRejected([Problem(name, 1, None, "no header row found")])
    header = [cell.strip() for cell in rows[index]]
    sample = [row for row in rows[index + 1 :] if row][:SAMPLE_ROWS]
    log.debug(
        "sniffed %s: %s, delimiter %r, header on line %d",
        name,
        encoding,
        delimiter,
        line_starts[index],
    )
    return CsvSource(
        path,
        encoding=encoding,
        delimiter=delimiter,
        data_line=line_ends[index] + 1,
        header=header,
        header_line=line_starts[index],
        total_bytes=total,
        content_hash=content_hash,
        sample_rows=sample,
    )


def _refuse_binary(name: str, head: bytes) -> None:
    if head.startswith(_ZIP_MAGIC):
        message = (
            "this is a spreadsheet workbook or zip archive, not CSV text; "
            "export it as CSV (File > Save As > CSV)"
        )
        raise ImportRejected([Problem(name, None, None, message)])
    if any(head.startswith(bom) for bom, codec in _BOMS if codec == "utf-16"):
        return
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > len(head) // 100:
        message = "this is not a CSV text file (it holds binary data); export it as CSV"
        raise ImportRejected([Problem(name, None, None, message)])


def scan_file(path: Path, *, encoding: str | None = None) -> FileScan:
    """Hash the file and find an encoding that decodes all of it, in one streaming pass.

    Raises:
        ImportRejected: binary data further in, or bytes no supported encoding reads.
    """
    name = path.name
    digest = hashlib.sha256()
    total = 0
    with open(path, "rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        if encoding is None:
            encoding = next((c for bom, c in _BOMS if head.startswith(bom)), None)
        decoder = codecs.getincrementaldecoder(encoding or "utf-8")()
        utf8_failed_at = None
        binary_at = None
        while chunk := handle.read(_SCAN_CHUNK):
            digest.update(chunk)
            if binary_at is None and encoding != "utf-16" and b"\x00" in chunk:
                binary_at = total + chunk.index(b"\x00")
            if utf8_failed_at is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    utf8_failed_at = total + exc.start
            total += len(chunk)
        if utf8_failed_at is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_failed_at = total
    if binary_at is not None:
        message = f"binary data (a NUL byte) at byte {binary_at}: this is not a CSV text file"
        raise ImportRejected([Problem(name, None, None, message)])
    if utf8_failed_at is None:
        return FileScan(total, digest.hexdigest(), encoding or "utf-8")
    if encoding is not None:
        codec = describe_encoding(encoding)
        message = f"bytes at offset {utf8_failed_at} cannot be read as {codec}"
        raise ImportRejected([Problem(name, None, None, message)])
    if _decodes_whole(path, "cp1252"):
        return FileScan(total, digest.hexdigest(), "cp1252")
    message = (
        f"the text is neither UTF-8 nor Windows-1252 (first bad byte at offset "
        f"{utf8_failed_at}); save the file as UTF-8 CSV"
    )
    raise ImportRejected([Problem(name, None, None, message)])


def _decodes_whole(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(_SCAN_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _encoding_of_sample(name: str, head: bytes, truncated: bool) -> str:
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    for codec in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(codec)().decode(head, final=not truncated)
        except UnicodeDecodeError:
            continue
        return codec
    message = "the text is neither UTF-8 nor Windows-1252; save the file as UTF-8 CSV"
    raise ImportRejected([Problem(name, None, None, message)])


def _decode_sample(head: bytes, encoding: str, *, truncated: bool) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=True)
    if truncated:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        text = text[: cut + 1] if cut >= 0 else text
    return text


def _parse(text: str, delimiter: str, limit: int = SAMPLE_ROWS + 50) -> tuple[list, list, list]:
    """Rows of a sample, the 1-based line each starts on and the line each ends on.

    Stops at a broken tail (a sample cut inside a quoted field).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, starts, ends = [], [], []
    while len(rows) < limit:
        before = reader.line_num
        try:
            row = next(reader)
        except (StopIteration, csv.Error):
            break
        rows.append(row)
        starts.append(before + 1)
        ends.append(reader.line_num)
    return rows, starts, ends


def rows_by_delimiter(text: str) -> dict[str, list[list[str]]]:
    """The first rows of a sample parsed with each candidate delimiter."""
    return {d: _parse(text, d, limit=60)[0] for d in DELIMITERS}


def sniff_delimiter(candidates: dict[str, list[list[str]]]) -> str | None:
    """The delimiter that splits the most rows into the same number (>1) of fields.

    Quoted fields are honoured (the csv module parses each candidate), so commas inside
    quoted names do not fool it. Ties go to the wider split, then to the comma.
    """
    best, best_score = None, (0, 0)
    for delimiter, rows in candidates.items():
        widths = Counter(len(row) for row in rows if row)
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        if width < 2:
            continue
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def header_row_index(rows: list[list[str]]) -> int | None:
    """Which sampled row is the header: the first full-width row of mostly words.

    Exports sometimes start with a title or a blank line; those rows are narrower than
    the data, or do not look like column names, and are skipped.
    """
    widths = Counter(len(row) for row in rows if row)
    if not widths:
        return None
    width = max(widths.items(), key=lambda item: (item[1], item[0]))[0]
    first_wide = None
    for index, row in enumerate(rows):
        if len(row) < width or not row:
            continue
        if first_wide is None:
            first_wide = index
        cells = [cell.strip() for cell in row]
        words = sum(1 for cell in cells if cell and not _is_number_text(cell))
        if words * 2 >= len(cells):
            return index
    return first_wide


def _is_number_text(cell: str) -> bool:
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True
