"""nbconvert exporters of evalkit's reports: ``jupyter nbconvert --to evalkit_html`` and
``--to evalkit_pdf`` turn an executed report notebook into the same files ``evalkit run``
writes.

Registered as nbconvert exporters (entry points in pyproject.toml), so a user who runs a
report notebook with papermill by hand converts it with the usual tool and gets the same
bytes: the HTML through evalkit's template (``templates/html``) with the embedded font, the
PDF through the Typst template from the notebook's payload.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from nbconvert.exporters import Exporter, HTMLExporter


class EvalkitHTMLExporter(HTMLExporter):
    """Executed evalkit report notebook → self-contained HTML page (no code, prompts,
    streams, errors or payload; a subset of the bundled Chinese font embedded)."""

    export_from_notebook = "evalkit HTML"

    def __init__(self, *args, **kwargs):
        from evalkit.resources import HTML_TEMPLATE_NAME, template_dir

        kwargs.setdefault("template_name", HTML_TEMPLATE_NAME)
        kwargs.setdefault("extra_template_basedirs", [str(template_dir())])
        super().__init__(*args, **kwargs)
        self.exclude_input = True
        self.exclude_input_prompt = True
        self.exclude_output_prompt = True

    def from_notebook_node(self, nb, resources=None, **kw):
        from evalkit.report.render import finish_html, strip_for_report

        nb, info = strip_for_report(nb)
        resources = dict(resources or {})
        name = (resources.get("metadata") or {}).get("name") or "report"
        resources["evalkit_title"] = info.get("title") or name
        resources["evalkit_lang"] = info.get("lang") or "zh-CN"
        body, resources = super().from_notebook_node(nb, resources=resources, **kw)
        return finish_html(body, name), resources


class EvalkitPDFExporter(Exporter):
    """Executed evalkit report notebook → PDF (Typst)."""

    export_from_notebook = "evalkit PDF"
    output_mimetype = "application/pdf"

    def _file_extension_default(self) -> str:
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):
        from evalkit.report.pdf import notebook_payload, payload_to_pdf

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        with tempfile.TemporaryDirectory(prefix="evalkit-nbconvert-") as tmp:
            out = payload_to_pdf(notebook_payload(nb_copy), Path(tmp) / "report.pdf")
            data = out.read_bytes()
        resources["output_extension"] = ".pdf"
        return data, resources
