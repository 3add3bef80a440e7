"""Provenance of a run: the versions of Python and of the packages that shape its output.

Results record the versions of the packages that compute them, the batch manifest those that
render the reports; both call :func:`package_versions` with their own list of names. File
hashes are :func:`evalkit.data.files.sha256_file`.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Iterable

__all__ = ["package_versions", "NOT_INSTALLED"]

#: The version recorded for a package that is not installed.
NOT_INSTALLED = "not installed"


def package_versions(packages: Iterable[str]) -> dict[str, str]:
    """``{"python": "3.11.7", <package>: <version>, …}`` in the order given.

    ``packages`` are distribution names as pip knows them (``PyYAML``,
    ``chinese_calendar``); one that is not installed is recorded as ``"not installed"``.
    """
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = NOT_INSTALLED
    return out
