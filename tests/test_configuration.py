"""The evaluation configuration (evalkit.configuration): loaded once, from the data's files.

Acceptance (issue 10, "One configuration"): with the sample's ``rubric.yaml`` changed to
``method: median`` and ``group_weights: {leader: 1.0}``, ``rating_score`` changes for most
units and equals the combined score of the published qualitative table.
"""

import hashlib
import json
import shutil
from dataclasses import FrozenInstanceError

import pytest

from evalkit.cli import main
from evalkit.configuration import EvaluationConfig, load_configuration
from evalkit.data.dataset import load_dataset
from evalkit.errors import EvalkitError, FrameworkError, SensitivityError
from evalkit.indicators import DEFAULT_PARAMETERS, compute_indicators
from evalkit.indicators.parameters import IndicatorParameterError
from evalkit.qualitative import DEFAULT_RUBRIC, AggregationPolicy, RubricError, evaluate_ratings, load_rubric
from evalkit.resources import sample_data_dir, sample_framework_path
from evalkit.scoring.framework import load_framework
from evalkit.sensitivity import load_schemes

SAMPLE = sample_data_dir()
YEAR = 2024
CONFIG_FILES = ("framework.yaml", "rubric.yaml", "schemes.yaml")


def config_dir(tmp_path, *names):
    """A directory holding copies of the sample's configuration files ``names``."""
    d = tmp_path / "district"
    d.mkdir()
    for name in names:
        shutil.copy(SAMPLE / name, d / name)
    return d


def median_leader_rubric(text: str) -> str:
    """The sample rubric with the aggregation changed as in the issue."""
    assert "  method: mean\n" in text and "  group_weights: {leader: 0.30," in text
    lines = []
    for line in text.splitlines(keepends=True):
        if line == "  method: mean\n":
            line = "  method: median\n"
        elif line.startswith("  group_weights: {leader: 0.30,"):
            line = "  group_weights: {leader: 1.0}\n"
        lines.append(line)
    return "".join(lines)


@pytest.fixture(scope="module")
def changed_district(tmp_path_factory):
    """A copy of the sample district whose rubric aggregates by the median of the leaders."""
    d = tmp_path_factory.mktemp("changed") / "district"
    shutil.copytree(SAMPLE, d)
    rubric = d / "rubric.yaml"
    rubric.write_text(median_leader_rubric(rubric.read_text(encoding="utf-8")), encoding="utf-8")
    return d


# --- loading ------------------------------------------------------------------------------

def test_without_files_the_configuration_holds_the_documented_defaults(tmp_path):
    config = load_configuration(config_dir(tmp_path, "framework.yaml"))
    assert config.rubric is DEFAULT_RUBRIC
    assert config.indicators is DEFAULT_PARAMETERS  # the very objects compute_indicators defaults to
    assert config.schemes == {}
    assert [s.role for s in config.sources] == ["framework"]


def test_without_a_framework_file_the_sample_framework_is_used(tmp_path):
    config = load_configuration(config_dir(tmp_path))  # the rule of evalkit.resources.default_inputs
    assert config.framework.sha256 == load_framework(sample_framework_path()).sha256
    assert config.source("framework").name == "framework.yaml"


def test_the_sample_files_are_read_once_with_their_hashes():
    config = load_configuration(SAMPLE)
    assert config.rubric == load_rubric(SAMPLE / "rubric.yaml")
    assert config.indicators.rubric is config.rubric
    assert config.schemes == load_schemes(SAMPLE / "schemes.yaml")
    assert config.framework.sha256 == load_framework(SAMPLE / "framework.yaml").sha256
    assert config.grades is config.framework.grades
    assert config.missing_policy == config.framework.missing_policy
    assert [s.role for s in config.sources] == ["framework", "rubric", "schemes"]
    for s in config.sources:
        assert s.name == s.path.name
        assert s.sha256 == hashlib.sha256(s.path.read_bytes()).hexdigest()


def test_the_sample_rubric_spells_out_the_documented_policies():
    rubric = load_rubric(SAMPLE / "rubric.yaml")
    assert rubric.aggregation == DEFAULT_RUBRIC.aggregation
    assert rubric.votes == DEFAULT_RUBRIC.votes
    assert rubric.survey == DEFAULT_RUBRIC.survey
    assert set(rubric.criterion_weights.values()) == {1.0}  # equal weights, as with no criteria declared


def test_the_default_data_directory_is_the_sample():
    assert load_configuration() == load_configuration(SAMPLE)


def test_a_loaded_framework_can_be_given(tmp_path):
    fw = load_framework(sample_framework_path())
    config = load_configuration(config_dir(tmp_path, "rubric.yaml"), fw)
    assert config.framework is fw
    assert config.source("framework").sha256 == fw.sha256
    assert config.source("rubric") is not None


def test_the_configuration_is_frozen_and_replace_makes_a_new_one():
    config = load_configuration(SAMPLE)
    with pytest.raises(FrozenInstanceError):
        config.framework = None
    rubric = DEFAULT_RUBRIC.__class__(**{**DEFAULT_RUBRIC.__dict__,
                                         "aggregation": AggregationPolicy(method="median")})
    other = config.replace(rubric=rubric)
    assert other.rubric is rubric and other.indicators.rubric is rubric
    assert config.rubric == load_rubric(SAMPLE / "rubric.yaml")
    assert other.framework is config.framework
    with pytest.raises(EvalkitError, match="framework: expected a Framework"):
        EvaluationConfig(framework=None)


