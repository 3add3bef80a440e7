"""The efficiency database (效能数据库): ``evalkit db …`` — see :mod:`evalkit.store.store`."""

from .backend import StoreBusy, StoreError, is_postgres, redact
from .store import CorrectionResult, ImportResult, Store, init_store, open_store, parse_moment

__all__ = ["Store", "StoreError", "StoreBusy", "ImportResult", "CorrectionResult", "init_store", "open_store",
           "parse_moment", "is_postgres", "redact"]
