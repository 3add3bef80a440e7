"""Locate the resources shipped with evalkit: notebooks, templates and sample data.

An installed wheel carries them inside the package as ``evalkit/_shipped/{notebooks,
templates,data_samples}``; a source checkout (or an editable install) has them at the top
of the repository (``notebooks/``, ``templates/``, ``data_samples/``). The packaged copy
is looked for first, then the checkout.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_SHIPPED_DIR = _PACKAGE_DIR / "_shipped"
_CHECKOUT_DIR = _PACKAGE_DIR.parent

#: Name of the nbconvert HTML template directory inside :func:`template_dir`.
HTML_TEMPLATE_NAME = "html"

SAMPLE_DISTRICT = "sample_district"


def _resource_dir(kind: str) -> Path:
    """``evalkit/_shipped/<kind>`` if it exists, else ``<checkout>/<kind>``."""
    for base in (_SHIPPED_DIR, _CHECKOUT_DIR):
        candidate = base / kind
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"evalkit's {kind!r} resources are missing: looked in {_SHIPPED_DIR / kind} "
        f"and {_CHECKOUT_DIR / kind}; reinstall evalkit"
    )


def _existing(path: Path, what: str) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"evalkit's {what} is missing: {path}")
    return path


def notebook_path(name: str) -> Path:
    """Path of a shipped notebook, e.g. ``notebook_path("unit_report")`` (``.ipynb``
    optional)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a notebook name: {name!r}")
    file_name = name if name.endswith(".ipynb") else f"{name}.ipynb"
    return _existing(_resource_dir("notebooks") / file_name, f"notebook {file_name}")


def template_dir() -> Path:
    """The directory holding evalkit's nbconvert templates (pass it as
    ``extra_template_basedirs``; the HTML report template is its ``html`` sub-directory)."""
    return _resource_dir("templates")


def html_template_dir() -> Path:
    """The nbconvert template directory of the HTML report (``template_dir() / "html"``)."""
    return _existing(template_dir() / HTML_TEMPLATE_NAME, "HTML report template")


def typst_template_path() -> Path:
    """The Typst layout of the PDF reports (``templates/typst/report.typ``)."""
    return _existing(template_dir() / "typst" / "report.typ", "Typst report template")


def sample_data_dir() -> Path:
    """The data directory of the shipped sample district (``data_samples/sample_district``)."""
    return _existing(_resource_dir("data_samples") / SAMPLE_DISTRICT, "sample district data")


def sample_framework_path() -> Path:
    """The indicator framework of the sample district."""
    return _existing(sample_data_dir() / "framework.yaml", "sample framework")


def default_inputs(data=None, framework=None) -> tuple[Path, Path]:
    """The data directory and framework a run uses: ``data`` or the shipped sample, and
    ``framework`` or ``DATA/framework.yaml`` (falling back to the sample's framework)."""
    data_dir = Path(data) if data else sample_data_dir()
    if framework:
        return data_dir, Path(framework)
    own = data_dir / "framework.yaml"
    return data_dir, own if own.is_file() else sample_framework_path()
