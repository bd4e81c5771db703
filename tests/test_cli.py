from __future__ import annotations

import shutil

import pytest

from dangjian_analysis.cli import main

from conftest import ROOT


def test_validate_ok(mini_package, capsys):
    assert main(["validate", "--data", str(mini_package)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"valid: data package {mini_package}")
    assert "5 figures" in out


def test_validate_reports_problems(edit_figures, capsys):
    path = edit_figures("tc-001", "region_id", "atlantis")
    assert main(["validate", "--data", str(path)]) == 1
    err = capsys.readouterr().err
    assert "figures.csv, row 1 (line 2, figure_id=tc-001), column 'region_id'" in err


def test_validate_missing_folder(tmp_path, capsys):
    assert main(["validate", "--data", str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err.strip().endswith("does not exist")


def test_verify_sources(mini_package, mini_corpus, capsys):
    assert main(["verify-sources", "--corpus", str(mini_corpus), "--data", str(mini_package)]) == 0
    assert "5 verified, 0 failed" in capsys.readouterr().out


def test_verify_sources_names_the_missing_figure(edit_figures, mini_corpus, capsys):
    path = edit_figures("tc-002", "locator", "别处")
    assert main(["verify-sources", "--corpus", str(mini_corpus), "--data", str(path)]) == 1
    assert "tc-002 (src_tongcheng): locator not near raw" in capsys.readouterr().out


def test_verify_sources_requires_corpus(capsys):
    with pytest.raises(SystemExit) as info:
        main(["verify-sources"])
    assert info.value.code == 2
    assert "--corpus" in capsys.readouterr().err


def test_docs_check_detects_stale_docs(tmp_path, capsys):
    for name in ("README.md",):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    assert main(["docs", "--check", "--root", str(tmp_path)]) == 1
    assert "stale generated docs" in capsys.readouterr().err
    assert main(["docs", "--root", str(tmp_path)]) == 0
    assert main(["docs", "--check", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "docs" / "data-dictionary.md").is_file()


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dangjian-analysis ")
    assert "data version" in out
