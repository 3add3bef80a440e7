"""Chinese fonts for charts, HTML and PDF: a bundled font that is always there, and better
system fonts when the machine has them.

* **Bundled**: Noto Sans SC and Noto Serif SC (Regular, Simplified Chinese glyph forms,
  SIL Open Font License 1.1) from the PyPI package ``pylopdf-fonts-zh-cn``, a dependency of
  evalkit, so a fresh ``pip install`` renders Chinese without any system font.
* **System**: when fontconfig/Typst find one of :data:`SANS_FAMILIES` /
  :data:`SERIF_FAMILIES` earlier in the list (Source Han, Noto CJK SC — with a real bold
  weight), it is preferred; the bundled family stays last in every stack as the fallback.
  Setting the environment variable ``EVALKIT_SYSTEM_FONTS=0`` ignores system fonts (the
  output then depends on evalkit's own files only, as on a fresh machine).

Only SC-specific faces are ever chosen for charts: matplotlib opens the first face of a
font collection (``.ttc``), which for the Pan-CJK Noto collections is the Japanese one.

Matplotlib's "Glyph … missing from font(s)" warning is turned into an error by
:func:`strict_glyphs` — a chart with tofu boxes is a failed chart.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from evalkit.data.files import sha256_file
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


class MissingGlyphError(ReportError):
    """A chart needed a character that no configured font has."""


def use_system_fonts() -> bool:
    """False when ``EVALKIT_SYSTEM_FONTS`` is ``0``/``false``/``no``/``off``."""
    return os.environ.get(_ENV_SYSTEM_FONTS, "1").strip().lower() not in ("0", "false", "no", "off")


def bundled_font_files() -> dict[str, Path]:
    """The bundled font files: ``{"sans": …/NotoSansSC-Regular.otf, "serif": …}``."""
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


def bundled_font_dir() -> Path:
    """The folder holding the bundled fonts (give it to Typst as a font path)."""
    return bundled_font_files()["sans"].parent


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
    bundled = bundled_font_dir()
    infos = typst.Fonts(include_system_fonts=system, include_embedded_fonts=True,
                        font_paths=[str(bundled)]).fonts()
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
    """Font folders to hand to ``typst.compile(font_paths=...)``."""
    return [str(bundled_font_dir())]


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
# HTML: a subset of the bundled font, embedded in the page
# ----------------------------------------------------------------------------------------

def _subset_otf(path: Path, text: str) -> bytes:
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


#: Installed faces a browser may use instead of the embedded subset (full name and
#: PostScript name of each, as CSS ``local()`` matches them).
WEB_LOCAL_FACES = ("Source Han Sans SC", "SourceHanSansSC-Regular", "Noto Sans CJK SC",
                   "NotoSansCJKsc-Regular", "Noto Sans SC", "NotoSansSC-Regular")


def web_font_css(text: str) -> str:
    """An ``@font-face`` rule for the page's font: an installed Source Han / Noto CJK SC
    face when the reader's machine has one (``local()``), else the bundled Noto Sans SC,
    subset to the characters of ``text`` and embedded as a ``data:`` URL (the page stays
    self-contained). Bold is synthesised by the browser from this one face: a second,
    bold face that is missing locally leaves some browsers showing no text at all."""
    chars = "".join(sorted({c for c in text if ord(c) >= 0x20} | set("0123456789")))
    data = _subset_otf(bundled_font_files()["sans"], chars)
    encoded = base64.b64encode(data).decode("ascii")
    local = ", ".join(f'local("{name}")' for name in WEB_LOCAL_FACES)
    return ("@font-face { font-family: \"%s\"; font-style: normal; font-weight: 400; "
            "src: %s, url(data:font/otf;base64,%s) format(\"opentype\"); }"
            % (WEB_FONT_FAMILY, local, encoded))


@functools.lru_cache(maxsize=1)
def _bundled_cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(bundled_font_files()["sans"]), lazy=True)
    return frozenset(font.getBestCmap())


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` that the bundled sans font cannot draw (control
    characters and whitespace aside). Every report text must pass this check: the bundled
    font is what a fresh machine has."""
    cmap = _bundled_cmap()
    return {c for c in set(text) if ord(c) >= 0x20 and not c.isspace() and ord(c) not in cmap}


def font_manifest() -> dict:
    """What the manifest records about fonts: the bundled files' hashes and the PDF
    font stacks in use on this machine."""
    files = bundled_font_files()
    choice = typst_fonts()
    return {
        "bundled": {p.name: sha256_file(p) for p in files.values()},
        "system_fonts": choice.system,
        "pdf_sans": list(choice.sans),
        "pdf_serif": list(choice.serif),
        "pdf_faces": dict(choice.files),
    }
