"""The portal (``evalkit portal``) without a browser: the site model shows the payloads'
numbers and nothing else, every text from the data is escaped, the site is written as a
whole and byte-identical, ``evalkit run`` refreshes only a portal of its own, and a district
of 50 units × 10 years builds fast into ≤ 5 MB."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.errors import EvalkitError
from evalkit.portal import build_portal, refresh_portal
from evalkit.portal import build as portal_build
from evalkit.portal import messages as portal_messages
from evalkit.portal import site as portal_site
from evalkit.portal.pages import json_text
from evalkit.report.present import fmt_score
from tests.helpers import REPO
from tests.helpers.portal import write_synthetic_reports

SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = '"><img src=x onerror=alert(2)>'
HOSTILE_ID = "x</script><script>alert(3)</script>"


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """50 units × 10 years of synthetic reports, with hostile names and a hostile id."""
    root = tmp_path_factory.mktemp("district")
    write_synthetic_reports(root, units=50, years=10, names={2: SCRIPT_NAME, 40: IMG_NAME},
                            ids={5: HOSTILE_ID})
    return root


@pytest.fixture(scope="module")
def built(district, tmp_path_factory):
    site = tmp_path_factory.mktemp("site") / "reports"
    shutil.copytree(district, site)
    start = time.perf_counter()
    result = build_portal(site)
    return site, result, time.perf_counter() - start


def _tree(root: Path) -> dict[str, str]:
    files = [root / "index.html", *sorted((root / "portal").rglob("*"))]
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files if p.is_file()}


def _pages(site: Path) -> list[Path]:
    return [site / "index.html", *sorted((site / "portal").rglob("*.html"))]


# ----------------------------------------------------------------------------------------
# The numbers are the payloads' numbers, and only the fields the portal needs
# ----------------------------------------------------------------------------------------

def test_league_rows_are_the_payload_numbers(district):
    model = portal_build.site_model(portal_build.read_reports(district))
    rows = model["index"]["rows"]
    assert len(rows) == 500 and model["index"]["years"] == list(range(2015, 2025))
    for year in (2015, 2024):
        overview = json.loads((district / str(year) / "overview.json").read_text(encoding="utf-8"))["data"]
        for unit in overview["units"]:
            own = json.loads((district / str(year) / f"{portal_build_stem(unit['unit_id'])}.json")
                             .read_text(encoding="utf-8"))["data"]
            row = next(r for r in rows if r["year"] == year and r["id"] == unit["unit_id"])
            assert row["score"] == fmt_score(own["score_100"])
            assert (row["rank"], row["n"], row["grade"]) == (own["rank"], own["n_in_group"], own["grade"])
            assert (row["provisional"], row["veto"], row["bar_top"]) == (own["provisional"], own["veto"], own["bar_top"])
            assert row["change"] == own["rank_change"]
            assert row["html"] == f"{year}/{portal_build_stem(unit['unit_id'])}.html"
            assert row["pdf"] == f"{year}/{portal_build_stem(unit['unit_id'])}.pdf"
    unit = model["units"]["D01"]
    assert [y["year"] for y in unit["years"]] == list(range(2015, 2025))
    last = json.loads((district / "2024" / "D01.json").read_text(encoding="utf-8"))["data"]
    eff = next(a for a in last["areas"] if a["code"] == "EFF")
    assert unit["years"][-1]["areas"]["EFF"]["rate"] == f"{100 * eff['score_rate']:.1f}%"
    assert unit["years"][-1]["score"] == fmt_score(last["score_100"])


def portal_build_stem(unit_id: str) -> str:
    from evalkit.report.render import safe_filename

    return safe_filename(unit_id)


def test_the_score_change_is_the_difference_of_the_printed_scores():
    assert portal_build.score_change("87.64", 87.46621751477886) == "+0.17"
    assert portal_build.score_change("63.07", 69.4312) == "-6.36"
    assert portal_build.score_change("80.00", 80.001) == "0.00"
    assert portal_build.score_change("80.00", None) is None


def test_the_rank_is_worded_as_the_reports_word_it():
    rec = {"rank": 3, "n_in_group": 35, "peer_group": "department", "provisional": True,
           "rank_interval": {"rank_low": 1, "rank_high": 6, "wide": False, "rank_band": "top"}}
    assert portal_build.rank_text(rec, True, "zh") == "第 3 名（并列） / 共 35 个部门（暂定）"
    wide = {**rec, "provisional": False, "rank_interval": {**rec["rank_interval"], "wide": True}}
    assert portal_build.rank_text(wide, False, "zh") == "前列（第 1–6 名之间） / 共 35 个部门"
    assert portal_build.rank_text(wide, False, "en") == "Top third (between No. 1 and No. 6) of 35 departments"
    assert portal_build.rank_text({"rank": None}, False, "en") == "Not ranked"


def test_attention_follows_the_overview_rules(district):
    years = portal_build.read_reports(district)
    model = portal_build.site_model(years)
    warnings = model["index"]["warnings"]
    for w in warnings:
        row = next(r for r in model["index"]["rows"] if r["year"] == w["year"] and r["id"] == w["id"])
        assert row["attention"]
        expected = []
        if row["veto"]:
            expected.append("veto")
        elif row["grade"] == "不合格":
            expected.append("fail")
        if row["provisional"]:
            expected.append("provisional")
        if row["change"] is not None and row["change"] <= -10:
            expected.append("rank_drop")
        assert w["rules"] == expected
    assert any("veto" in w["rules"] for w in warnings) and any("rank_drop" in w["rules"] for w in warnings)
    assert model["index"]["rectifications"], "the synthetic district has overdue rectification items"


def test_only_the_fields_it_needs_reach_the_site(built):
    site, _, _ = built
    text = "".join(p.read_text(encoding="utf-8") for p in _pages(site))
    # indicator rows, rule texts, the rectification owner (a post), display blocks: never read
    for absent in ("指标3", "Indicator 3", "线性插值", "科室负责人", "owner", "raw_value", "政府效能评估报告\"", "sections"):
        assert absent not in text, absent


# ----------------------------------------------------------------------------------------
# Escaping
# ----------------------------------------------------------------------------------------

def test_json_text_cannot_end_a_script_element():
    text = json_text({"name": "</script><script>alert(1)</script>&amp;\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>&amp;\u2028"


def test_a_script_name_is_data_on_every_page_never_markup(built):
    site, result, _ = built
    pages = _pages(site)
    assert len(pages) == 52  # index, compare, 50 unit pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert SCRIPT_NAME not in text and "<script>alert" not in text.lower(), page
        assert "<img" not in text.lower() and "</script><script>" not in text, page
        assert text.lower().count("<script") == 3, page  # the two JSON blocks and portal.js
    unit = (site / "portal" / "unit" / "D03.html").read_text(encoding="utf-8")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; · " in unit
    assert "<h1 id=\"ek-unit-name\">&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in unit
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in unit
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in index
    assert "x\\u003c/script\\u003e\\u003cscript\\u003ealert(3)" in index
    # the hostile id has a page of a safe name
    stem = portal_build_stem(HOSTILE_ID)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", stem) and (site / "portal" / "unit" / f"{stem}.html").is_file()


def test_the_script_writes_no_markup():
    js = (portal_site.ASSETS_DIR / "portal.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", js, flags=re.S)  # the code, without its comments
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                      "new Function", "http://", "https://"):
        assert forbidden not in code.replace("http://www.w3.org/2000/svg", ""), forbidden
    assert len(js.encode("utf-8")) < 40_000  # small


def test_pages_allow_no_inline_script_and_no_network(built):
    site, _, _ = built
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        assert "script-src 'self'" in text and "default-src 'none'" in text
        assert not re.search(r"(src|href)=\"(https?:)?//", text)
    css = (site / "portal" / "portal.css").read_text(encoding="utf-8") + \
        (site / "portal" / "fonts.css").read_text(encoding="utf-8")
    assert "http://" not in css and "https://" not in css and "@import" not in css


# ----------------------------------------------------------------------------------------
# Words
# ----------------------------------------------------------------------------------------

def test_every_language_has_every_message_and_every_used_key_exists():
    assert set(portal_messages.ZH) == set(portal_messages.EN)
    zh, en = portal_messages.catalogue("zh"), portal_messages.catalogue("en")
    assert set(zh) == set(en)
    js = (portal_site.ASSETS_DIR / "portal.js").read_text(encoding="utf-8")
    used = set(re.findall(r"\bt\(\"(\w+)\"", js)) | set(re.findall(r"\"(col_\w+|opt_\w+|flag_\w+)\"", js))
    pages = Path(portal_site.__file__).with_name("pages.py").read_text(encoding="utf-8")
    used |= set(re.findall(r"data-msg(?:-aria|-placeholder)?=\"(\w+)\"", pages))
    used |= set(re.findall(r"words\[\"(\w+)\"\]", pages))
    missing = sorted(k for k in used if k not in zh)
    assert not missing, missing


# ----------------------------------------------------------------------------------------
# Writing the site
# ----------------------------------------------------------------------------------------

def test_the_same_reports_give_a_byte_identical_site(built, district, tmp_path):
    site, result, _ = built
    other = tmp_path / "elsewhere"
    shutil.copytree(district, other)
    build_portal(other)
    assert _tree(other) == _tree(site)
    before = _tree(site)
    build_portal(site)  # again in place
    assert _tree(site) == before


def test_the_site_layout(built):
    site, result, _ = built
    assert (site / "index.html").is_file() and (site / "portal" / "compare.html").is_file()
    assert {p.name for p in (site / "portal").iterdir()} == {"compare.html", "unit", "portal.js", "portal.css",
                                                             "fonts.css", "site.json"}
    assert len(list((site / "portal" / "unit").glob("*.html"))) == 50
    marker = json.loads((site / "portal" / "site.json").read_text(encoding="utf-8"))
    assert marker["generator"] == "evalkit portal" and marker["language"] == "zh"
    assert not [p for p in site.iterdir() if p.name.startswith(".portal-")]
    assert result.describe().startswith(f"portal: {site.resolve()}/index.html — 50 unit(s), 10 year(s)")


def test_a_failing_build_leaves_the_old_site(built, monkeypatch, tmp_path):
    site, _, _ = built
    copy = tmp_path / "reports"
    shutil.copytree(site, copy)
    before = _tree(copy)
    calls = {"n": 0}
    original = portal_site.unit_page

    def breaks_halfway(unit):
        calls["n"] += 1
        if calls["n"] == 25:
            raise OSError(28, "No space left on device")
        return original(unit)

    monkeypatch.setattr(portal_site, "unit_page", breaks_halfway)
    with pytest.raises(OSError):
        build_portal(copy)
    assert _tree(copy) == before

    def fails_in_the_swap(src, dst):
        raise OSError(5, "I/O error")

    monkeypatch.setattr(portal_site, "unit_page", original)
    real_rename = portal_site.os.rename
    monkeypatch.setattr(portal_site.os, "rename",
                        lambda s, d: fails_in_the_swap(s, d) if str(d).endswith("/portal") and ".portal-new-" in str(s)
                        else real_rename(s, d))
    with pytest.raises(OSError):
        build_portal(copy)
    assert _tree(copy) == before
    assert not [p for p in copy.iterdir() if p.name.startswith(".portal-")]


def test_it_never_overwrites_a_page_of_someone_else(tmp_path, district):
    root = tmp_path / "reports"
    shutil.copytree(district / "2024", root / "2024")
    (root / "index.html").write_text("<p>our intranet page</p>", encoding="utf-8")
    with pytest.raises(EvalkitError, match="not written by `evalkit portal`"):
        build_portal(root)
    assert refresh_portal(root) is None
    assert (root / "index.html").read_text(encoding="utf-8") == "<p>our intranet page</p>"


def test_refresh_only_when_a_portal_is_there_and_in_its_language(tmp_path, district):
    from evalkit.run import refresh_portal_of

    root = tmp_path / "reports"
    shutil.copytree(district / "2023", root / "2023")
    assert refresh_portal(root) is None and refresh_portal_of(root) == ""
    assert not (root / "index.html").exists() and not (root / "portal").exists()
    build_portal(root, language="en")
    shutil.copytree(district / "2024", root / "2024")  # a new year rendered by `evalkit run`
    said = refresh_portal_of(root)
    assert said.startswith("portal: ") and "2 year(s)" in said and said.endswith("(refreshed)")
    index = (root / "index.html").read_text(encoding="utf-8")
    assert 'data-language="en"' in index and '<html lang="en"' in index and '"years":[2023,2024]' in index


def test_no_reports_is_one_clear_message(tmp_path, capsys):
    assert main(["portal", "--out", str(tmp_path)]) == 2
    assert "no reports to show" in capsys.readouterr().err
    assert main(["portal", "--out", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_a_payload_of_another_layout_is_refused(tmp_path, district):
    root = tmp_path / "reports"
    shutil.copytree(district / "2024", root / "2024")
    path = root / "2024" / "D01.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"evalkit.report/1"', '"evalkit.report/2"', 1),
                    encoding="utf-8")
    with pytest.raises(EvalkitError, match="evalkit.report/2"):
        build_portal(root)


def test_cli_help_and_build(built, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["portal", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--out REPORTS_DIR" in out and "--language" in out
    site, _, _ = built
    assert main(["portal", "--out", str(site)]) == 0
    assert "portal: " in capsys.readouterr().out


def test_the_year_lock_is_the_runs():
    from evalkit.run import LOCK_FILE

    assert portal_build.YEAR_LOCK == LOCK_FILE


def test_the_assets_are_package_data():
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    data = next(kw.value for node in ast.walk(tree) if isinstance(node, ast.Call)
                for kw in node.keywords if kw.arg == "package_data")
    keys = {k.value: v for k, v in zip(data.keys, data.values) if isinstance(k, ast.Constant)}
    assert [e.value for e in keys["evalkit.portal"].elts] == ["assets/*"]
    assert sorted(p.name for p in portal_site.ASSETS_DIR.iterdir()) == sorted(portal_site.ASSET_FILES)


# ----------------------------------------------------------------------------------------
# Size and time: 50 units × 10 years (benchmarks/bench_portal.py measures the browser too)
# ----------------------------------------------------------------------------------------

def test_fifty_units_ten_years_build_fast_and_small(built):
    site, result, seconds = built
    size = sum((site / rel).stat().st_size for rel in _tree(site))
    assert size == result.size
    assert size <= 5 * 2 ** 20, f"the site adds {size / 1e6:.1f} MB"
    assert seconds < 30, f"building took {seconds:.1f} s"


def test_run_batch_refreshes_the_portal_of_its_out_folder(tmp_path, district, monkeypatch):
    """The wiring in ``run_batch`` (the rendering itself stubbed out: tests/report cover it)."""
    from types import SimpleNamespace

    from evalkit import run

    out = tmp_path / "reports"
    shutil.copytree(district / "2023", out / "2023")
    build_portal(out)
    shutil.copytree(district / "2024", out / "2024")
    monkeypatch.setattr(run, "_check_options", lambda language, renderer: None)
    monkeypatch.setattr(run, "_plan", lambda *a, **k: SimpleNamespace(year=2024, results=SimpleNamespace(meta={})))
    monkeypatch.setattr(run, "_choose", lambda plan, units: [])
    monkeypatch.setattr(run, "_render", lambda plan, chosen, year_dir, **k: run.BatchSummary(2024, year_dir))
    summary = run.run_batch(Path("unused"), Path("unused"), out_dir=out, progress=False)
    assert summary.portal.endswith("(refreshed)") and "2 year(s)" in summary.portal
    assert summary.portal in summary.describe()
    assert '"years":[2023,2024]' in (out / "index.html").read_text(encoding="utf-8")
