"""Chinese fonts for charts, HTML and PDF: bundled fonts that are always there, and better
system fonts when the machine has them.

* **Bundled regular**: Noto Sans SC and Noto Serif SC (Regular, Simplified Chinese glyph
  forms, SIL Open Font License 1.1) from the PyPI package ``pylopdf-fonts-zh-cn``.
* **Bundled bold**: Noto Sans SC **Bold**, a static instance (weight 700) of Google Fonts'
  variable ``NotoSansSC[wght].ttf`` (SIL OFL 1.1) from the PyPI package
  ``justmytype-intl-cjk``. The variable font is instanced once per machine with fontTools
  (:func:`bold_font_file`, about 15 s) into a cache folder keyed by the source's SHA-256 and
  the fontTools version; the instance is a pure function of those two, so every machine with
  the same packages gets the same bytes. Both packages are dependencies of evalkit, so a
  fresh ``pip install`` renders Chinese in two real weights without any system font.
* **System**: when fontconfig/Typst find one of :data:`SANS_FAMILIES` /
  :data:`SERIF_FAMILIES` earlier in the list (Source Han, Noto CJK SC — with a real bold
  weight), it is preferred; the bundled family stays last in every stack as the fallback.
  Setting the environment variable ``EVALKIT_SYSTEM_FONTS=0`` ignores system fonts (the
  output then depends on evalkit's own files only, as on a fresh machine).

Only SC-specific faces are ever chosen for charts: matplotlib opens the first face of a
font collection (``.ttc``), which for the Pan-CJK Noto collections is the Japanese one. The
variable font itself is never handed to Typst or matplotlib (its family name is the same as
the bundled one's and its default instance is Thin): only the static instance is.

Matplotlib's "Glyph … missing from font(s)" warning is turned into an error by
:func:`strict_glyphs` — a chart with tofu boxes is a failed chart.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import os
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from evalkit.data.files import atomic_write_bytes, sha256_file
from evalkit.errors import ReportError

#: Sans-serif families in order of preference; the last one is bundled with evalkit.
SANS_FAMILIES = ("Source Han Sans SC", "Noto Sans CJK SC", "Noto Sans SC")
#: Serif (Song/Ming) families in order of preference; the last one is bundled.
SERIF_FAMILIES = ("Source Han Serif SC", "Noto Serif CJK SC", "Noto Serif SC")
BUNDLED_SANS = "Noto Sans SC"
BUNDLED_SERIF = "Noto Serif SC"

#: Family name of the subset font embedded in each HTML page.
WEB_FONT_FAMILY = "EvalkitSans"

_ENV_SYSTEM_FONTS = "EVALKIT_SYSTEM_FONTS"
#: Where the bold instance is kept (default: ``$XDG_CACHE_HOME/evalkit/fonts`` or
#: ``~/.cache/evalkit/fonts``).
_ENV_FONT_CACHE = "EVALKIT_FONT_CACHE"

#: PyPI package holding the variable Noto Sans SC the bold face is instanced from.
BOLD_SOURCE_PACKAGE = "justmytype-intl-cjk"
#: File name of the static bold instance (its PostScript name is ``NotoSansSC-Bold``).
BOLD_FILE_NAME = "NotoSansSC-Bold.ttf"
#: Weight of the bold instance (``wght`` axis of the variable font; CSS/Typst ``bold``).
BOLD_WEIGHT = 700


class MissingGlyphError(ReportError):
    """A chart needed a character that no configured font has."""


def use_system_fonts() -> bool:
    """False when ``EVALKIT_SYSTEM_FONTS`` is ``0``/``false``/``no``/``off``."""
    return os.environ.get(_ENV_SYSTEM_FONTS, "1").strip().lower() not in ("0", "false", "no", "off")


def _regular_font_files() -> dict[str, Path]:
    try:
        import pylopdf_fonts_zh_cn as pkg
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ReportError("the Chinese font package 'pylopdf-fonts-zh-cn' is missing; "
                          "reinstall evalkit (pip install evalkit)") from exc
    files = {"sans": Path(pkg.sans_path()), "serif": Path(pkg.serif_path())}
    for kind, path in files.items():
        if not path.is_file():  # pragma: no cover
            raise ReportError(f"the bundled {kind} Chinese font is missing: {path}")
    return files


def bold_source_file() -> Path:
    """The variable Noto Sans SC (``NotoSansSC[wght].ttf``) of ``justmytype-intl-cjk``."""
    try:
        import justmytype_intl_cjk as pkg
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ReportError(f"the Chinese font package '{BOLD_SOURCE_PACKAGE}' is missing; "
                          "reinstall evalkit (pip install evalkit)") from exc
    path = Path(pkg.__file__).parent / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"
    if not path.is_file():  # pragma: no cover
        raise ReportError(f"the variable Noto Sans SC of {BOLD_SOURCE_PACKAGE} is missing: {path}")
    return path


def font_cache_dir() -> Path:
    """Folder of derived fonts: ``$EVALKIT_FONT_CACHE``, else ``$XDG_CACHE_HOME/evalkit/fonts``,
    else ``~/.cache/evalkit/fonts``."""
    env = os.environ.get(_ENV_FONT_CACHE, "").strip()
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base).expanduser() / "evalkit" / "fonts"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (POSIX; a no-op where ``fcntl`` does not exist): two
    processes never instance the same font at once."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _instance_bold(source: Path) -> bytes:
    """The static weight-700 instance of the variable font ``source``, as font bytes.
    Deterministic: no timestamp is recalculated, names come from the font's STAT table."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(str(source), recalcTimestamp=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        static = instancer.instantiateVariableFont(font, {"wght": BOLD_WEIGHT},
                                                   updateFontNames=True, static=True)
    out = io.BytesIO()
    static.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def bold_font_file() -> Path:
    """The bundled bold face: ``NotoSansSC-Bold.ttf`` in a folder of its own under
    :func:`font_cache_dir`, instanced from :func:`bold_source_file` on first use (about
    15 s once per machine and package version). The folder holds nothing else, so it can be
    handed to Typst as a font path."""
    import fontTools

    source = bold_source_file()
    key = f"{sha256_file(source)[:16]}-fonttools{fontTools.version}"
    for base in (font_cache_dir(), Path(tempfile.gettempdir()) / "evalkit-fonts"):
        folder = base / f"notosanssc-bold-{key}"
        target = folder / BOLD_FILE_NAME
        if target.is_file():
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with _locked(base / f".notosanssc-bold-{key}.lock"):
                if not target.is_file():
                    atomic_write_bytes(target, _instance_bold(source))
            return target
        except OSError:  # a read-only cache: try the next place
            continue
    raise ReportError("could not write the bold Chinese font to the font cache "
                      f"({font_cache_dir()}); set {_ENV_FONT_CACHE} to a writable folder")


