"""The repository is self-contained: nothing under tests/, evalkit/, benchmarks/ or notebooks/
refers to a file outside the checkout.

Flagged, per line of every text file in those folders (tracked files plus untracked, not
ignored ones when git is available, else a walk of the folders):

* absolute paths into the development workspace or a home directory;
* the workspace's folder of shared reference data, however it is reached;
* ``Path(__file__)`` climbs (``.parent``, ``.parents[N]``, ``os.path.dirname``, ``".."``) that
  leave the repository root, computed from the file's own depth in the checkout.

Reference data the tests need is copied into the repository (e.g. ``tests/data/asem/``,
with its source and licence). The patterns are assembled from pieces so that this file does
not match them itself.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("tests", "evalkit", "benchmarks", "notebooks")
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}

_SLASH = "/"
_WORKSPACE = "work"
_REFDATA = "reference" + "-data"
_SHARED = "sha" + "red"

#: (what, pattern) pairs checked on every line.
PATTERNS = [
    ("absolute workspace path",
     re.compile(r"(?<![\w.~-])" + _SLASH + _WORKSPACE + r"(?![\w-])")),
    ("absolute home path",
     re.compile(r"(?<![\w.~-])" + _SLASH + r"(?:home|Users|root)" + _SLASH + r"\w")),
    ("home-relative path", re.compile(r"(?<![\w.])~" + _SLASH + r"\w")),
    ("Windows user path", re.compile(r"[A-Za-z]:\\\\?Users\\", re.IGNORECASE)),
    ("shared reference data", re.compile(re.escape(_REFDATA))),
    ("path above the checkout",
     re.compile(r"\.\.[\\/\"', ]+" + _SHARED + r"\b")),
]

_FILE = "__" + "file" + "__"
_PARENT = re.compile(r"\.parent(?!s)\b")
_PARENTS = re.compile(r"\.parents\[\s*(\d+)\s*\]")
_DIRNAME = re.compile(r"\bdirname\(")
_DOTDOT = re.compile(r"""(?:["']\.\.["']|\.\.[\\/])""")


def levels_up(line: str) -> int:
    """How many directories above a file a ``__file__``-based path on ``line`` climbs:
    ``Path(__file__).parent`` is 1 (the file's folder), ``.parents[N]`` N + 1, each
    ``dirname(`` or ``".."`` one more. 0 when the line does not start from ``__file__``."""
    if _FILE not in line:
        return 0
    tail = line[line.index(_FILE):]
    return (len(_PARENT.findall(tail)) + len(_DIRNAME.findall(line))
            + sum(int(n) + 1 for n in _PARENTS.findall(tail)) + len(_DOTDOT.findall(tail)))


def problems(rel: str, text: str) -> list[str]:
    """``"rel:line: what: text"`` for every reference outside the repository in ``text``, the
    contents of the file at ``rel`` (a POSIX path relative to the repository root)."""
    # A file at a/b/c.py sits 2 folders below the root: climbing 3 levels reaches the root.
    max_up = len(Path(rel).parts)
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        found = [what for what, pattern in PATTERNS if pattern.search(line)]
        up = levels_up(line)
        if up > max_up:
            found.append(f"climbs {up} levels from {_FILE} (the repository root is {max_up} up)")
        elif _FILE not in line:
            deep = [int(n) for n in _PARENTS.findall(line) if int(n) + 1 > max_up]
            if deep:
                found.append(f"parents[{max(deep)}] reaches above the repository root")
        out.extend(f"{rel}:{number}: {what}: {line.strip()[:160]}" for what in found)
    return out


def _git_files() -> list[str] | None:
    try:
        top = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        if Path(top).resolve() != REPO:
            return None
        listed = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard", "--", *FOLDERS],
            capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return sorted({f for f in listed.split("\0") if f})


def _walked_files() -> list[str]:
    out = []
    for folder in FOLDERS:
        for root, dirs, files in os.walk(REPO / folder):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
            out.extend(Path(root, f).relative_to(REPO).as_posix() for f in files
                       if not f.endswith((".pyc", ".pyo")))
    return sorted(out)


def repository_files() -> list[str]:
    files = _git_files()
    return _walked_files() if files is None else files


def _read_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):  # listed by git but moved meanwhile
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def test_nothing_refers_outside_the_repository():
    files = repository_files()
    assert any(f.startswith("evalkit/") for f in files) and any(f.startswith("tests/") for f in files)
    found = []
    for rel in files:
        text = _read_text(REPO / rel)
        if text is not None:
            found.extend(problems(rel, text))
    assert not found, ("References outside the repository (copy the data into the repository, "
                       "e.g. tests/data/, and cite its source without a path):\n" + "\n".join(found))


@pytest.mark.parametrize("rel, line", [
    ("tests/composite/test_x.py", 'DATA = Path("' + _SLASH + _WORKSPACE + '/somewhere/x.csv")'),
    ("tests/composite/test_x.py", "see " + _SLASH + "home" + _SLASH + "someone/data"),
    ("tests/composite/test_x.py", "in ``" + _SHARED + "/" + _REFDATA + "/asem``"),
    ("tests/composite/test_x.py", 'p = Path("..") / ".." / "' + _SHARED + '"'),
    ("tests/composite/test_x.py", "ROOT = Path(" + _FILE + ").resolve().parents[" + "3]"),
    ("tests/composite/test_x.py", "ROOT = Path(" + _FILE + ").parent.parent.parent.parent"),
    ("tests/test_x.py", "ROOT = Path(" + _FILE + ").resolve().parents[1].parent"),
    ("evalkit/x.py", "ROOT = os.path.dirname(os.path.dirname(os.path.dirname(" + _FILE + ")))"),
    ("evalkit/x.py", "ROOT = Path(" + _FILE + ").parent / '..' / '..'"),
    ("tests/x.py", "ROOT = HERE.parents[" + "2]"),
])
def test_checker_flags_outside_references(rel, line):
    assert problems(rel, line), line


@pytest.mark.parametrize("rel, line", [
    ("tests/composite/test_x.py", 'ASEM = Path(' + _FILE + ').resolve().parent.parent / "data" / "asem"'),
    ("tests/composite/test_x.py", "ROOT = Path(" + _FILE + ").resolve().parents[" + "2]"),
    ("evalkit/x.py", "_CHECKOUT = Path(" + _FILE + ").resolve().parent.parent"),
    ("tests/x.py", 'unit_id = "../../etc/passwd"'),
    ("tests/x.py", 'generate_sample("/tmp/big")'),
    ("evalkit/x.py", "Helpers shared by indicator modules (domain brief §1.1)."),
    ("evalkit/x.py", "p = parents[code]"),
    ("evalkit/x.py", "https://github.com/owner/work/blob/x"),
])
def test_checker_accepts_repository_references(rel, line):
    assert not problems(rel, line), line
