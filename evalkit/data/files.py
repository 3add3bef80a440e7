"""File primitives every layer uses: content hashes and atomic replacement.

* :func:`sha256_file` — the SHA-256 of a file's bytes (hex), read in 1 MiB blocks; the hash
  that data manifests, results' provenance and the batch manifest record.
* :func:`atomic_path`, :func:`atomic_write_bytes`, :func:`atomic_write_text` — write to a
  temporary file in the target's directory, then move it over the target with
  :func:`os.replace`, so a reader sees the old file or the complete new one, never a half-written
  one. The temporary file is hidden (``.<name>.<random>.tmp``) and removed if writing fails.
  The final file has mode ``0o644`` (``mkstemp`` would leave ``0o600``).
* :func:`save_frames`, :func:`load_frames` — a folder of DataFrames (one Parquet file each,
  written atomically) and a JSON meta file: the saved bundles of the data-quality, early-warning
  and supervision reports.

Nothing here changes the bytes written: the content is exactly what the caller gives.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["sha256_file", "atomic_path", "atomic_write_bytes", "atomic_write_text", "flock", "held_lock"]

#: Permissions of a file written atomically (owner read/write, everyone read).
FILE_MODE = 0o644
_BLOCK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of the bytes of ``path``."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            h.update(block)
    return h.hexdigest()


@contextmanager
def atomic_path(path: str | Path, *, fsync: bool = True) -> Iterator[Path]:
    """Give a temporary path to write; on success move it over ``path``.

    For writers that want a path, not bytes (``DataFrame.to_parquet``, openpyxl). The parent
    directory is created if needed. If the ``with`` block raises, ``path`` is left as it was
    and the temporary file is removed. ``fsync`` flushes the file to disk before the move,
    so that a crash cannot leave an empty file under the final name.

    >>> with atomic_path(folder / "table.parquet") as tmp:   # doctest: +SKIP
    ...     frame.to_parquet(tmp, index=False)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if fsync:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: str | Path, data: bytes, *, fsync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring); return ``path``."""
    path = Path(path)
    with atomic_path(path, fsync=False) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
    return path


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8",
                      fsync: bool = True) -> Path:
    """Write ``text`` encoded as ``encoding`` (no newline translation) atomically; return ``path``."""
    return atomic_write_bytes(path, text.encode(encoding), fsync=fsync)


def save_frames(folder: str | Path, frames: dict, meta_file: str, meta: dict) -> list[Path]:
    """Write each DataFrame of ``frames`` (file name → frame) as Parquet and ``meta`` as sorted,
    indented JSON (``meta_file``) into ``folder``, each file atomically; return the paths."""
    import json

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file, frame in frames.items():
        with atomic_path(folder / file) as tmp:
            frame.to_parquet(tmp, index=False)
        written.append(folder / file)
    atomic_write_text(folder / meta_file, json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True,
                                                     default=str) + "\n")
    return written + [folder / meta_file]


def load_frames(folder: str | Path, files, meta_file: str) -> tuple[dict, dict]:
    """``(file name → DataFrame, meta)`` of a folder written by :func:`save_frames`."""
    import json

    import pandas as pd

    folder = Path(folder)
    meta = json.loads((folder / meta_file).read_text(encoding="utf-8"))
    return {file: pd.read_parquet(folder / file) for file in files}, meta


def flock(fd: int, exclusive: bool = True, block: bool = True) -> bool:
    """``flock`` ``fd``; False when ``block`` is False and another process holds it. Where
    ``fcntl`` does not exist (Windows) nothing is locked and True is returned."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks
        return True
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if block else fcntl.LOCK_NB)
    try:
        fcntl.flock(fd, mode)
    except BlockingIOError:
        return False
    return True


@contextmanager
def held_lock(path: Path, *, shared: bool, busy: str, mode: int = 0o644,
              unlockable_ok: bool = False) -> Iterator[None]:
    """Hold an advisory lock on the file ``path`` (created when missing): ``shared`` or
    exclusive. When another process holds it, print ``evalkit: <busy>`` on stderr and wait.
    With ``unlockable_ok`` a file that cannot be opened (a read-only folder) is not locked;
    otherwise the :class:`OSError` propagates. The lock dies with its process."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, mode)
    except OSError:
        if not unlockable_ok:
            raise
        yield
        return
    try:
        if not flock(fd, exclusive=not shared, block=False):
            print(f"evalkit: {busy}", file=sys.stderr, flush=True)
            flock(fd, exclusive=not shared)
        yield
    finally:
        os.close(fd)
