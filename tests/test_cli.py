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
    (tmp_path / "docs").mkdir()
    for name in ("docs/data.md",):
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


COMMANDS = ["validate", "verify-sources", "docs", "info", "extract", "extract-recall", "briefs"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_examples_and_exit_statuses(command, capsys):
    argv = ["--help"] if command is None else [command, "--help"]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    examples = out[out.index("\nexamples:\n") :]
    shown = [line.split()[1] for line in examples.splitlines() if line.startswith("  dangjian ")]
    assert shown, "no example"
    assert set(shown) <= set(COMMANDS)
    if command is not None:
        assert set(shown) == {command}
    statuses = out[out.index("\nexit status:\n") :].splitlines()[1:]
    codes = [line.split()[0] for line in statuses if line[:5].strip().isdigit()]
    assert codes[:2] == ["0", "1"] and "2" in codes


def test_every_command_has_its_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert f"    {command}" in out


def test_briefs_show_a_progress_bar_only_on_a_terminal(monkeypatch, tmp_path, capsys):
    from dangjian_analysis.briefs import build

    calls = []

    def fake_build(out, **kwargs):
        calls.append(kwargs)
        raise build.BriefBuildError("stop here")

    monkeypatch.setattr(build, "build_briefs", fake_build)
    assert main(["briefs", "--out", str(tmp_path / "b")]) == 1
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert main(["briefs", "--out", str(tmp_path / "b")]) == 1
    assert [c["progress"] for c in calls] == [False, True]
    assert "error: stop here" in capsys.readouterr().err


def test_build_briefs_shows_a_progress_bar_by_default_only_on_a_terminal(
    mini_package, tmp_path, monkeypatch
):
    from dangjian_analysis.briefs import build

    from conftest import ALPHA_CELLS, write_notebook

    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks / "01_alpha.ipynb", ALPHA_CELLS)
    seen = []

    def stop(loaded, folder, data_dir, *, timeout, workers, progress):
        seen.append(progress)
        raise build.BriefBuildError("stop before any kernel starts")

    monkeypatch.setattr(build, "_execute_all", stop)
    for tty in (False, True):
        monkeypatch.setattr("sys.stderr.isatty", lambda tty=tty: tty, raising=False)
        with pytest.raises(build.BriefBuildError):
            build.build_briefs(tmp_path / "out", notebooks=notebooks, data=mini_package)
    with pytest.raises(build.BriefBuildError):
        build.build_briefs(tmp_path / "out", notebooks=notebooks, data=mini_package, progress=True)
    assert seen == [False, True, True]
