"""Published JSON Schemas (``framework.schema.json``) for editors and validators."""

from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent
FRAMEWORK_SCHEMA = SCHEMA_DIR / "framework.schema.json"
