from __future__ import annotations

import pytest

from dangjian_analysis import normalize_text, verify_sources
from dangjian_analysis.curate.provenance import (
    NO_LOCAL_TEXT,
    NO_LOCAL_TEXT_WEB,
    check_figure,
    id_ranges,
)
from dangjian_analysis.text.normalize import strip_pinyin_annotations

from conftest import DATA, SEEDS, read_csv, write_csv


def test_normalize_strips_pinyin_and_converts_script():
    assert normalize_text("非公有制企業(yè)黨建") == "非公有制企业党建"
    assert strip_pinyin_annotations("會(huì)議（yì）") == "會議"
    # Parentheses that are not annotations stay.
    assert normalize_text("湖北玉立砂带(集团)股份") == "湖北玉立砂带(集团)股份"
    assert normalize_text("平湖(2003)") == "平湖(2003)"


def test_normalize_width_and_whitespace():
    assert normalize_text("覆盖率达到７２．５２％，\n共 23 名") == "覆盖率达到72.52%,共23名"
    assert normalize_text("115亿\n\n元") == "115亿元"


def test_check_figure_statuses():
    filler = "其他内容" * 15  # 60 characters between the passages
    text = normalize_text(f"甲地企业152家。{filler}乙地党员52名。{filler}丙地新建组织52家")
    assert check_figure(text, "52名", "乙地党员") == ("verified", "")
    status, detail = check_figure(text, "52家", "甲地企业")
    assert status == "locator not near raw"  # 52家 inside 152家 does not count
    assert "1 occurrence(s)" in detail
    assert check_figure(text, "53家", "甲地")[0] == "raw not found"


def test_numbers_after_punctuation_count_but_not_inside_longer_numbers():
    text = normalize_text("服务专员,28名干部;另有1,528名;增长6.9%;约6%")
    assert check_figure(text, "28名", "服务专员")[0] == "verified"  # after a comma
    assert check_figure(text, "528名", "另有")[0] == "raw not found"  # inside 1,528
    assert check_figure(text, "6%", "约")[0] == "verified"
    assert check_figure(text, "9%", "增长")[0] == "raw not found"  # inside 6.9%
    text = normalize_text("共计１２，５００家")
    assert check_figure(text, "12,500家", "共计")[0] == "verified"


def test_verify_mini_package(mini_package, mini_corpus):
    report = verify_sources(mini_corpus, mini_package)
    assert report.ok
    assert [c.status for c in report.checks] == ["verified"] * 5
    assert "src_tongcheng: 5 figures: 5 verified" in report.summary()


def test_verify_reports_misses_by_figure(edit_figures, mini_corpus):
    edit_figures("tc-001", "locator", "不存在的短语")
    path = edit_figures("tc-004", "raw", "116亿元")
    edit_figures("tc-004", "value", "11600000000")
    edit_figures("tc-004", "lower", "11600000000")
    edit_figures("tc-004", "upper", "11600000000")
    report = verify_sources(mini_corpus, path)
    assert not report.ok
    failed = {c.figure_id: c.status for c in report.failures}
    assert failed == {"tc-001": "locator not near raw", "tc-004": "raw not found"}
    summary = report.summary()
    assert "tc-001 (src_tongcheng): locator not near raw" in summary
    assert "3 verified, 2 failed, 0 not checked of 5 figures" in summary


