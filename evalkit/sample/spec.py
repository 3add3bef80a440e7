"""What to generate (:class:`SampleSpec`) and the seeded random streams.

Every table draws from its own generator, derived from the seed, the year and the table
name with :class:`numpy.random.SeedSequence`. A table therefore does not depend on which
other tables or years are generated, or in which order.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

#: Compact defaults: the committed sample. Volumes are scaled down from the domain brief
#: §4.3 (a real district has ≈ 0.9 M service cases and ≈ 200 k hotline tickets a year).
DEFAULT_CASES = 60_000
DEFAULT_TICKETS = 18_000
#: Grid cases per hotline ticket (the compact sample has ≈ 4,000 grid cases a year).
GRID_PER_TICKET = 0.22

FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class SampleSpec:
    """Parameters of a generated sample district.

    Attributes
    ----------
    seed:
        Seed of every random draw; the same seed gives byte-identical files.
    years:
        Calendar years to generate (one folder each).
    cases:
        Total administrative service cases per year; ``None`` = 60,000.
    tickets:
        Total 12345 hotline tickets per year; ``None`` = 18,000. Grid cases scale with it.
    fmt:
        ``"csv"`` (small tables as ``.csv``, event tables as ``.csv.gz``) or ``"parquet"``
        (every year table as ``.parquet``; for benchmarks).
    """

    seed: int = 20241
    years: tuple[int, ...] = (2022, 2023, 2024)
    cases: int | None = None
    tickets: int | None = None
    fmt: str = "csv"

    def __post_init__(self) -> None:
        object.__setattr__(self, "years", tuple(int(y) for y in self.years))
        if self.fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {', '.join(FORMATS)}; got {self.fmt!r}")
        if not self.years:
            raise ValueError("years must name at least one year")
        for year in self.years:
            if not 1990 <= int(year) <= 2100:
                raise ValueError(f"years must be calendar years; got {year!r}")
        for name in ("cases", "tickets"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be 0 or more; got {value}")

    @property
    def total_cases(self) -> int:
        return DEFAULT_CASES if self.cases is None else int(self.cases)

    @property
    def total_tickets(self) -> int:
        return DEFAULT_TICKETS if self.tickets is None else int(self.tickets)

    @property
    def total_grid_cases(self) -> int:
        return int(round(self.total_tickets * GRID_PER_TICKET))


#: Pseudo-year of draws that hold for the whole district (units, raters, unit traits).
DISTRICT = 0


def child_rng(seed: int, year: int, name: str) -> np.random.Generator:
    """The random generator of one table (or trait) ``name`` in ``year``.

    ``year`` is :data:`DISTRICT` for district-wide draws. The stream depends only on
    ``(seed, year, name)``.
    """
    key = (int(year), zlib.crc32(name.encode("utf-8")))
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key))
