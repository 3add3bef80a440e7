"""The committed framework JSON Schema is generated from the code (as docs/data-contract.md is)."""

from __future__ import annotations

from evalkit.schemas import FRAMEWORK_SCHEMA
from evalkit.scoring.rules import RULES
from evalkit.scoring.schema import framework_schema, schema_text
from evalkit.scoring.vocabulary import MISSING_POLICIES


def test_committed_schema_is_generated_from_the_code():
    # regenerate with: python -m evalkit.scoring.schema > evalkit/schemas/framework.schema.json
    assert FRAMEWORK_SCHEMA.read_text(encoding="utf-8") == schema_text()


def test_schema_offers_exactly_the_names_the_parser_accepts():
    schema = framework_schema()
    assert schema["$defs"]["missing"]["enum"] == list(MISSING_POLICIES)
    assert schema["$defs"]["rule"]["properties"]["type"]["enum"] == list(RULES)
    params = {name for cls in RULES.values() for name in cls.__dataclass_fields__} - {"type"}
    assert set(schema["$defs"]["rule"]["properties"]) - {"type"} == params
