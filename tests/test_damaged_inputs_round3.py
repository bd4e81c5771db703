"""Bad and hostile input, third round (issue #24): each case with its exact input.

Every case ends in one clear line naming the file (and row and column where there is
one), a correct result or a refusal: never silence, a traceback or a lost file. The
validation rules (counts, shares, factors, keys, versions) have their rows in
tests/test_named_checks.py; the parser's words in tests/test_quantity_words.py.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dangjian_analysis import DataValidationError, validate
from dangjian_analysis.cli import main
from dangjian_analysis.curate import corpus as ec
from dangjian_analysis.curate.corpus import extract_corpus, progress_path
from dangjian_analysis.text.files import (
    NotRegularFileError,
    atomic_write_bytes,
    atomic_write_text,
    check_output,
    path_kind,
)

from conftest import MINI_ARTICLE, ROOT


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([*map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        validate(path)
    return [str(p) for p in info.value.problems]


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(MINI_ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(4):
        (folder / f"a{i}.txt").write_text(MINI_ARTICLE + f"第{i}篇。", encoding="utf-8")
    return folder


# ---- --out: only a regular file or a new path ------------------------------------------------


def special_outputs(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    target = tmp_path / "target.csv"
    target.write_text("the user's own file\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    stdout_link = tmp_path / "stdout.csv"
    stdout_link.symlink_to("/proc/self/fd/1")
    return {
        "/dev/full": Path("/dev/full"),
        "/dev/null": Path("/dev/null"),
        "a FIFO": fifo,
        "a link to a file": link,
        "a link to /proc/self/fd/1": stdout_link,
    }


@pytest.mark.parametrize(
    "name",
    ["/dev/full", "/dev/null", "a FIFO", "a link to a file", "a link to /proc/self/fd/1"],
)
@pytest.mark.parametrize("mode", ["one article", "corpus"])
def test_out_never_replaces_a_special_file_or_a_link(
    tmp_path, capsys, article, corpus, name, mode
):
    out = special_outputs(tmp_path)[name]
    before = os.lstat(out)
    source = article if mode == "one article" else corpus
    code, _, err = cli(capsys, "extract", source, "--out", out, "--force")
    assert code == 1
    line = err.strip()
    assert line.startswith(f"error: {out} is ")
    assert "\n" not in line
    assert "only ever written to a regular file or a new path" in line or (
        "is a symbolic link; give the path of a regular file or a new one" in line
    )
    after = os.lstat(out)
    assert (stat.S_IFMT(after.st_mode), after.st_ino) == (
        stat.S_IFMT(before.st_mode),
        before.st_ino,
    )
    if name == "a link to a file":
        assert (tmp_path / "target.csv").read_text(encoding="utf-8") == "the user's own file\n"
    assert not progress_path(out).exists() or name.startswith("/dev")


def test_out_to_a_device_names_what_it_is(tmp_path, capsys, article):
    code, _, err = cli(capsys, "extract", article, "--out", "/dev/full", "--force")
    assert code == 1
    assert err == (
        "error: /dev/full is a character device, not a regular file; an output is only ever "
        "written to a regular file or a new path\n"
    )
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_out_to_a_regular_file_or_a_new_path_still_works(tmp_path, capsys, article):
    new = tmp_path / "new" / "out.csv"
    assert cli(capsys, "extract", article, "--out", new)[0] == 0
    assert new.read_text(encoding="utf-8").startswith("figure_id,")
    assert cli(capsys, "extract", article, "--out", new)[0] == 1  # exists, no --force
    assert cli(capsys, "extract", article, "--out", new, "--force")[0] == 0


def test_the_atomic_writers_keep_the_rule(tmp_path):
    out = tmp_path / "a.txt"
    atomic_write_text(out, "一\n")
    atomic_write_bytes(out, b"two\n")
    assert out.read_bytes() == b"two\n"
    with pytest.raises(FileExistsError):
        atomic_write_bytes(out, b"three\n", overwrite=False)
    link = tmp_path / "link.txt"
    link.symlink_to(out)
    with pytest.raises(NotRegularFileError, match="is a symbolic link"):
        atomic_write_text(link, "through the link")
    with pytest.raises(IsADirectoryError):
        check_output(tmp_path, overwrite=True)
    assert check_output(tmp_path, overwrite=True, folder=True) == tmp_path
    assert out.read_bytes() == b"two\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# ---- --resume checks its progress file -------------------------------------------------------


def interrupted_run(corpus: Path, out: Path, monkeypatch, after: int = 2) -> None:
    real = ec.extract_article
    done: list[str] = []

    def interrupted(item, **kwargs):
        if len(done) == after:
            raise KeyboardInterrupt
        done.append(item.id)
        return real(item, **kwargs)

    monkeypatch.setattr(ec, "extract_article", interrupted)
    with pytest.raises(KeyboardInterrupt):
        extract_corpus([corpus], out, jobs=1)
    monkeypatch.setattr(ec, "extract_article", real)


def test_a_forged_progress_line_is_refused(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    interrupted_run(corpus, out, monkeypatch)
    forged = {"article": str(corpus / "a0.txt"), "rows": 1, "csv": "garbage\n"}
    with progress_path(out).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(forged) + "\n")
    with pytest.raises(ValueError) as info:
        extract_corpus([corpus], out, jobs=1, resume=True)
    assert str(info.value) == (
        f"{progress_path(out)}, line 4: no size and sha256 for {str(corpus / 'a0.txt')!r}; "
        "the progress file cannot be trusted: give --force to start again"
    )
    assert not out.exists()


def test_forged_rows_with_a_hash_are_refused_too(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    interrupted_run(corpus, out, monkeypatch)
    lines = progress_path(out).read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[1])
    entry["csv"] = "garbage\n"
    entry["rows"] = 1
    lines[1] = json.dumps(entry, ensure_ascii=False)
    progress_path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: a CSV row that is not a row of .* 'garbage'"):
        extract_corpus([corpus], out, jobs=1, resume=True)


def test_a_broken_json_line_is_named_not_skipped(corpus, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.csv"
    interrupted_run(corpus, out, monkeypatch)
    lines = progress_path(out).read_text(encoding="utf-8").splitlines()
    lines.insert(2, '{"article": "a1.txt", "rows": ')
    progress_path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = cli(capsys, "extract", corpus, "--out", out, "--resume", "-j", "1")
    assert code == 1
    assert err.startswith(f"error: {progress_path(out)}, line 3: not JSON (")
    assert err.rstrip().endswith("give --force to start again")


def test_an_article_edited_after_the_interruption_is_extracted_again(
    corpus, tmp_path, monkeypatch
):
    out, fresh = tmp_path / "out.csv", tmp_path / "fresh.csv"
    interrupted_run(corpus, out, monkeypatch)
    (corpus / "a0.txt").write_text("测试企业共有600家。", encoding="utf-8")  # finished, then edited
    report = extract_corpus([corpus], out, jobs=1, resume=True)
    assert report.resumed == 1
    assert report.changed == [str(corpus / "a0.txt")]
    assert "1 changed since and extracted again" in report.summary()
    extract_corpus([corpus], fresh, jobs=1)
    assert out.read_bytes() == fresh.read_bytes()
    assert "600家" in out.read_text(encoding="utf-8")


def test_a_progress_file_of_the_older_format_is_refused(corpus, tmp_path):
    out = tmp_path / "out.csv"
    header = {"format": "dangjian-extract-progress", "source_id": "", "region_id": ""}
    progress_path(out).write_text(json.dumps(header) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="another version of dangjian extract"):
        extract_corpus([corpus], out, jobs=1, resume=True)


# ---- special files, link loops and links out of the package -----------------------------------


@pytest.mark.parametrize(
    ("make", "found"),
    [
        (lambda p: os.mkfifo(p), "a FIFO (named pipe)"),
        (lambda p: p.symlink_to("/dev/zero"), "a character device"),
        (lambda p: p.symlink_to("/dev/urandom"), "a character device"),
        (lambda p: p.symlink_to(p.name), "a symbolic link loop"),
        (lambda p: p.symlink_to(p.parent / "nowhere.csv"), "a broken symbolic link"),
    ],
    ids=["fifo", "dev-zero", "dev-urandom", "link-loop", "broken-link"],
)
def test_special_files_as_figures_csv_are_named_as_what_they_are(mini_package, make, found):
    path = mini_package / "figures.csv"
    path.unlink()
    make(path)
    assert problems_of(mini_package) == [f"figures.csv: expected the figures table, found {found}"]


def test_a_link_out_of_the_package_is_refused_without_printing_its_target(
    mini_package, tmp_path
):
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:the first line of a private file\n", encoding="utf-8")
    path = mini_package / "figures.csv"
    path.unlink()
    path.symlink_to(secret)
    (problem,) = problems_of(mini_package)
    assert problem == (
        "figures.csv: expected the figures table, found a symbolic link to a file outside "
        "the package folder (not read)"
    )
    assert "root" not in problem


def test_etc_passwd_as_figures_csv_prints_none_of_it(mini_package, capsys):
    path = mini_package / "figures.csv"
    path.unlink()
    path.symlink_to("/etc/passwd")
    code, _, err = cli(capsys, "validate", "--data", mini_package)
    assert code == 1
    first_line = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    assert first_line not in err
    assert "root:" not in err
    assert "outside the package folder" in err


def test_a_link_inside_the_package_folder_is_followed(mini_package):
    (mini_package / "figures.csv").rename(mini_package / "figures-real.csv")
    (mini_package / "figures.csv").symlink_to("figures-real.csv")
    validate(mini_package)


def test_special_articles_are_named_as_what_they_are(corpus, tmp_path):
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "loop.txt").symlink_to("loop.txt")
    report = extract_corpus([corpus], tmp_path / "out.csv", jobs=1)
    reasons = dict(report.skipped)
    pipe = corpus / "pipe.txt"
    assert reasons[str(pipe)] == f"article {pipe} is a FIFO (named pipe), not a file"
    assert reasons[str(corpus / "loop.txt")] == (
        f"article {corpus / 'loop.txt'} is a symbolic link loop, not a file"
    )
    assert path_kind(corpus / "pipe.txt") == "a FIFO (named pipe)"


def test_a_looping_input_is_named(tmp_path, capsys):
    loop = tmp_path / "loop.txt"
    loop.symlink_to("loop.txt")
    code, _, err = cli(capsys, "extract", loop, tmp_path, "--out", tmp_path / "o.csv")
    assert (code, err) == (1, f"error: {loop} is a symbolic link loop\n")


# ---- broken pipes ----------------------------------------------------------------------------


def test_a_closed_stdout_ends_the_run_without_claiming_rows(tmp_path):
    records = tmp_path / "big.jsonl"
    with records.open("w", encoding="utf-8") as fh:
        for i in range(400):
            fh.write(json.dumps({"id": i, "text": MINI_ARTICLE * 20}, ensure_ascii=False) + "\n")
    run = subprocess.run(
        f"{sys.executable} -m dangjian_analysis.cli extract {records} -j 1 | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        executable="/bin/bash",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.stdout.startswith("article,")
    assert run.stderr == "stopped: stdout was closed before the output was complete\n"
    status = subprocess.run(
        f"set -o pipefail; {sys.executable} -m dangjian_analysis.cli extract {records} -j 1 "
        "| head -1 > /dev/null",
        shell=True,
        capture_output=True,
        cwd=ROOT,
        executable="/bin/bash",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert status.returncode == 141


# ---- verify-sources ----------------------------------------------------------------------------


def corpus_for(source_file: str, folder: Path) -> Path:
    from conftest import DATA, read_csv

    folder.mkdir(exist_ok=True)
    (src,) = [r for r in read_csv(DATA / "sources.csv") if r["source_id"] == source_file]
    return folder / src["corpus_file"]


def test_an_unreadable_source_file_is_reported_once(mini_package, tmp_path):
    from dangjian_analysis.curate.provenance import verify_sources

    file = corpus_for("src_tongcheng", tmp_path / "corpus")
    file.write_bytes(b"\x00\x01binary")
    report = verify_sources(tmp_path / "corpus", mini_package)
    lines = report.summary().splitlines()
    unreadable = [line for line in lines if "corpus file unreadable" in line and "  " in line[:2]]
    assert unreadable == [
        f"  src_tongcheng: corpus file unreadable: article {file} looks binary: NUL byte at "
        "offset 0 (5 figures: tc-001–tc-005)"
    ]


def test_a_source_file_that_is_a_fifo_is_reported_once(mini_package, tmp_path):
    from dangjian_analysis.curate.provenance import verify_sources

    file = corpus_for("src_tongcheng", tmp_path / "corpus")
    os.mkfifo(file)
    summary = verify_sources(tmp_path / "corpus", mini_package).summary()
    assert f"article {file} is a FIFO (named pipe), not a file (5 figures" in summary
    assert summary.count("FIFO") == 1


@pytest.mark.parametrize("misread_as", ["gb18030", "latin-1"])
def test_a_double_encoded_source_gets_a_hint(mini_package, tmp_path, misread_as):
    from dangjian_analysis.curate.provenance import verify_sources

    file = corpus_for("src_tongcheng", tmp_path / "corpus")
    # Enough Chinese text to tell, written for the test, then double-encoded.
    text = MINI_ARTICLE + "测试企业的党组织建设情况良好，党员人数逐年增加。" * 3
    file.write_text(text.encode("utf-8").decode(misread_as, errors="replace"), encoding="utf-8")
    report = verify_sources(tmp_path / "corpus", mini_package)
    assert not report.ok
    (hint,) = [line for line in report.summary().splitlines() if "hint" in line]
    assert hint.startswith(
        f"  src_tongcheng: hint: the text looks double-encoded (UTF-8 bytes read as "
        f"{'GBK or GB18030' if misread_as == 'gb18030' else misread_as} and saved again)"
    )
    assert "'测试企业共有500家" in hint


def test_no_hint_for_a_text_that_is_simply_different(mini_package, tmp_path):
    from dangjian_analysis.curate.provenance import verify_sources

    file = corpus_for("src_tongcheng", tmp_path / "corpus")
    file.write_text("这是一篇与数字无关的测试文章，内容完全不同。" * 5, encoding="utf-8")
    report = verify_sources(tmp_path / "corpus", mini_package)
    assert not report.ok
    assert report.hints == ()


def test_a_folder_output_is_swapped_in_whole_and_never_through_a_link(tmp_path):
    from dangjian_analysis.text.files import atomic_output

    out = tmp_path / "parts"
    with atomic_output(out, folder=True) as staging:
        (staging / "a.parquet").write_text("1", encoding="utf-8")
    assert [p.name for p in out.iterdir()] == ["a.parquet"]
    with pytest.raises(FileExistsError), atomic_output(out, overwrite=False, folder=True):
        pass
    with pytest.raises(KeyboardInterrupt), atomic_output(out, folder=True) as staging:
        (staging / "half.parquet").write_text("2", encoding="utf-8")
        raise KeyboardInterrupt
    assert [p.name for p in out.iterdir()] == ["a.parquet"]  # the old output, untouched
    with atomic_output(out, folder=True) as staging:
        (staging / "b.parquet").write_text("3", encoding="utf-8")
    assert [p.name for p in out.iterdir()] == ["b.parquet"]
    link = tmp_path / "link"
    link.symlink_to(out)
    with pytest.raises(NotRegularFileError, match="is a symbolic link"):
        with atomic_output(link, folder=True):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "parts"]
