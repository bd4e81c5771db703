"""The provenance rules of `dangjian validate`: the DOUBTFUL PROVENANCE tag and forecasts.

Each rule is shown to pass on the bundled package and to fail on a damaged copy, with a
problem naming file, row and column.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dangjian_analysis import DataValidationError, validate
from dangjian_analysis.package.provenance_rules import (
    FORECAST,
    PROVENANCE_TAG,
    host_of,
    is_official,
    source_provenance,
)

from conftest import DATA, read_csv, resource_files, write_csv


def copy_bundled(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in resource_files():
        shutil.copy(DATA / name, folder / name)
    return folder


def edit_rows(path: Path, key: str, ident: str, **cells: str) -> None:
    rows = read_csv(path)
    found = False
    for row in rows:
        if row[key] == ident:
            row.update(cells)
            found = True
    assert found, ident
    write_csv(path, rows, list(rows[0]))


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        validate(path)
    return [str(p) for p in info.value.problems]


def row_of(path: Path, key: str, ident: str) -> int:
    return [r[key] for r in read_csv(path)].index(ident) + 1


def test_host_and_official_outlets():
    outlets = ("gov.cn", "people.com.cn")
    assert host_of("http://big5.www.gov.cn/gate/big5/x.htm") == "big5.www.gov.cn"
    assert host_of("HTTPS://WWW.GOV.CN:8080/a") == "www.gov.cn"
    assert is_official("https://www.gov.cn/gzdt/a.htm", outlets)
    assert is_official("http://gx.people.com.cn/n2/a.html", outlets)
    # a domain matches itself and its subdomains, never a name that merely ends alike
    assert not is_official("http://notgov.cn/a", outlets)
    assert not is_official("http://gov.cn.example.com/a", outlets)
    assert source_provenance("", outlets) == "no address"
    assert source_provenance("http://m.lurdlur.com/gn/a.shtml", outlets) == "unofficial"


def test_every_bundled_unofficial_source_carries_the_tag():
    settings = json.loads((DATA / "analysis.json").read_text(encoding="utf-8"))
    outlets = [o["host"] for o in settings["official_outlets"]]
    sources = read_csv(DATA / "sources.csv")
    unofficial = [s for s in sources if source_provenance(s["url"], outlets) == "unofficial"]
    assert all(s["notes"].startswith(PROVENANCE_TAG) for s in unofficial)
    # the 13 regional and benchmark copies of the 1.4 audit are among them
    for source_id in ("src_zj_2024_industry_meeting", "src_xn_xna8_forum",
                      "src_qxe_2022_baogaosu", "src_lz_2015_baogaosu", "src_hb_hbmif_2012"):
        assert source_id in {s["source_id"] for s in unofficial}
    # 9 tagged before 1.4, the 13 of the audit, 6 more copies the same rule covers and the
    # Shanghai mirror added in 1.4.0
    assert len(unofficial) == 29


def test_untagged_copy_is_rejected(tmp_path):
    path = copy_bundled(tmp_path / "pkg")
    sources = path / "sources.csv"
    edit_rows(sources, "source_id", "src_zj_2024_industry_meeting",
              notes="A repost on an overseas-Chinese news site.")
    number = row_of(sources, "source_id", "src_zj_2024_industry_meeting")
    (problem,) = problems_of(path)
    assert problem.startswith(
        f"sources.csv, row {number} (line {number + 1}, "
        "source_id=src_zj_2024_industry_meeting), column 'notes': expected notes beginning "
        "'DOUBTFUL PROVENANCE': the address's host 'wap.qwitaly.com' is not one of the "
        "official_outlets"
    )
    assert problem.endswith("found 'A repost on an overseas-Chinese news site.'")


def test_outlet_taken_off_the_list_needs_the_tag(tmp_path):
    path = copy_bundled(tmp_path / "pkg")
    settings = json.loads((path / "analysis.json").read_text(encoding="utf-8"))
    settings["official_outlets"] = [
        o for o in settings["official_outlets"] if o["host"] != "people.com.cn"
    ]
    (path / "analysis.json").write_text(json.dumps(settings, ensure_ascii=False), "utf-8")
    problems = problems_of(path)
    named = sorted(p.split("source_id=")[1].split(")")[0] for p in problems)
    assert named == ["src_cn_2017_qiyu_people", "src_nn_2020_people"]
    assert all("host 'cpc.people.com.cn'" in p or "host 'gx.people.com.cn'" in p
               for p in problems)


def test_outlet_host_must_be_a_domain(tmp_path):
    path = copy_bundled(tmp_path / "pkg")
    settings = json.loads((path / "analysis.json").read_text(encoding="utf-8"))
    settings["official_outlets"][0]["host"] = "https://www.gov.cn/"
    (path / "analysis.json").write_text(json.dumps(settings, ensure_ascii=False), "utf-8")
    problems = problems_of(path)
    assert (
        "analysis.json, column 'official_outlets[0].host': expected a domain name in lower "
        "case (gov.cn), found 'https://www.gov.cn/'"
    ) in problems


def test_forecast_printed_but_not_marked(tmp_path):
    path = copy_bundled(tmp_path / "pkg")
    figures = path / "figures.csv"
    edit_rows(figures, "figure_id", "lt-007", status="")
    number = row_of(figures, "figure_id", "lt-007")
    assert problems_of(path) == [
        f"figures.csv, row {number} (line {number + 1}, figure_id=lt-007), column 'status': "
        "expected 'forecast': raw or locator prints '预计', a figure expected, not counted, "
        "found an empty cell"
    ]


def test_forecast_marked_without_saying_so(edit_figures):
    path = edit_figures("tc-001", "status", FORECAST)
    assert problems_of(path) == [
        "figures.csv, row 1 (line 2, figure_id=tc-001), column 'notes': expected notes "
        "saying the figure is expected (a forecast), as its status says, found ''"
    ]


def test_status_takes_only_forecast(edit_figures):
    path = edit_figures("tc-001", "status", "expected")
    assert problems_of(path) == [
        "figures.csv, row 1 (line 2, figure_id=tc-001), column 'status': "
        "expected one of ['forecast'], found 'expected'"
    ]


def test_bundled_forecasts():
    rows = read_csv(DATA / "figures.csv")
    marked = [r["figure_id"] for r in rows if r["status"] == FORECAST]
    assert marked == [
        "zj-007", "zj-008", "zj-011", "zj-012",
        "lt-006", "lt-007", "lt-008", "lt-009", "lt-010", "lt-011",
    ]


def test_growth_analysis_leaves_forecasts_out_unless_asked(figures, scopes, settings):
    import dangjian_analysis as dj

    plain = dj.reported_growth_rates(figures, settings=settings)
    assert "lt-007" not in {i for d in plain for i in d.inputs}
    asked = dj.reported_growth_rates(figures, include_forecasts=True, settings=settings)
    (lintao,) = [d for d in asked if d.inputs == ("lt-007",)]
    assert lintao.interval.value == pytest.approx(0.122)
    assert "forecast: lt-007 is expected (预计), not a result" in lintao.flags

    cross = dj.cross_section(figures, scopes, "output_growth", settings=settings)
    assert "lintao_park" not in set(cross["region_id"])
    assert cross.attrs["missing"]["lintao_park"] == (
        "no output_growth measure (only forecasts, left out unless include_forecasts)"
    )
    labelled = dj.cross_section(
        figures, scopes, "output_growth", include_forecasts=True, settings=settings
    )
    row = labelled[labelled["region_id"] == "lintao_park"].iloc[0]
    assert row["outcome_value"] == pytest.approx(0.122)
    assert "forecast: lt-007" in row["caveats"]


def test_a_package_without_official_outlets_is_not_checked(tmp_path):
    path = copy_bundled(tmp_path / "pkg")
    settings = json.loads((path / "analysis.json").read_text(encoding="utf-8"))
    del settings["official_outlets"]
    (path / "analysis.json").write_text(json.dumps(settings, ensure_ascii=False), "utf-8")
    edit_rows(path / "sources.csv", "source_id", "src_zj_2024_industry_meeting",
              notes="A repost on an overseas-Chinese news site.")
    # With no list of outlets nothing can be told apart: the rule needs the package's list.
    assert validate(path).folder == path
