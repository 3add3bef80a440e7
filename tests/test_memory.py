"""evalkit.data._memory: the allocator setting applied before counting large tables."""

import importlib

import evalkit.data._memory as memory


def test_keep_freed_memory_is_applied_once_and_can_be_disabled(monkeypatch):
    fresh = importlib.reload(memory)
    first = fresh.keep_freed_memory()
    assert isinstance(first, bool)
    assert fresh.keep_freed_memory() is first  # once per process, same answer
    fresh = importlib.reload(memory)
    monkeypatch.setenv("EVALKIT_KEEP_FREED_MEMORY", "0")
    assert fresh.keep_freed_memory() is False
