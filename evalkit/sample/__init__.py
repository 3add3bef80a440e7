"""A seeded generator of a synthetic sample district (示例区 / Sample District).

It writes every table of the data contract (:mod:`evalkit.data.contract`) for several years,
with realistic magnitudes (domain brief §4.3), units that differ consistently in quality,
and deliberate special cases for tests. The same seed gives byte-identical files.

>>> from evalkit.sample import SampleSpec, generate_sample
>>> generate_sample("data_samples/sample_district")            # doctest: +SKIP
>>> generate_sample("/tmp/big", SampleSpec(years=(2024,), cases=10_000_000,
...                 tickets=2_000_000, fmt="parquet"))          # doctest: +SKIP
"""

from __future__ import annotations

from .generate import generate_sample, sample_tables
from .spec import SampleSpec

__all__ = ["SampleSpec", "generate_sample", "sample_tables"]
