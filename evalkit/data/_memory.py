"""Keeping freed memory for reuse while large tables are counted (glibc only).

Counting ten million records block by block allocates and frees a few megabytes of
temporaries per block, on several threads. With glibc's default settings much of that
memory is handed back to the kernel as soon as it is freed (the top of a heap above 128 kB
is trimmed, and each thread's arena trims its own) and faulted in again by the next block:
on the 2-core reference VM that was about 200,000 page faults and as much system time as
the counting itself (see ``benchmarks/README.md``).

:func:`keep_freed_memory` therefore asks glibc, once per process and only when evalkit is
about to count a large table, to

* keep 64 MB of free memory at the top of a heap instead of trimming it (``M_TOP_PAD``),
* serve allocations below 32 MB from the heaps rather than from fresh ``mmap`` regions
  (``M_MMAP_THRESHOLD``; 32 MB is the ceiling glibc's own adaptive threshold reaches).

The cost is memory kept by the process after a computation: at most the pad per arena
(64 MB each; an arena per thread that allocated). Set ``EVALKIT_KEEP_FREED_MEMORY=0`` to
leave the allocator alone. Other C libraries (musl, macOS, Windows) are not touched.
"""

from __future__ import annotations

import ctypes
import os
import platform
import threading

_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_TOP_PAD = 64 << 20
_MMAP_THRESHOLD = 32 << 20

_lock = threading.Lock()
_state: str | None = None  # "applied" or "skipped" once decided


def keep_freed_memory() -> bool:
    """Apply the settings above (once per process); True when they are in effect."""
    global _state
    with _lock:
        if _state is not None:
            return _state == "applied"
        _state = "skipped"
        if os.environ.get("EVALKIT_KEEP_FREED_MEMORY", "1").strip().lower() in ("0", "no", "false", "off"):
            return False
        if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
            return False
        try:
            libc = ctypes.CDLL("libc.so.6")
            ok = libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1 and libc.mallopt(_M_TOP_PAD, _TOP_PAD) == 1
        except (OSError, AttributeError):
            return False
        if ok:
            _state = "applied"
        return ok
