"""Extracting a corpus into one table; every text here is written for the tests."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dangjian_analysis.cli import main
from dangjian_analysis.curate import corpus as ec
from dangjian_analysis.curate.corpus import (
    CORPUS_COLUMNS,
    extract_corpus,
    html_text,
    is_corpus,
    progress_path,
    read_html,
)
from dangjian_analysis.curate.extract import (
    CANDIDATE_COLUMNS,
    _fmt,
    candidates_csv,
    extract_candidates,
)

from conftest import SEEDS

TEXTS = {
    "a.txt": "测试县2021年共有企业300家,党组织覆盖率达到80%。\n乙地党员1,200名。",
    "b/c.txt": "全市兩新黨組織1200餘個，黨員12000多名。",
    "b/d.txt": "这一篇没有数字。",
    "e.txt": "2012年企业10家。\n党员20名,发展新党员5名。",
}
PAGE = (
    "<!doctype html><html><head><meta charset='gb2312'><title>标题100家</title>"
    "<style>p{color:red}</style></head><body><script>var x='5家';</script>"
    "<p>测试园区企业&nbsp;300家，\n  党员1,200名。</p><div>2014年底覆盖率80%</div></body></html>"
)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    for name, text in TEXTS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "b" / "page.html").write_bytes(PAGE.encode("gb18030"))
    (folder / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.md").write_text("企业5家", encoding="utf-8")  # not an article
    return folder


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def single_rows(text: str) -> list[dict[str, str]]:
    return table(candidates_csv(extract_candidates(text)))


def by_article(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        article = row.pop("article")
        out.setdefault(article, []).append(row)
    return out


# ---- what is a corpus -------------------------------------------------------------------


def test_one_text_file_written_as_csv_is_not_a_corpus(corpus, tmp_path):
    assert not is_corpus([corpus / "a.txt"])
    assert not is_corpus([corpus / "a.txt"], tmp_path / "out.csv")
    assert is_corpus([corpus / "a.txt"], tmp_path / "out.parquet")
    assert is_corpus([corpus])
    assert is_corpus([corpus / "a.txt", corpus / "e.txt"])
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text("", encoding="utf-8")
    assert is_corpus([jsonl])


# ---- the table --------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_folder_gives_one_table_in_order_and_reports_what_it_skipped(corpus, tmp_path, jobs):
    out = tmp_path / "out" / "candidates.csv"
    report = extract_corpus([corpus], out, jobs=jobs)
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(CORPUS_COLUMNS)
    rows = table(text)
    order = list(dict.fromkeys(r["article"] for r in rows))
    assert order == [str(corpus / n) for n in ("a.txt", "b/c.txt", "b/page.html", "e.txt")]
    found = by_article(rows)
    for name, source in TEXTS.items():
        assert found.get(str(corpus / name), []) == single_rows(source), name
    assert [r["raw"] for r in found[str(corpus / "b/page.html")]] == ["300家", "1,200名", "80%"]
    assert report.articles == 5  # b/d.txt has no figure but was read
    assert report.candidates == len(rows)
    binary, empty = corpus / "binary.txt", corpus / "empty.txt"
    assert report.skipped == [
        (str(binary), f"article {binary} looks binary: NUL byte at offset 4"),
        (str(empty), f"article {empty} is empty"),
    ]
    assert "skipped 2 articles:" in report.summary()
    assert not progress_path(out).exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["candidates.csv"]  # no temp file


def test_two_jobs_in_batches_of_two_give_the_table_of_one_job(corpus, tmp_path, monkeypatch):
    # The worker processes get the articles in batches; small batches split this corpus
    # of 7 articles into 4, which may finish in any order.
    monkeypatch.setattr(ec, "_BATCH_ARTICLES", 2)
    batches = list(ec._batches(ec.find_articles([corpus])))
    assert [len(b) for b in batches] == [2, 2, 2, 1]
    one = extract_corpus([corpus], tmp_path / "one.csv", jobs=1)
    two = extract_corpus([corpus], tmp_path / "two.csv", jobs=2)
    assert (tmp_path / "two.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
    assert (two.articles, two.candidates) == (one.articles, one.candidates)
    assert two.skipped == one.skipped
    assert two.jobs == 2


def test_a_small_corpus_goes_out_in_small_batches(corpus, tmp_path, monkeypatch):
    # At least four batches a process: 7 articles for 2 processes make batches of one.
    sent = []
    real = ec._batches

    def batches(articles, most=ec._BATCH_ARTICLES):
        for batch in real(articles, most):
            sent.append(len(batch))
            yield batch

    monkeypatch.setattr(ec, "_batches", batches)
    extract_corpus([corpus], tmp_path / "two.csv", jobs=2)
    assert sent == [1] * 7
    assert [len(b) for b in real(ec.find_articles([corpus]), 3)] == [3, 3, 1]


def test_batches_close_at_a_size_in_bytes(corpus, monkeypatch):
    monkeypatch.setattr(ec, "_BATCH_BYTES", 12)
    batches = list(ec._batches(ec.find_articles([corpus])))
    sizes = {str(p.relative_to(corpus)): p.stat().st_size for p in corpus.rglob("*.txt")}
    assert sizes["b/d.txt"] > 12 and sizes["empty.txt"] == 0
    # Every article but the empty one (the last) fills a batch by itself.
    assert [len(b) for b in batches] == [1] * 7


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not available at {SEEDS}")
def test_the_source_texts_as_a_folder_give_what_single_runs_give(tmp_path, capsys):
    out = tmp_path / "all.csv"
    assert main(["extract", str(SEEDS), "--out", str(out), "-j", "2"]) == 0
    found = by_article(table(out.read_text(encoding="utf-8")))
    files = sorted(SEEDS.glob("*.txt"))
    assert list(found) == [str(p) for p in files]
    for path in files:
        single = tmp_path / f"{path.stem}.csv"
        assert main(["extract", str(path), "--out", str(single)]) == 0
        assert found[str(path)] == table(single.read_text(encoding="utf-8"))
    assert f"from {len(files)} articles" in capsys.readouterr().err


def test_json_lines_records(tmp_path):
    records = tmp_path / "records.jsonl"
    lines = [
        json.dumps({"id": "r1", "text": TEXTS["a.txt"]}, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"id": 2, "text": TEXTS["e.txt"]}, ensure_ascii=False),
        json.dumps({"text": "企业5家"}, ensure_ascii=False),
        json.dumps({"id": "r3"}),
        json.dumps({"id": "r1", "text": "企业7家"}, ensure_ascii=False),
        json.dumps({"id": "r4", "text": "  "}),
        json.dumps({"id": "r5", "text": "党员500名\x1b"}),
    ]
    records.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8") + b"\n\xff\n")
    out = tmp_path / "out.csv"
    report = extract_corpus([records], out)
    found = by_article(table(out.read_text(encoding="utf-8")))
    assert list(found) == ["r1", "2"]
    assert found["r1"] == single_rows(TEXTS["a.txt"])
    assert found["2"] == single_rows(TEXTS["e.txt"])
    assert report.skipped == [
        (f"{records}:3", f"line 3 of {records} is not JSON: Expecting property name enclosed "
         "in double quotes"),
        (f"{records}:5", f"line 5 of {records} has no id (a string or number)"),
        ("r3", f"record 'r3' ({records}:6) has no text (a string)"),
        ("r1#2", "r1 again: articles and ids must be unique"),
        ("r4", "record 'r4' is empty"),
        ("r5", "record 'r5' is not plain text: control character U+001B at character 6"),
        (f"{records}:10", f"line 10 of {records} is not UTF-8 (invalid start byte)"),
    ]  # fmt: skip


def test_parquet_has_the_csv_rows_with_typed_numbers(corpus, tmp_path):
    import pyarrow.parquet as pq

    extract_corpus([corpus], tmp_path / "out.csv", jobs=1)
    extract_corpus([corpus], tmp_path / "out.parquet", jobs=1)
    parquet = pq.read_table(tmp_path / "out.parquet")
    assert parquet.column_names == list(CORPUS_COLUMNS)
    assert str(parquet.schema.field("value").type) == "double"
    assert str(parquet.schema.field("offset").type) == "int64"
    rows = table((tmp_path / "out.csv").read_text(encoding="utf-8"))
    assert parquet.num_rows == len(rows)
    as_text = [
        {k: _fmt(v) if isinstance(v, float) else "" if v is None else str(v) for k, v in r.items()}
        for r in parquet.to_pylist()
    ]
    assert as_text == rows


def test_csv_to_stdout_with_a_bom(corpus):
    buffer = io.BytesIO()
    report = extract_corpus([corpus / "a.txt", corpus / "e.txt"], None, bom=True, stdout=buffer)
    data = buffer.getvalue()
    assert data.startswith(b"\xef\xbb\xbfarticle,figure_id,")
    assert len(table(data.decode("utf-8-sig"))) == report.candidates == 6


# ---- never overwriting, resuming --------------------------------------------------------


def test_out_is_never_overwritten_without_force(corpus, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("curator's notes\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="exists; give --force to overwrite it"):
        extract_corpus([corpus], out)
    assert out.read_text(encoding="utf-8") == "curator's notes\n"
    assert not progress_path(out).exists()
    extract_corpus([corpus], out, force=True)
    assert out.read_text(encoding="utf-8").startswith("article,")


def test_a_file_created_during_the_run_is_not_overwritten(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    real = ec.extract_article

    def meanwhile(article, **kwargs):
        if not out.exists():
            out.write_text("written by someone else\n", encoding="utf-8")
        return real(article, **kwargs)

    monkeypatch.setattr(ec, "extract_article", meanwhile)
    with pytest.raises(FileExistsError, match="was created while extracting; give --force"):
        extract_corpus([corpus], out, jobs=1)
    assert out.read_text(encoding="utf-8") == "written by someone else\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    # The work is kept: resuming with --force writes it without extracting again.
    monkeypatch.setattr(ec, "extract_article", fail_if_called)
    report = extract_corpus([corpus], out, jobs=1, resume=True, force=True)
    assert report.resumed == 7
    assert out.read_text(encoding="utf-8").startswith("article,")


def fail_if_called(article, **kwargs):
    raise AssertionError(f"{article.id} extracted again")


def test_an_interrupted_run_resumes_without_redoing_finished_articles(
    corpus, tmp_path, monkeypatch
):
    out = tmp_path / "out.csv"
    full = tmp_path / "full.csv"
    extract_corpus([corpus], full, jobs=1)
    real = ec.extract_article
    calls: list[str] = []

    def interrupted(article, **kwargs):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(article.id)
        return real(article, **kwargs)

    monkeypatch.setattr(ec, "extract_article", interrupted)
    with pytest.raises(KeyboardInterrupt):
        extract_corpus([corpus], out, jobs=1)
    assert not out.exists()
    assert progress_path(out).exists()
    # A line cut short by the interruption is dropped.
    with progress_path(out).open("ab") as fh:
        fh.write(b'{"article": "half a li')
    with pytest.raises(FileExistsError, match="give --resume to continue it or --force"):
        extract_corpus([corpus], out, jobs=1)
    with pytest.raises(ValueError, match="written with other options"):
        extract_corpus([corpus], out, jobs=1, resume=True, source_id="src_other")
    again: list[str] = []

    def counted(article, **kwargs):
        again.append(article.id)
        return real(article, **kwargs)

    monkeypatch.setattr(ec, "extract_article", counted)
    report = extract_corpus([corpus], out, jobs=1, resume=True)
    assert report.resumed == 3
    assert not set(again) & set(calls)
    assert len(again) == 4
    assert out.read_bytes() == full.read_bytes()
    assert not progress_path(out).exists()


def test_force_starts_an_interrupted_run_again(corpus, tmp_path):
    out = tmp_path / "out.csv"
    progress_path(out).write_text("left over\n", encoding="utf-8")
    extract_corpus([corpus], out, force=True)
    assert out.read_text(encoding="utf-8").startswith("article,")


# ---- HTML ---------------------------------------------------------------------------------


def test_html_text_is_what_a_reader_sees():
    assert html_text(PAGE) == "测试园区企业\xa0300家， 党员1,200名。\n2014年底覆盖率80%"
    assert html_text("<p>一<br>二</p><pre>三\n  四</pre><ul><li>五</li><li>六</li></ul>") == (
        "一\n二\n三\n四\n五\n六"
    )
    assert html_text("<head><title>x</title><body><p>企业5家</p>") == "企业5家"  # no </head>
    assert html_text("<p>A &amp; B &lt;3&gt; &#20225;&#19994;</p>") == "A & B <3> 企业"


def test_read_html_encodings(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(PAGE.encode("gb18030"))
    assert read_html(page)[1] == "GB18030"  # declared gb2312, read as its superset
    page.write_bytes(PAGE.replace("gb2312", "utf-8").encode("utf-8"))
    assert read_html(page) == (html_text(PAGE), "utf-8")
    page.write_bytes(b"<p>\x00</p>")
    with pytest.raises(ec.ArticleError, match="looks binary"):
        read_html(page)
    page.write_bytes(b"<script>only</script>")
    with pytest.raises(ec.ArticleError, match="has no text"):
        read_html(page)


# ---- command line -----------------------------------------------------------------------


def test_cli_corpus_run(corpus, tmp_path, capsys):
    out = tmp_path / "out.parquet"
    assert main(["extract", str(corpus), "--out", str(out), "-j", "1", "--source-id", "src_x"]) == 0
    err = capsys.readouterr().err
    assert "extracted 11 candidates from 5 articles" in err
    assert f"wrote 11 rows to {out}" in err
    assert "skipped 2 articles:" in err
    assert main(["extract", str(corpus), "--out", str(out)]) == 1
    assert capsys.readouterr().err == f"error: {out} exists; give --force to overwrite it\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--diff"], "--diff and --new-only work on one article at a time"),
        (["--source-id", "bad id"], "source_id 'bad id' does not match"),
        (["--resume"], "--resume needs --out"),
    ],
)
def test_cli_corpus_usage_errors(corpus, capsys, args, message):
    assert main(["extract", str(corpus), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.startswith("error: ") and err.count("\n") == 1


def test_cli_single_article_refuses_corpus_options(corpus, capsys):
    assert main(["extract", str(corpus / "a.txt"), "--resume"]) == 1
    assert "--resume needs a corpus" in capsys.readouterr().err


def test_cli_missing_input(tmp_path, capsys):
    assert main(["extract", str(tmp_path), str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope'} does not exist\n"


def test_cli_single_html_page_gives_the_plain_columns(corpus, capsys):
    assert main(["extract", str(corpus / "b" / "page.html")]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == ",".join(CANDIDATE_COLUMNS)
    assert [r["raw"] for r in table(out)] == ["300家", "1,200名", "80%"]
    assert "(GB18030): 3 candidates" in err


def test_progress_bar_on_stderr(corpus, tmp_path, capsys):
    extract_corpus([corpus], tmp_path / "out.csv", jobs=1, progress=True)
    err = capsys.readouterr().err
    assert "7/7" in err and "article" in err and "MB/s" in err


def test_no_progress_bar_when_stderr_is_not_a_terminal(corpus, tmp_path, capsys):
    extract_corpus([corpus], tmp_path / "out.csv", jobs=1)  # progress=None: stderr decides
    assert capsys.readouterr().err == ""


def test_an_extractor_error_skips_the_article_only(corpus, tmp_path, monkeypatch):
    real = ec.extract_candidates

    def broken(text, **kwargs):
        if "没有数字" in text:
            raise RuntimeError("a bug")
        return real(text, **kwargs)

    monkeypatch.setattr(ec, "extract_candidates", broken)
    report = extract_corpus([corpus], tmp_path / "out.csv", jobs=1)
    assert (str(corpus / "b" / "d.txt"), "extraction failed: RuntimeError: a bug") in report.skipped
    assert report.articles == 4
