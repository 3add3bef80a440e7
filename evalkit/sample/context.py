"""Everything a table generator needs to know about one year of the sample district."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import SampleCalendar
from .district import unit_profiles, year_quality
from .spec import SampleSpec, child_rng

#: The year's data are extracted on the first working day of the next year: work still
#: unfinished then is left open/pending in the tables.
EXTRACTION_WORKDAYS = 1


@dataclass(frozen=True, eq=False)
class YearContext:
    """Inputs shared by the generators of one year.

    Attributes
    ----------
    spec:
        The sample specification.
    year:
        The calendar year generated.
    units:
        :func:`~evalkit.sample.district.unit_profiles` plus the column ``quality`` (this
        year's latent quality). Read-only by convention.
    calendar:
        Working-day calendar from the year before to two years after ``year``.
    cutoff:
        Extraction date (a few working days into the next year): dates after it are not
        known yet, so the corresponding cells are empty (pending, open, not replied …).
    """

    spec: SampleSpec
    year: int
    units: pd.DataFrame
    calendar: SampleCalendar
    cutoff: np.datetime64

    @classmethod
    def build(cls, spec: SampleSpec, year: int) -> "YearContext":
        units = unit_profiles(spec.seed)
        units["quality"] = year_quality(units, spec.seed, year)
        calendar = SampleCalendar.build(year - 1, year + 2)
        cutoff = calendar.add_workdays(np.array([f"{year}-12-31"], dtype="datetime64[D]"),
                                       EXTRACTION_WORKDAYS)[0]
        return cls(spec, year, units, calendar, cutoff)

    def rng(self, name: str) -> np.random.Generator:
        """The random stream of table ``name`` in this year."""
        return child_rng(self.spec.seed, self.year, name)

    @property
    def year_start(self) -> np.datetime64:
        return np.datetime64(f"{self.year}-01-01", "D")

    @property
    def year_end(self) -> np.datetime64:
        return np.datetime64(f"{self.year}-12-31", "D")

    def workdays(self, start: str = "01-01", end: str = "12-31") -> np.ndarray:
        """Working days of this year between the month-day strings ``start`` and ``end``."""
        return self.calendar.workdays_between(f"{self.year}-{start}", f"{self.year}-{end}")

    def known(self, dates: np.ndarray) -> np.ndarray:
        """``dates`` with every value after the extraction cutoff day replaced by NaT."""
        d = np.asarray(dates)
        limit = (self.cutoff + np.timedelta64(1, "D")).astype(d.dtype)
        return np.where(d < limit, d, np.datetime64("NaT")).astype(d.dtype)
