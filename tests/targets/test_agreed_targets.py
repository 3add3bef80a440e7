"""The agreed-targets file (evalkit.targets.agreed): hostile files give one clear message each."""

import pandas as pd
import pytest

from evalkit.configuration import load_configuration
from evalkit.data.dataset import load_dataset
from evalkit.errors import DataValidationError
from evalkit.resources import sample_data_dir
from evalkit.targets.agreed import agreed_file, check_agreed_files, load_agreed_targets, read_agreed_targets


@pytest.fixture(scope="module")
def sample():
    data = sample_data_dir()
    return load_configuration(data).framework, load_dataset(data).units


def _csv(tmp_path, rows, encoding="utf-8-sig", name="2024.csv"):
    path = tmp_path / name
    path.write_bytes(("单位编码,指标编号,商定目标\n" + "".join(f"{r}\n" for r in rows)).encode(encoding))
    return path


def _errors(path, sample):
    fw, units = sample
    table, problems = read_agreed_targets(path, f"targets/{path.name}", fw, units)
    return table, [p for p in problems if p.severity == "error"]


def test_a_good_file_in_utf8_bom_and_gb18030(tmp_path, sample):
    for encoding in ("utf-8-sig", "gb18030"):
        path = _csv(tmp_path, ["D01,PUB01,99", "D01,12345热线回访满意率,95", "D02,PUB02,", "S01,grid_on_time_rate,99"],
                    encoding)
        table, errors = _errors(path, sample)
        assert errors == []
        assert table[["unit_id", "leaf", "target"]].values.tolist() == [
            ["D01", "PUB01", 99.0], ["D01", "SAT01", 95.0], ["S01", "REG01", 99.0]]  # an empty target is no row
        assert table["framework_target"].tolist() == [98.0, 90.0, 98.0]


def test_an_xlsx_file(tmp_path, sample):
    path = tmp_path / "2024.xlsx"
    pd.DataFrame({"单位编码": ["D01"], "指标编号": ["PUB01"], "商定目标": [99.5]}).to_excel(path, index=False)
    table, errors = _errors(path, sample)
    assert errors == [] and table["target"].tolist() == [99.5]


@pytest.mark.parametrize("row, column, message", [
    ("X99,PUB01,99", "单位编码", "expected a unit_id listed in the units table; found 'X99', which is not there"),
    ("D01,NOPE,99", "指标编号", "expected a leaf of the framework sample-district"),
    ("D01,PUB01,约99", "商定目标", "expected a number; found '约99'"),
    ("D01,PUB01,120", "商定目标", "within its range 0–100 (a percentage); found 120%"),
    ("D01,PUB01,-3", "商定目标", "within its range 0–100 (a percentage); found -3%"),
    ("D01,PUB01,90", "商定目标", "at least as demanding as the framework's 98% (higher is better); found 90%"),
    ("D01,POW01,20", "商定目标", "at least as demanding as the framework's 15% (lower is better); found 20%"),
    ("D01,QUA01,100", "指标编号", "its policy target is already the best value the indicator can take"),
])
def test_hostile_rows_give_one_clear_message(tmp_path, sample, row, column, message):
    table, errors = _errors(_csv(tmp_path, [row]), sample)
    assert len(errors) == 1, [str(p) for p in errors]
    (p,) = errors
    assert (p.file, p.row, p.column) == ("targets/2024.csv", 2, column)
    assert message in str(p)
    assert table.empty


def test_a_second_row_for_the_same_unit_and_leaf(tmp_path, sample):
    _, errors = _errors(_csv(tmp_path, ["D01,PUB01,99", "D01,12345热线按时办结率,99.5"]), sample)
    assert [(p.row, p.column) for p in errors] == [(3, "指标编号")]
    assert "a second one (the first is on row 2)" in str(errors[0])


def test_a_missing_column(tmp_path, sample):
    path = tmp_path / "2024.csv"
    path.write_text("单位编码,指标编号\nD01,PUB01\n", encoding="utf-8")
    _, errors = _errors(path, sample)
    assert len(errors) == 1 and errors[0].column == "agreed_target"


def test_loading_raises_with_every_problem_and_two_files_are_refused(tmp_path, sample):
    fw, units = sample
    folder = tmp_path / "targets"
    folder.mkdir()
    assert load_agreed_targets(tmp_path, 2024, fw, units) is None  # no file: the framework's targets
    _csv(folder, ["X99,PUB01,99", "D01,PUB01,120"])
    with pytest.raises(DataValidationError) as exc:
        load_agreed_targets(tmp_path, 2024, fw, units)
    assert [p.row for p in exc.value.problems] == [2, 3]
    pd.DataFrame({"单位编码": ["D01"], "指标编号": ["PUB01"], "商定目标": [99.5]}).to_excel(folder / "2024.xlsx",
                                                                                   index=False)
    with pytest.raises(DataValidationError, match="one agreed-targets file for 2024"):
        agreed_file(tmp_path, 2024)


def test_validate_checks_every_agreed_file(tmp_path, sample):
    import shutil

    fw, _ = sample
    shutil.copy(sample_data_dir() / "units.csv", tmp_path / "units.csv")
    folder = tmp_path / "targets"
    folder.mkdir()
    _csv(folder, ["D01,PUB01,abc"])
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    problems = check_agreed_files(tmp_path, fw)
    assert sorted(str(p) for p in problems) == [
        "targets/2024.csv, row 2, column '商定目标': expected a number; found 'abc'",
        "targets/notes.txt: expected an agreed-targets file named <year>.xlsx (or .csv …), e.g. 2024.xlsx; "
        "found 'notes.txt'"]
