"""The reference page docs/data-contract.md is generated from evalkit/contract.py."""

from pathlib import Path

from evalkit.data.contract import TABLES
from evalkit.data.contract_doc import render

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"


def test_data_contract_page_is_in_sync():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/data-contract.md is stale: run `python -m evalkit.data.contract_doc > docs/data-contract.md`")


def test_every_table_and_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for table in TABLES.values():
        assert f"### `{table.name}`" in text
        for col in table.columns:
            assert f"| `{col.name}` | {col.label_zh} |" in text
