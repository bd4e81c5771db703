from __future__ import annotations

import pytest

from dangjian_analysis import normalize_text, verify_sources
from dangjian_analysis.provenance import check_figure
from dangjian_analysis.textnorm import strip_pinyin_annotations

from conftest import SEEDS


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
    assert report.ok
    assert "0 verified, 0 failed, 5 not checked of 5 figures" in report.summary()


def test_corpus_must_be_a_folder(mini_package, tmp_path):
    with pytest.raises(NotADirectoryError, match="does not exist"):
        verify_sources(tmp_path / "nope", mini_package)


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not available at {SEEDS}")
def test_every_bundled_figure_is_in_its_source():
    report = verify_sources(SEEDS)
    assert report.ok, report.summary()
    assert all(c.ok for c in report.checks)
