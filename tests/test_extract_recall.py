from __future__ import annotations

import pytest

from dangjian_analysis import extraction_recall
from dangjian_analysis.curate.recall import MIN_RECALL

from conftest import SEEDS


def test_recall_of_the_mini_package(mini_package, mini_corpus):
    report = extraction_recall(mini_corpus, mini_package)
    assert (report.figures, report.found, report.recall) == (5, 5, 1.0)
    assert report.misses == ()
    (source,) = report.sources
    assert (source.source_id, source.encoding, source.candidates) == ("src_tongcheng", "UTF-8", 5)


def test_misses_say_why(edit_figures, mini_corpus):
    edit_figures("tc-001", "locator", "别处的短语")
    edit_figures("tc-002", "raw", "72.5%")
    edit_figures("tc-002", "value", "0.725")
    edit_figures("tc-002", "lower", "0.725")
    path = edit_figures("tc-002", "upper", "0.725")
    report = extraction_recall(mini_corpus, path)
    assert report.found == 3
    reasons = {m.figure_id: m.reason for m in report.misses}
    assert reasons["tc-001"].startswith("1 candidate(s) with this raw, none with the locator")
    assert reasons["tc-002"] == "no candidate with this raw"
    assert "missed tc-002 (src_tongcheng) '72.5%' near '测试覆盖率'" in report.summary()


def test_a_missing_corpus_file_counts_as_missed(mini_package, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    report = extraction_recall(empty, mini_package)
    assert (report.figures, report.found) == (5, 0)
    assert all("does not exist" in m.reason for m in report.misses)


def test_corpus_must_be_a_folder(mini_package, tmp_path):
    with pytest.raises(NotADirectoryError, match="does not exist"):
        extraction_recall(tmp_path / "nope", mini_package)


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not available at {SEEDS}")
def test_recall_on_the_source_texts():
    report = extraction_recall(SEEDS)
    print(report.summary())
    assert report.figures == 186
    assert report.recall >= MIN_RECALL, report.summary()
