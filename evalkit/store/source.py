"""The store as the input of a computation: ``evalkit run|score|indicators --db … --as-of …``.

:func:`store_source` opens the store read-only, resolves the snapshot, reads the data
visible at it (:meth:`Store.read`: the query results converted as the fast reader converts
Parquet files, :class:`evalkit.data.reading.ArrowTable`; nothing is exported) and closes
the store again, so that a long run never keeps other evaluators from writing; the
submitted configuration is written into a temporary folder. The computation then runs
exactly as on a data directory (the data passed the contract checks when they were imported
or corrected) and records, instead of the folder, the store's entry: its id, URL (never a
password) and snapshot.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..data.dataset import Dataset
from .store import open_store


@dataclass(frozen=True)
class StoreSource:
    """Data exported from a store at one snapshot: ``data_dir`` (temporary), ``dataset``
    (its ``files`` = the submitted files' provenance) and ``entry`` (for manifests)."""

    data_dir: Path
    dataset: Dataset
    entry: dict


@contextmanager
def store_source(url: str, as_of: str | None = None, *, years: list[int] | None = None,
                 columns=None) -> Iterator[StoreSource]:
    """The data of the store at ``url`` as of ``as_of`` (default: now): the dataset read
    straight from the store (:meth:`Store.read`) and the submitted configuration written into
    a temporary folder, removed when the block ends. The store is closed before the block
    runs. ``columns``: table → the columns to read (as for ``read_dataset``)."""
    with tempfile.TemporaryDirectory(prefix="evalkit-store-") as tmp:
        with open_store(url, read_only=True) as store:
            snapshot = store.resolve(as_of)
            store.write_documents(tmp, snapshot)
            dataset = store.read(snapshot, years, root=Path(tmp), columns=columns)
            entry = {"url": store.url, "dialect": store.db.dialect, **store.snapshot_info(snapshot)}
            if as_of is not None:
                entry["as_of"] = str(as_of)
        yield StoreSource(Path(tmp), dataset, entry)
