"""The briefs' output folder: a forged marker loses nothing, SIGTERM leaves nothing behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from dangjian_analysis.briefs.publish import MARKER, check_output, file_hashes, write_marker
from dangjian_analysis.cli import main

from conftest import KEY_FINDINGS, LIMITS, PARAMETERS, ROOT, copy_data, write_notebook

THESIS = "<html><body>My thesis, three years of work.</body></html>"


def run_cli(capsys, *argv):
    code = main(["briefs", *map(str, argv)])
    return code, capsys.readouterr().err


@pytest.fixture
def one_notebook(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    cells = [("md", "# Alpha"), PARAMETERS, KEY_FINDINGS, LIMITS]
    write_notebook(notebooks / "01_alpha.ipynb", cells)
    return notebooks


@pytest.mark.parametrize(
    "marker",
    [
        {"briefs": ["thesis.html"]},  # the old marker: names only
        {"briefs": ["thesis.html"], "files": {"thesis.html": "0" * 64}},  # a made-up hash
        {"files": ["thesis.html"]},  # not a mapping of hashes
    ],
    ids=["names-only", "wrong-hash", "list"],
)
def test_a_forged_marker_does_not_delete_a_users_file(one_notebook, tmp_path, capsys, marker):
    out = tmp_path / "papers"
    out.mkdir()
    (out / "thesis.html").write_text(THESIS, encoding="utf-8")
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    data = copy_data(tmp_path / "data")
    code, err = run_cli(capsys, "--out", out, "--notebooks", one_notebook, "--data", data)
    assert code == 1
    assert err == (
        f"error: output folder {out} holds files that 'dangjian briefs' did not write: "
        "thesis.html; refusing to replace it (move them elsewhere or choose another --out)\n"
    )
    assert (out / "thesis.html").read_text(encoding="utf-8") == THESIS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "nbs", "papers"]


def test_a_built_file_changed_since_the_build_is_not_replaced(tmp_path):
    from dangjian_analysis.briefs.execute import BriefBuildError

    out = tmp_path / "briefs"
    (out / "zh").mkdir(parents=True)
    (out / "index.html").write_text("index", encoding="utf-8")
    (out / "zh" / "index.html").write_text("索引", encoding="utf-8")
    (out / "zh" / "01_alpha.html").write_text("简报", encoding="utf-8")
    write_marker(out, {"briefs": []})
    recorded = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
    assert recorded == file_hashes(out)
    assert sorted(recorded) == ["index.html", "zh/01_alpha.html", "zh/index.html"]
    check_output(out)  # as built: may be replaced
    (out / "zh" / "index.html").write_text("索引, with my notes", encoding="utf-8")
    (out / "zh" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BriefBuildError, match=r"did not write: zh/index\.html, zh/notes\.txt;"):
        check_output(out)


SLOW_CELL = ("code", "import time\ntime.sleep(120)\n")


def test_sigterm_during_a_build_says_so_and_leaves_no_temporary_folder(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(
        notebooks / "01_slow.ipynb", [("md", "# Slow"), PARAMETERS, SLOW_CELL, KEY_FINDINGS, LIMITS]
    )
    data = copy_data(tmp_path / "data")
    out = tmp_path / "briefs"
    command = [sys.executable, "-m", "dangjian_analysis.cli", "briefs", "--out", str(out)]
    command += ["--notebooks", str(notebooks), "--data", str(data)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        # Wait until the kernel runs the slow cell: the temporary folder exists by then.
        while not list(tmp_path.glob(".briefs.building-*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list(tmp_path.glob(".briefs.building-*")), "the build never started"
        time.sleep(3)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert time.monotonic() - started < 20  # the sleeping cell was not waited for
    assert process.returncode == 143
    assert err == f"terminated: {out} holds the briefs of the last complete build\n"
    # (and no progress bar: stderr is not a terminal)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "nbs"]


def test_ctrl_c_that_reaches_a_worker_thread_still_stops_the_build(monkeypatch, tmp_path):
    """The kernel may hand Ctrl-C to any thread of the process. Python raises the
    KeyboardInterrupt in the main thread, and only when that thread next runs: the builder
    must not wait for the notebooks without a timeout."""
    import threading

    from dangjian_analysis.briefs import execute

    running = threading.Event()
    workers: list[int] = []
    stopped: list[float] = []

    def slow_notebook(nb, name, cwd, parameters, timeout, kernels):
        workers.append(threading.get_ident())
        running.set()
        deadline = time.monotonic() + 60
        while not kernels.stopping.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        stopped.append(time.monotonic())
        return nb

    monkeypatch.setattr(execute, "_execute_one", slow_notebook)

    def interrupt_the_worker() -> None:
        running.wait(30)
        signal.pthread_kill(workers[0], signal.SIGINT)

    sender = threading.Thread(target=interrupt_the_worker, daemon=True)
    sender.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        execute.execute_notebooks(
            [(tmp_path / "01_slow.ipynb", {})],
            cwd=tmp_path,
            parameters={},
            timeout=600,
            workers=1,
            on_done=lambda path, nb: None,
        )
    sender.join(5)
    # The interrupt stops the kernels (here: the stand-in notebook) within seconds, not
    # after the notebook's 60 s. (When it comes while the notebook's thread is starting,
    # the build stops without waiting for the thread, which then ends on its own.)
    deadline = time.monotonic() + 10
    while not stopped and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stopped and stopped[0] - started < 10
