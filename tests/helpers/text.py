"""Text of report blocks for assertions."""

from __future__ import annotations


def all_text(block) -> str:
    """Every text of a report block (or list of blocks), space-separated; SVG left out."""
    if isinstance(block, str):
        return block
    if isinstance(block, dict):
        return " ".join(all_text(v) for k, v in block.items() if k != "svg")
    if isinstance(block, list):
        return " ".join(all_text(v) for v in block)
    return ""
