"""The store as the input of a computation: ``evalkit run|score|indicators --db … --as-of …``.

:func:`store_source` opens the store read-only, resolves the snapshot, exports the data
visible at it (:meth:`Store.export`) into a temporary folder and closes the store again, so
that a long run never keeps other evaluators from writing. The computation then reads the
folder exactly as it reads a data directory (the fast reader: the data passed the contract
checks when they were imported or corrected) and records, instead of the folder, the
store's entry: its id, URL (never a password) and snapshot.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from ..data.dataset import Dataset, read_dataset
from .store import open_store


@dataclass(frozen=True)
class StoreSource:
    """Data exported from a store at one snapshot: ``data_dir`` (temporary), ``dataset``
    (its ``files`` = the submitted files' provenance) and ``entry`` (for manifests)."""

    data_dir: Path
    dataset: Dataset
    entry: dict


@contextmanager
def store_source(url: str, as_of: str | None = None, *, years: list[int] | None = None) -> Iterator[StoreSource]:
    with tempfile.TemporaryDirectory(prefix="evalkit-store-") as tmp:
        with open_store(url, read_only=True) as store:
            snapshot = store.resolve(as_of)
            provenance = store.export(tmp, snapshot, years)
            entry = {"url": store.url, "dialect": store.db.dialect, **store.snapshot_info(snapshot)}
            if as_of is not None:
                entry["as_of"] = str(as_of)
        dataset = replace(read_dataset(tmp), files=provenance)
        yield StoreSource(Path(tmp), dataset, entry)
