"""What goes wrong in an import, said so a founder can find and fix it in the file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as the file allows.

    Attributes:
        file: the file's name as the founder knows it.
        line: 1-based physical line in the file, or None for the file as a whole.
        column: the header of the column at fault, or None.
        message: what is wrong and, where it helps, what would be right.
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f", line {self.line}"
        if self.column is not None:
            place += f", column {self.column!r}"
        return f"{place}: {self.message}"


class ImportRejected(Exception):
    """The file was refused and nothing from it was stored.

    Carries the first problems found (not only the first one), so a founder can fix them
    in one pass. ``str()`` gives a readable multi-line report.
    """

    def __init__(self, problems: list[Problem], *, truncated: bool = False) -> None:
        self.problems = list(problems)
        self.truncated = truncated
        super().__init__(self.report())

    @property
    def file(self) -> str | None:
        return self.problems[0].file if self.problems else None

    def report(self) -> str:
        count = len(self.problems)
        head = f"{self.file}: rejected, nothing was stored ({count} problem"
        head += "s" if count != 1 else ""
        head += ", stopped looking after these)" if self.truncated else ")"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])

    def __str__(self) -> str:
        return self.report()


class ImportCancelled(Exception):
    """The import was stopped on request before it finished; nothing was stored."""