def bundled_font_files() -> dict[str, Path]:
    """The bundled font files: ``{"sans": …/NotoSansSC-Regular.otf, "serif":
    …/NotoSerifSC-Regular.otf, "sans_bold": …/NotoSansSC-Bold.ttf}``."""
    return {**_regular_font_files(), "sans_bold": bold_font_file()}


def bundled_font_dir() -> Path:
    """The folder holding the bundled regular fonts (give it to Typst as a font path)."""
    return _regular_font_files()["sans"].parent


# ----------------------------------------------------------------------------------------
# Typst
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FontChoice:
    """The font stacks of one PDF: families in order, and whether a real bold exists."""

    sans: tuple[str, ...]
    serif: tuple[str, ...]
    sans_bold: bool
    serif_bold: bool
    system: bool
    #: ``family weight → "file#index sha256[:12]"`` of the faces used, for the manifest
    files: tuple[tuple[str, str], ...]

    def as_payload(self) -> dict:
        return {"sans": list(self.sans), "serif": list(self.serif),
                "sans_bold": self.sans_bold, "serif_bold": self.serif_bold}


@functools.lru_cache(maxsize=2)
def typst_fonts(system: bool | None = None) -> FontChoice:
    """Which families Typst will use, looked up once per process.

    The first preferred family that is installed heads each stack, the bundled family is
    always last (Typst falls back glyph by glyph along the stack).
    """
    import typst

    system = use_system_fonts() if system is None else system
    infos = typst.Fonts(include_system_fonts=system, include_embedded_fonts=True,
                        font_paths=typst_font_paths()).fonts()
    by_family: dict[str, list] = {}
    for info in infos:
        by_family.setdefault(info.family, []).append(info)

    def stack(preferred: tuple[str, ...], fallback: str) -> tuple[str, ...]:
        found = [f for f in preferred if f in by_family and f != fallback]
        return tuple(found[:1]) + (fallback,)

    sans = stack(SANS_FAMILIES, BUNDLED_SANS)
    serif = stack(SERIF_FAMILIES, BUNDLED_SERIF)

    def has_bold(family: str) -> bool:
        return any(i.weight >= 600 for i in by_family.get(family, []))

    used = []
    for family in dict.fromkeys(sans + serif):
        for info in sorted(by_family.get(family, []), key=lambda i: (i.weight, i.path or "")):
            if info.path:
                used.append((f"{family} {info.weight}",
                             f"{Path(info.path).name}#{info.index} {sha256_file(Path(info.path))[:12]}"))
    return FontChoice(sans=sans, serif=serif, sans_bold=has_bold(sans[0]),
                      serif_bold=has_bold(serif[0]), system=system, files=tuple(used))