def test_missing_corpus_file_fails_and_no_corpus_file_is_not_checked(mini_package, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    report = verify_sources(empty, mini_package)
    assert {c.status for c in report.checks} == {"corpus file missing"}
    assert not report.ok

    sources = mini_package / "sources.csv"
    text = sources.read_text(encoding="utf-8").replace("000_b459b82bb832b53d.txt", "")
    sources.write_text(text, encoding="utf-8")
    report = verify_sources(empty, mini_package)
    assert {c.status for c in report.checks} == {"not checked"}
    assert {c.detail for c in report.checks} == {NO_LOCAL_TEXT}
    assert report.ok
    summary = report.summary()
    assert "0 verified, 0 failed, 5 not checked of 5 figures" in summary
    assert f"  src_tongcheng: tc-001–tc-005: {NO_LOCAL_TEXT}" in summary
    assert "verified (" not in summary


def test_web_sources_are_listed_as_not_checked_beside_verified_figures(
    mini_package, mini_corpus
):
    # Two of the five test figures move to a source with a url and no local text.
    rows = read_csv(mini_package / "sources.csv")
    web = dict(
        rows[0], source_id="src_test_web", corpus_file="", url="https://example.org/a",
        notes="DOUBTFUL PROVENANCE, kept with this note: a test page on no official outlet.",
    )
    write_csv(mini_package / "sources.csv", [*rows, web], list(rows[0]))
    figures = read_csv(mini_package / "figures.csv")
    for row in figures:
        if row["figure_id"] in ("tc-002", "tc-004"):
            row["source_id"] = "src_test_web"
    write_csv(mini_package / "figures.csv", figures, list(figures[0]))

    report = verify_sources(mini_corpus, mini_package)
    assert report.ok
    assert [c.figure_id for c in report.verified] == ["tc-001", "tc-003", "tc-005"]
    assert [c.figure_id for c in report.not_checked] == ["tc-002", "tc-004"]
    assert report.not_checked_by_source() == {
        "src_test_web": (NO_LOCAL_TEXT_WEB, ["tc-002", "tc-004"])
    }
    summary = report.summary().splitlines()
    assert "src_tongcheng: 3 figures: 3 verified" in summary
    assert "src_test_web: 2 figures: 2 not checked" in summary
    assert summary[summary.index("verified (3 figures):") + 1] == (
        "  src_tongcheng: tc-001, tc-003, tc-005"
    )
    assert summary[summary.index("not checked (2 figures):") + 1] == (
        "  src_test_web: tc-002, tc-004: no local text for this source (web page)"
    )
    assert summary[-2] == (
        "web-page figures: 0 from official outlets, 2 from unofficial copies "
        "(DOUBTFUL PROVENANCE)"
    )
    assert report.web_figures_by_provenance() == {"official": 0, "unofficial": 2}
    assert summary[-1] == "3 verified, 0 failed, 2 not checked of 5 figures"


def test_id_ranges():
    assert id_ranges(["cn-001", "cn-002", "cn-003", "cn-005", "tc-006"]) == (
        "cn-001–cn-003, cn-005, tc-006"
    )
    assert id_ranges(["tc-009", "tc-010", "yc-011"]) == "tc-009–tc-010, yc-011"
    assert id_ranges([]) == ""


def test_corpus_must_be_a_folder(mini_package, tmp_path):
    with pytest.raises(NotADirectoryError, match="does not exist"):
        verify_sources(tmp_path / "nope", mini_package)


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not available at {SEEDS}")
def test_every_bundled_figure_is_in_its_source():
    report = verify_sources(SEEDS)
    assert report.ok, report.summary()
    sources = {r["source_id"]: r for r in read_csv(DATA / "sources.csv")}
    local = {s for s, r in sources.items() if r["corpus_file"]}
    # Every figure of a source with a local text is verified ...
    assert all(c.ok for c in report.checks if c.source_id in local)
    # ... and every other one (the national web pages) is listed as not checked, with why.
    others = [c for c in report.checks if c.source_id not in local]
    assert others and all(c.status == "not checked" for c in others)
    assert {c.detail for c in others} == {NO_LOCAL_TEXT_WEB}
    summary = report.summary()
    for source, (reason, ids) in report.not_checked_by_source().items():
        assert f"  {source}: {id_ranges(ids)}: {reason}" in summary
    assert f"{len(report.checks) - len(others)} verified, 0 failed" in summary
    # every web-page figure is counted once, by the provenance of its source
    web = report.web_figures_by_provenance()
    assert web == {"official": 165, "unofficial": 106}
    assert sum(web.values()) == len(others)


def test_locator_near_is_one_rule_for_verify_and_diff():
    from dangjian_analysis.curate.provenance import WINDOW, locator_near

    text = "全县非公企业" + "x" * WINDOW + "927家"
    start = text.index("927家")
    assert locator_near(text, start, start + 4, "全县非公企业")
    farther = "全县非公企业" + "x" * (WINDOW + 1) + "927家"
    assert not locator_near(farther, start + 1, start + 5, "全县非公企业")
    assert locator_near(text, start, start + 4, "全县非公企业", window=WINDOW)
    assert not locator_near(text, start, start + 4, "全县非公企业", window=WINDOW - 1)
