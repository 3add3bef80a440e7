"""Domain exceptions and the data-problem record.

Every user mistake evalkit detects becomes a :class:`Problem` (for data) or an
:class:`EvalkitError` subclass (for everything else). The command-line interface turns
these into one clear line and a non-zero exit code; a traceback is only shown for
genuine bugs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes
    ----------
    file:
        Path of the file as the user named it (relative to the data directory when
        possible).
    row:
        Row number as the user sees it in the file: the line number in a CSV file
        (header = line 1), the row number in an Excel sheet, the 1-based record number
        in a Parquet file. ``None`` when the problem concerns the whole file.
    column:
        Column name as written in the file, or ``None`` for whole-row/file problems.
    expected, found:
        What the contract asks for and what the file holds, in plain words.
    severity:
        ``"error"`` (validation fails) or ``"warning"`` (reported, does not fail).
    """

    file: str
    row: int | None
    column: str | None
    expected: str
    found: str
    severity: str = "error"

    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: expected {self.expected}; found {self.found}"


class EvalkitError(Exception):
    """Base class of errors caused by user input or configuration (never bugs)."""


class DataValidationError(EvalkitError):
    """Raised when input data break the data contract. Carries every problem found."""

    def __init__(self, problems: list[Problem], summary: str | None = None):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        n = len(self.problems)
        first = str(self.problems[0]) if self.problems else "no errors"
        msg = summary or f"{n} problem(s) in the input data; first: {first}"
        super().__init__(msg)


class FrameworkError(EvalkitError):
    """Raised when an indicator framework file is malformed."""


class ReportError(EvalkitError):
    """Raised when a report cannot be rendered."""


class ScoringError(EvalkitError, ValueError):
    """Arguments the scoring model, or an analysis of it in the weighting-scheme lab, cannot
    work with (shapes, weights, levels, samplers, unknown units or nodes).

    A subclass of :class:`ValueError` too, so that ``except ValueError`` keeps working.
    """


#: The weighting-scheme lab's name for :class:`ScoringError` (the lab varies the scoring model).
SensitivityError = ScoringError
