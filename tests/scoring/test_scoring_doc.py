"""docs/scoring.md is generated from the objects that score (as docs/data-contract.md is)."""

from __future__ import annotations

from pathlib import Path

from evalkit.scoring.rules import RULES
from evalkit.scoring.scoring_doc import RULE_EXAMPLES, scoring_markdown
from evalkit.scoring.vocabulary import MISSING_POLICIES

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"


def test_committed_page_is_current():
    # regenerate with: python -m evalkit.scoring.scoring_doc > docs/scoring.md
    assert DOC.read_text(encoding="utf-8") == scoring_markdown()


def test_every_rule_and_policy_has_a_worked_example():
    page = scoring_markdown()
    assert set(RULE_EXAMPLES) == set(RULES)
    for kind in RULES:
        assert f"### `{kind}`" in page
    for policy in MISSING_POLICIES:
        assert f"| `{policy}` |" in page


def test_worked_examples_are_the_scorers_numbers():
    page = scoring_markdown()
    # threshold_deduct, 8 points, target 99.5, 2 points per point short: 97.5 → 8 − 2·2 = 4
    assert "| 97.5% | 4 |" in page
    # peer_mean: D gets the donors' mean share (0.8 + 0.6 + 0.5)/3 = 0.6333 of its 20 points = 12.67
    assert "| `peer_mean` | 8 | 6 | 10 | 12.67 |" in page
    # points sum: (30 + 40) × 100 / 80 = 87.5
    assert "87.5 of 100 points" in page
