"""Result types shared by the importers: rows plus per-row errors; importers never raise for a bad row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RowError:
    """A skipped input row: file name, 1-based line number (0 when unknown) and what was wrong."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(slots=True)
class ImportResult(Generic[T]):
    """Parsed rows and the rows that were skipped. `notes` carries non-error remarks (e.g. duplicates)."""

    rows: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def extend(self, other: ImportResult[T]) -> None:
        self.rows.extend(other.rows)
        self.errors.extend(other.errors)
        self.notes.extend(other.notes)


class RowProblem(ValueError):
    """Raised by row parsers for one bad row; the caller turns it into a RowError."""


def as_float(value: object, what: str) -> float | None:
    """Optional non-negative finite number ('' / None -> None); anything else raises RowProblem."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowProblem(f"invalid {what} {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RowProblem(f"non-numeric {what} {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")) or number < 0:
        raise RowProblem(f"invalid {what} {value!r}")
    return number


def as_int(value: object, what: str) -> int | None:
    """Optional non-negative integer; floats without a fraction ("8.0") are accepted."""
    number = as_float(value, what)
    if number is None:
        return None
    if number != int(number):
        raise RowProblem(f"{what} is not a whole number: {value!r}")
    return int(number)
