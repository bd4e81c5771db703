"""The README's make targets run what they say (checked with make -n, which runs nothing)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(*args: str) -> list[str]:
    """The commands ``make ARGS`` would run, one a line (the .venv set-up included)."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_briefs_runs_on_the_data_given():
    lines = dry_run("briefs", "DATA=my/data")
    assert ".venv/bin/dangjian validate --data my/data" in lines
    assert ".venv/bin/dangjian briefs --data my/data" in lines
    plain = [line.rstrip() for line in dry_run("briefs")]
    assert ".venv/bin/dangjian validate" in plain and ".venv/bin/dangjian briefs" in plain
    assert not any("--data" in line for line in plain)


def test_setting_up_the_environment_says_so():
    lines = dry_run("--always-make", "env")
    assert any(line.startswith('echo "setting up .venv: installing') for line in lines)


def test_test_runs_everything_in_parallel_and_test_fast_leaves_out_the_slow_tests():
    full = dry_run("test")
    for command in ("ruff check .", "lint-imports --no-cache", "dangjian docs --check"):
        assert any(line.endswith(command) for line in full), command
    assert ".venv/bin/python -m pytest -n auto" in full
    assert dry_run("test", "TEST_JOBS=1")[-1] == ".venv/bin/python -m pytest -n 1"
    fast = dry_run("test-fast")
    assert fast[-1] == '.venv/bin/python -m pytest -n auto -m "not slow"'


def test_lab_opens_no_browser_and_prints_where_to_go():
    lines = dry_run("lab")
    (start,) = [line for line in lines if "jupyter lab notebooks/" in line]
    assert "--no-browser" in start
    assert "--allow-root" in start  # added only when run as root
    assert any("open the http://127.0.0.1" in line for line in lines)
