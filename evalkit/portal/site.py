"""Write the portal into a reports folder, as a whole or not at all.

Layout (``REPORTS_DIR`` is what ``evalkit run --out`` wrote; nothing inside a year folder
is touched)::

    REPORTS_DIR/index.html                 league tables, warnings, district trend
    REPORTS_DIR/portal/compare.html        two units side by side (?a=<id>&b=<id>)
    REPORTS_DIR/portal/unit/<stem>.html    one page per unit over every year
    REPORTS_DIR/portal/portal.js           the script (shipped with evalkit)
    REPORTS_DIR/portal/portal.css          the styles (shipped with evalkit)
    REPORTS_DIR/portal/fonts.css           the bundled Chinese font, subset to the site's text
    REPORTS_DIR/portal/site.json           what built it (the marker of a portal, its language)

Every file is written into a hidden staging folder first (``.portal-<random>.tmp``); when all
are complete the old ``portal/`` folder is moved aside, the new one renamed into place and
``index.html`` replaced (``os.replace``), so a reader finds the old site or the new one,
never a half-written one. One build at a time per folder (``flock`` on
:data:`LOCK_FILE`). The bytes depend on the payloads, the language and evalkit only: the same
reports give a byte-identical site.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit import __version__
from evalkit.data.files import held_lock
from evalkit.errors import EvalkitError
from evalkit.portal.build import compare_model, read_reports, site_model, site_text
from evalkit.portal.messages import LANGUAGES
from evalkit.portal.pages import compare_page, index_page, messages_json, unit_page

INDEX = "index.html"
SITE_DIR = "portal"
MARKER = "site.json"
#: The shipped script and styles (package data of ``evalkit.portal``).
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
ASSET_FILES = ("portal.js", "portal.css")
#: The lock of a reports folder's portal (hidden, at its top).
LOCK_FILE = ".evalkit-portal.lock"
_STAGING = re.compile(r"\.portal-(new|old)-[A-Za-z0-9_]+\.tmp")
DIR_MODE, FILE_MODE = 0o755, 0o644


@dataclass
class PortalResult:
    """What a build wrote."""

    root: Path
    language: str
    years: list[int]
    units: int
    files: dict[str, int] = field(default_factory=dict)   # relative path → bytes

    @property
    def index(self) -> Path:
        return self.root / INDEX

    @property
    def size(self) -> int:
        return sum(self.files.values())

    def describe(self) -> str:
        span = f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else str(self.years[0])
        return (f"portal: {self.index} — {self.units} unit(s), {len(self.years)} year(s) ({span}), "
                f"{len(self.files)} files, {self.size / 1e6:.1f} MB")


def asset_text(name: str) -> str:
    """A shipped asset (``portal.js``, ``portal.css``)."""
    path = ASSETS_DIR / name
    if not path.is_file():
        raise EvalkitError(f"evalkit's portal asset is missing: {path}; reinstall evalkit")
    return path.read_text(encoding="utf-8")


def site_files(model: Mapping[str, Any]) -> dict[str, bytes]:
    """Every file of the site (path from the reports folder → bytes), from the site model
    of :func:`evalkit.portal.build.site_model`. Pure but for reading the shipped assets and
    fonts."""
    from evalkit.fonts import web_font_css

    index = model["index"]
    files: dict[str, str] = {INDEX: index_page(index)}
    compare = compare_model(model)
    files[f"{SITE_DIR}/compare.html"] = compare_page(compare)
    for uid, page in model["pages"].items():
        files[page] = unit_page(model["units"][uid])
    for name in ASSET_FILES:
        files[f"{SITE_DIR}/{name}"] = asset_text(name)
    text = site_text(model) + json.dumps(messages_json(), ensure_ascii=False) + "0123456789"
    files[f"{SITE_DIR}/fonts.css"] = ("/* The bundled Noto Sans SC (SIL Open Font License 1.1), subset to the "
                                      "portal's text; an installed Source Han / Noto CJK SC face is used first. */\n"
                                      + web_font_css(text) + "\n")
    files[f"{SITE_DIR}/{MARKER}"] = json.dumps(
        {"generator": "evalkit portal", "evalkit_version": __version__, "language": index["language"],
         "years": index["years"], "units": len(model["units"])}, ensure_ascii=False, indent=2) + "\n"
    return {path: text.encode("utf-8") for path, text in sorted(files.items())}


def portal_settings(root: Path) -> dict | None:
    """The ``site.json`` of the portal in ``root``; None when there is no portal.
    :class:`EvalkitError` when ``index.html`` or ``portal/`` exist but were not written
    by ``evalkit portal`` (they are never overwritten)."""
    marker = root / SITE_DIR / MARKER
    settings = None
    if marker.is_file():
        try:
            settings = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            settings = None
        if not isinstance(settings, dict) or settings.get("generator") != "evalkit portal":
            settings = None
    if settings is None:
        for name in (INDEX, SITE_DIR):
            if (root / name).exists():
                raise EvalkitError(f"{root / name} exists and was not written by `evalkit portal`; "
                                   "move it away (it is never overwritten) or choose another --out")
    return settings


def portal_lock(root: Path) -> contextlib.AbstractContextManager[None]:
    """One build at a time in ``root`` (a second one waits)."""
    return held_lock(root / LOCK_FILE, shared=False, mode=FILE_MODE,
                     busy=f"another evalkit command is building the portal in {root}; waiting …")


def _write_tree(stage: Path, files: Mapping[str, bytes]) -> None:
    for rel, data in files.items():
        path = stage.joinpath(*rel.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(path, FILE_MODE)
    for folder in [stage, *(p for p in stage.rglob("*") if p.is_dir())]:
        os.chmod(folder, DIR_MODE)


def publish(root: Path, files: Mapping[str, bytes]) -> None:
    """Put ``files`` (``index.html`` and ``portal/…``) in place in ``root`` as a whole:
    staged, then ``portal/`` swapped by renames and ``index.html`` replaced last. On any
    error the old site stays as it was."""
    for p in root.iterdir():  # what a killed build left behind
        if _STAGING.fullmatch(p.name):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".portal-new-", suffix=".tmp", dir=root))
    old: Path | None = None
    target = root / SITE_DIR
    try:
        _write_tree(stage, files)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".portal-old-", suffix=".tmp", dir=root))
            os.rename(target, old / SITE_DIR)
        try:
            os.rename(stage / SITE_DIR, target)
        except OSError:
            if old is not None:
                os.rename(old / SITE_DIR, target)
            raise
        os.replace(stage / INDEX, root / INDEX)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def build_portal(reports_dir: str | Path, language: str | None = None) -> PortalResult:
    """Build the portal of ``reports_dir`` (see the module docstring) from the report
    payloads of every year in it; ``language`` is the pages' default language (the reader
    can switch), by default the one of the portal already there, else ``zh``.
    :class:`EvalkitError` when there is no report, a payload cannot be read, or
    ``index.html``/``portal/`` there belong to something else."""
    root = Path(reports_dir)
    if not root.is_dir():
        raise EvalkitError(f"{root}: no such folder; write the reports first (`evalkit run --out {root}`)")
    if language is not None and language not in LANGUAGES:
        raise EvalkitError(f"unknown portal language {language!r}; choose one of {', '.join(LANGUAGES)}")
    root = root.resolve()
    with portal_lock(root):
        settings = portal_settings(root)
        language = language or (settings or {}).get("language") or "zh"
        if language not in LANGUAGES:
            language = "zh"
        years = read_reports(root)
        if not years:
            raise EvalkitError(f"{root}: no reports to show (no year folder with report JSON); write them "
                               f"first with `evalkit run --out {root}`")
        model = site_model(years, language)
        files = site_files(model)
        publish(root, files)
    return PortalResult(root=root, language=language, years=[y.year for y in years],
                        units=len(model["units"]), files={k: len(v) for k, v in files.items()})


def refresh_portal(reports_dir: str | Path) -> PortalResult | None:
    """Rebuild the portal of ``reports_dir`` in its language if it has one (an
    ``index.html`` written by ``evalkit portal``); None, writing nothing, when it has none."""
    root = Path(reports_dir)
    if not (root / INDEX).is_file():
        return None
    try:
        settings = portal_settings(root)
    except EvalkitError:
        return None  # an index.html of something else: not ours to refresh
    if settings is None:
        return None
    return build_portal(root)