def typst_font_paths() -> list[str]:
    """Font folders to hand to ``typst.compile(font_paths=...)``: the bundled regular faces
    and the folder of the bold instance."""
    return [str(bundled_font_dir()), str(bold_font_file().parent)]


# ----------------------------------------------------------------------------------------
# Matplotlib
# ----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=2)
def matplotlib_families(system: bool | None = None) -> tuple[str, ...]:
    """Register the bundled fonts with matplotlib and return the family list to use
    (best SC family first, DejaVu Sans for the few symbols CJK fonts lack)."""
    from matplotlib import font_manager

    system = use_system_fonts() if system is None else system
    files = bundled_font_files()
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in files.values():
        if str(path) not in known:
            font_manager.fontManager.addfont(str(path))
    if system:
        names = {f.name for f in font_manager.fontManager.ttflist}
        chosen = next(f for f in SANS_FAMILIES if f in names)
    else:
        chosen = BUNDLED_SANS
    return (chosen, "DejaVu Sans")


@functools.lru_cache(maxsize=4)
def _chart_cmap(families: tuple[str, ...]) -> frozenset[int]:
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    codes: set[int] = set()
    for family in families:
        path = font_manager.findfont(font_manager.FontProperties(family=family),
                                     fallback_to_default=False)
        index = 0
        for entry in font_manager.fontManager.ttflist:
            if entry.fname == path and entry.name == family:
                index = getattr(entry, "_face_index", 0) or 0
                break
        font = TTFont(path, lazy=True, fontNumber=index) if path.lower().endswith((".ttc", ".otc")) \
            else TTFont(path, lazy=True)
        codes |= set(font.getBestCmap())
    return frozenset(codes)


def check_chart_text(texts: Iterator[str] | list[str]) -> None:
    """Raise :class:`MissingGlyphError` if a chart text has a character none of the chart
    fonts can draw (matplotlib itself only warns about some of them)."""
    cmap = _chart_cmap(matplotlib_families())
    missing = {c for t in texts for c in t if ord(c) >= 0x20 and not c.isspace() and ord(c) not in cmap}
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in sorted(missing)[:10])
        raise MissingGlyphError(f"a chart uses characters missing from its fonts: {shown}")