def test_describe_is_plain_values_that_do_not_depend_on_where_the_data_sit(tmp_path):
    d = config_dir(tmp_path, *CONFIG_FILES)
    described = load_configuration(d).describe()
    text = json.dumps(described, ensure_ascii=False)
    assert str(tmp_path) not in text
    assert json.loads(text) == described
    assert described == load_configuration(SAMPLE).describe()
    assert described["sources"]["rubric"]["file"] == "rubric.yaml"
    assert described["rubric"]["aggregation"]["method"] == "mean"


# --- errors: one clear message naming the file ---------------------------------------------

def test_a_bad_rubric_names_the_file_and_the_key(tmp_path):
    d = config_dir(tmp_path, "framework.yaml", "rubric.yaml")
    text = (d / "rubric.yaml").read_text(encoding="utf-8").replace("  method: mean\n", "  method: average\n")
    (d / "rubric.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RubricError, match=r"rubric\.yaml: aggregation\.method: expected one of mean"):
        load_configuration(d)


def test_a_bad_framework_names_the_file(tmp_path):
    d = config_dir(tmp_path)
    (d / "framework.yaml").write_text("code: x\nversion: '1'\nnodes: [\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"framework\.yaml.*expected valid YAML"):
        load_configuration(d)


def test_a_bad_scheme_file_names_the_file(tmp_path):
    d = config_dir(tmp_path, "framework.yaml")
    (d / "schemes.yaml").write_text("schemes:\n  mine: loudest\n", encoding="utf-8")
    with pytest.raises(SensitivityError, match=r"schemes\.yaml, scheme 'mine'"):
        load_configuration(d)


def test_a_bad_indicator_parameter_file_names_the_file(tmp_path):
    d = config_dir(tmp_path, "framework.yaml")
    (d / "indicators.yaml").write_text("hotline_signed_rate: {hours: 0}\n", encoding="utf-8")
    with pytest.raises(IndicatorParameterError, match=r"indicators\.yaml: hotline_signed_rate\.hours"):
        load_configuration(d)


def test_indicator_parameter_file_is_read_with_the_rubric(tmp_path):
    d = config_dir(tmp_path, "framework.yaml", "rubric.yaml")
    (d / "indicators.yaml").write_text("hotline_signed_rate: {hours: 2}\n", encoding="utf-8")
    config = load_configuration(d)
    assert config.indicators.hotline_sign_hours == 2.0
    assert config.indicators.rubric == load_rubric(d / "rubric.yaml")
    assert [s.role for s in config.sources] == ["framework", "rubric", "indicators"]


def test_a_missing_data_directory_is_one_clear_error(tmp_path):
    with pytest.raises(EvalkitError, match="data directory not found"):
        load_configuration(tmp_path / "nowhere")


def test_evalkit_score_with_a_bad_rubric_prints_one_line_naming_the_file(tmp_path, capsys):
    d = config_dir(tmp_path, "framework.yaml", "rubric.yaml")
    text = (d / "rubric.yaml").read_text(encoding="utf-8").replace("min_raters: 5", "min_raters: 0")
    (d / "rubric.yaml").write_text(text, encoding="utf-8")
    assert main(["score", "--data", str(d), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evalkit: error:")
    assert "rubric.yaml" in err[0] and "aggregation.min_raters" in err[0]


# --- acceptance: the data's rubric decides rating_score --------------------------------------

def rating_scores(dataset, config):
    table = compute_indicators(dataset, YEAR, ["rating_score"], parameters=config.indicators)
    return table.set_index("unit_id")["value"]


def test_rating_score_follows_the_datas_rubric(changed_district):
    config = load_configuration(changed_district)
    assert config.rubric.aggregation.method == "median"
    assert config.rubric.aggregation.group_weights == {"leader": 1.0}
    ds = load_dataset(changed_district, years=[YEAR])
    changed = rating_scores(ds, config)
    unchanged = rating_scores(ds, load_configuration(SAMPLE))
    assert changed.notna().all() and unchanged.notna().all()
    assert (changed != unchanged).sum() > len(changed) / 2  # most of the 48 units
    # without a configuration: the documented defaults, which the unchanged sample spells out
    assert compute_indicators(ds, YEAR, ["rating_score"]).set_index("unit_id")["value"].equals(unchanged)
    # equal to the combined score of the published qualitative table for that rubric
    published = evaluate_ratings(ds.table("ratings", YEAR), ds.table("raters"), rubric=config.rubric,
                                 reliability=False, diagnostics=False).unit_scores.set_index("unit_id")["score"]
    assert changed.to_dict() == pytest.approx(published.reindex(changed.index).to_dict(), rel=0, abs=1e-12)


def test_evalkit_indicators_uses_the_datas_rubric(changed_district, tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "indicators.csv"
    assert main(["indicators", "--data", str(changed_district), "--year", str(YEAR), "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype={"unit_id": str})
    written = table[table["indicator"] == "rating_score"].set_index("unit_id")["value"]
    ds = load_dataset(changed_district, years=[YEAR])
    expected = rating_scores(ds, load_configuration(changed_district))
    assert written.to_dict() == pytest.approx(expected.to_dict(), abs=1e-9)


def test_evalkit_score_uses_the_datas_rubric(changed_district, tmp_path):
    from evalkit.results.store import load_results

    assert main(["score", "--data", str(changed_district), "--year", str(YEAR), "--out", str(tmp_path)]) == 0
    results = load_results(tmp_path / str(YEAR) / "results")
    nodes = results.nodes
    scored = nodes[nodes["indicator"] == "rating_score"].set_index("unit_id")["raw_value"]
    published = results.tables["qualitative_units"].set_index("unit_id")["score"]
    assert scored.to_dict() == pytest.approx(published.reindex(scored.index).to_dict(), abs=1e-9)
    unchanged = rating_scores(load_dataset(SAMPLE, years=[YEAR]), load_configuration(SAMPLE))
    assert (scored != unchanged.reindex(scored.index)).sum() > len(scored) / 2
