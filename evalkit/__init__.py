"""evalkit: evaluate government efficiency (政府效能评估) and produce reproducible annual reports."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
