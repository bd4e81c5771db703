"""The ``dangjian extract`` and ``dangjian extract-recall`` commands."""

from __future__ import annotations

import csv
import io

import pytest

from dangjian_analysis.cli import main
from dangjian_analysis.curate.extract import CANDIDATE_COLUMNS

from conftest import SEEDS

ARTICLE = "测试县2021年共有企业300家,党组织覆盖率达到80%。\n乙地党员1,200名。"


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_extract_to_stdout(article, capsys):
    assert main(["extract", str(article), "--source-id", "src_test", "--region-id", "test"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == ",".join(CANDIDATE_COLUMNS)
    found = rows(out)
    assert [(r["raw"], r["value"], r["indicator"], r["period_suggestion"]) for r in found] == [
        ("300家", "300", "enterprises", "2021年"),
        ("80%", "0.8", "party_org_coverage_rate", "2021年"),
        ("1,200名", "1200", "party_members", ""),
    ]
    assert {(r["source_id"], r["region_id"]) for r in found} == {("src_test", "test")}
    assert err == f"read {article} (UTF-8): 3 candidates; wrote 3 rows to stdout\n"


def test_extract_to_file_with_bom_and_gb18030_input(tmp_path, capsys):
    source = tmp_path / "gb.txt"
    source.write_bytes(ARTICLE.encode("gb18030"))
    out = tmp_path / "candidates.csv"
    assert main(["extract", str(source), "--out", str(out), "--bom"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert [r["raw"] for r in rows(data.decode("utf-8-sig"))] == ["300家", "80%", "1,200名"]
    assert "(GB18030)" in capsys.readouterr().err
    plain = tmp_path / "plain.csv"
    assert main(["extract", str(source), "--out", str(plain)]) == 0
    assert plain.read_bytes().startswith(b"figure_id,")


def test_extract_does_not_overwrite_without_force(article, tmp_path, capsys):
    out = tmp_path / "candidates.csv"
    out.write_text("curator's notes\n", encoding="utf-8")
    assert main(["extract", str(article), "--out", str(out)]) == 1
    assert capsys.readouterr().err == f"error: {out} exists; give --force to overwrite it\n"
    assert out.read_text(encoding="utf-8") == "curator's notes\n"
    assert main(["extract", str(article), "--out", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("figure_id,")
    assert main(["extract", str(article), "--out", str(article), "--force"]) == 1
    assert "is the article itself" in capsys.readouterr().err
    assert article.read_text(encoding="utf-8") == ARTICLE


def test_extract_diff_against_a_package(mini_package, mini_corpus, capsys):
    article = next(mini_corpus.iterdir())  # named as the Tongcheng source's corpus_file
    with article.open("a", encoding="utf-8") as fh:
        fh.write("另有测试网点36个。")
    assert main(["extract", str(article), "--diff", str(mini_package)]) == 0
    out, err = capsys.readouterr()
    found = rows(out)
    assert [(r["raw"], r["match"], r["curated_as"]) for r in found] == [
        ("500家", "curated", "tc-001"),
        ("７２．５２％", "curated", "tc-002"),
        ("12.7万余名", "curated", "tc-003"),
        ("115亿元", "curated", "tc-004"),
        ("近1000名", "curated", "tc-005"),
        ("36个", "new", ""),
    ]
    assert {r["source_id"] for r in found} == {"src_tongcheng"}
    assert "6 candidates (5 curated, 1 new in src_tongcheng)" in err

    assert main(["extract", str(article), f"--diff={mini_package}", "--new-only"]) == 0
    assert [r["raw"] for r in rows(capsys.readouterr().out)] == ["36个"]


def test_extract_diff_defaults_to_the_bundled_package(article, capsys):
    assert main(["extract", str(article), "--source-id", "src_tongcheng", "--diff"]) == 0
    found = rows(capsys.readouterr().out)
    assert [r["match"] for r in found] == ["new", "new", "new"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--new-only"], "error: --new-only needs --diff"),
        (["--diff"], "has corpus_file 'article.txt'; give --source-id"),
        (["--source-id", "tongcheng"], "source_id 'tongcheng' does not match ^src_[a-z0-9_]+$"),
        (["--region-id", "Tong Cheng"], "region_id 'Tong Cheng' does not match"),
    ],
)
def test_extract_usage_errors(article, capsys, args, message):
    assert main(["extract", str(article), *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"\x00\x01\x02", "looks binary: NUL byte at offset 0"),
        (b"\x81\xff\xff", "is not text in UTF-8, GB18030 or Big5"),
    ],
)
def test_extract_bad_articles(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    assert main(["extract", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"error: article {path} {message}\n"


def test_extract_recall_on_the_mini_corpus(mini_package, mini_corpus, capsys):
    assert main(["extract-recall", "--corpus", str(mini_corpus), "--data", str(mini_package)]) == 0
    out = capsys.readouterr().out
    assert "src_tongcheng (UTF-8): 5 of 5 figures found among 5 candidates" in out
    assert "recall 100.0% (5 of 5 figures)" in out


def test_extract_recall_fails_below_the_minimum(edit_figures, mini_corpus, capsys):
    path = edit_figures("tc-001", "locator", "别处的短语")
    assert main(["extract-recall", "--corpus", str(mini_corpus), "--data", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "recall 80.0% (4 of 5 figures)" in out
    assert "missed tc-001 (src_tongcheng) '500家' near '别处的短语'" in out
    assert err == "error: recall 80.0% is below 95.0%\n"
    assert (
        main(["extract-recall", "--corpus", str(mini_corpus), "--data", str(path), "--min", "0.8"])
        == 0
    )


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not available at {SEEDS}")
def test_extract_recall_on_the_source_texts(capsys):
    assert main(["extract-recall", "--corpus", str(SEEDS)]) == 0
    assert "recall " in capsys.readouterr().out


def test_out_onto_a_folder_is_a_one_line_error(tmp_path, capsys):
    from dangjian_analysis.cli import main

    article = tmp_path / "a.txt"
    article.write_text("全县共有非公企业927家。", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    for extra in ([], ["--force"]):
        assert main(["extract", str(article), "--out", str(folder), *extra]) == 1
        err = capsys.readouterr().err
        assert err.strip().splitlines() == [
            f"error: {folder} is a folder; give --out the name of a file in it"
        ]
    assert folder.is_dir() and not any(folder.iterdir())


def test_out_on_a_hard_link_to_the_article_leaves_the_article_alone(tmp_path, capsys):
    from dangjian_analysis.cli import main

    article = tmp_path / "a.txt"
    article.write_text("全县共有非公企业927家。", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.hardlink_to(article)
    assert main(["extract", str(article), "--out", str(link), "--force"]) == 0
    assert article.read_text(encoding="utf-8") == "全县共有非公企业927家。"
    assert link.read_text(encoding="utf-8").startswith("figure_id,")
