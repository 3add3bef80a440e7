"""The one file hash, the one atomic writer and the one package-version record."""

import hashlib
import os
import stat

import pytest

from evalkit.data.files import atomic_path, atomic_write_bytes, atomic_write_text, sha256_file
from evalkit.provenance import package_versions


def test_sha256_file_is_the_hash_of_the_bytes(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # more than one 1 MiB block
    f = tmp_path / "blob.bin"
    f.write_bytes(data)
    assert sha256_file(f) == hashlib.sha256(data).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert sha256_file(str(tmp_path / "empty")) == hashlib.sha256(b"").hexdigest()


def test_atomic_writes_give_exactly_the_bytes_and_leave_no_temporary(tmp_path):
    target = tmp_path / "sub" / "report.html"  # the folder is created
    atomic_write_text(target, "甲\nb\r\n")
    assert target.read_bytes() == "甲\nb\r\n".encode("utf-8")  # no newline translation
    atomic_write_bytes(target, b"new", fsync=False)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "table.parquet"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp.name.startswith(".table.parquet.") and tmp.suffix == ".tmp"
            tmp.write_bytes(b"half")
            raise RuntimeError("writer failed")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.parquet"]


def test_atomic_path_moves_what_was_written(tmp_path):
    target = tmp_path / "t.bin"
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"abc")
    assert target.read_bytes() == b"abc" and not tmp.exists()


def test_package_versions_in_the_order_given():
    out = package_versions(["numpy", "no-such-package-for-evalkit"])
    assert list(out) == ["python", "numpy", "no-such-package-for-evalkit"]
    assert out["no-such-package-for-evalkit"] == "not installed"
    import numpy
    assert out["numpy"] == numpy.__version__