@contextlib.contextmanager
def strict_glyphs() -> Iterator[None]:
    """Turn matplotlib's missing-glyph warnings into :class:`MissingGlyphError`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        text = str(w.message)
        if "Glyph" in text and "missing from" in text:
            raise MissingGlyphError(f"a chart uses a character no font has: {text}")
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


# ----------------------------------------------------------------------------------------
# HTML: subsets of the bundled fonts (regular and bold), embedded in the page
# ----------------------------------------------------------------------------------------

def _subset_otf(path: Path, text: str) -> bytes:
    """``path`` (OpenType CFF or TrueType) subset to the characters of ``text``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # recalcTimestamp=False keeps the bytes identical from run to run; no layout features
    # and no bounds recalculation make it ~3x faster (the page needs neither)
    font = TTFont(str(path), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.hinting = False
    options.recalc_bounds = False
    # vertical metrics and OpenType layout are not needed for horizontal text without
    # features, and dropping them halves the time
    options.drop_tables += ["vhea", "vmtx", "VORG", "GSUB", "GPOS", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


#: Installed faces a browser may use instead of the embedded subsets (full name and
#: PostScript name of each, as CSS ``local()`` matches them), per weight.
WEB_LOCAL_FACES = ("Source Han Sans SC", "SourceHanSansSC-Regular", "Noto Sans CJK SC",
                   "NotoSansCJKsc-Regular", "Noto Sans SC", "NotoSansSC-Regular")
WEB_LOCAL_BOLD_FACES = ("Source Han Sans SC Bold", "SourceHanSansSC-Bold", "Noto Sans CJK SC Bold",
                        "NotoSansCJKsc-Bold", "Noto Sans SC Bold", "NotoSansSC-Bold")


def _font_face(weight: int, local_names: tuple[str, ...], path: Path, chars: str) -> str:
    data = _subset_otf(path, chars)
    encoded = base64.b64encode(data).decode("ascii")
    mime, fmt = ("font/otf", "opentype") if data[:4] == b"OTTO" else ("font/ttf", "truetype")
    local = ", ".join(f'local("{name}")' for name in local_names)
    return ("@font-face { font-family: \"%s\"; font-style: normal; font-weight: %d; "
            "src: %s, url(data:%s;base64,%s) format(\"%s\"); }"
            % (WEB_FONT_FAMILY, weight, local, mime, encoded, fmt))


def web_font_css(text: str) -> str:
    """The ``@font-face`` rules of the page's font, one per weight (400 and 700): an
    installed Source Han / Noto CJK SC face when the reader's machine has one (``local()``),
    else the bundled Noto Sans SC Regular / Bold, subset to the characters of ``text`` and
    embedded as ``data:`` URLs (the page stays self-contained). Every face has its embedded
    fallback, so a machine without the bold face locally still draws bold text, in the real
    weight, never synthesised."""
    chars = "".join(sorted({c for c in text if ord(c) >= 0x20} | set("0123456789")))
    files = bundled_font_files()
    return "\n".join((_font_face(400, WEB_LOCAL_FACES, files["sans"], chars),
                      _font_face(BOLD_WEIGHT, WEB_LOCAL_BOLD_FACES, files["sans_bold"], chars)))


@functools.lru_cache(maxsize=1)
def _bundled_cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(_regular_font_files()["sans"]), lazy=True)
    return frozenset(font.getBestCmap())


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` that the bundled sans font cannot draw (control
    characters and whitespace aside). Every report text must pass this check: the bundled
    font is what a fresh machine has."""
    cmap = _bundled_cmap()
    return {c for c in set(text) if ord(c) >= 0x20 and not c.isspace() and ord(c) not in cmap}


def font_manifest() -> dict:
    """What the manifest records about fonts: the bundled files' hashes (the bold instance
    and the variable font it comes from included) and the PDF font stacks in use on this
    machine."""
    from importlib.metadata import PackageNotFoundError, version

    files = bundled_font_files()
    choice = typst_fonts()
    source = bold_source_file()
    try:
        source_version = version(BOLD_SOURCE_PACKAGE)
    except PackageNotFoundError:  # pragma: no cover - imported above, so installed
        source_version = ""
    return {
        "bundled": {p.name: sha256_file(p) for p in files.values()},
        "bold_source": {"package": BOLD_SOURCE_PACKAGE, "version": source_version,
                        "file": source.name, "sha256": sha256_file(source)},
        "system_fonts": choice.system,
        "pdf_sans": list(choice.sans),
        "pdf_serif": list(choice.serif),
        "pdf_faces": dict(choice.files),
    }
