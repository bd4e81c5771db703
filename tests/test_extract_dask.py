"""The corpus extraction on a Dask cluster (a LocalCluster of two workers, in-process).

dask[distributed] comes with the ``test`` extra (and the ``scale`` extra for users);
without it these tests skip. Every text here is written for the tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from dangjian_analysis.cli import main
from dangjian_analysis.curate import cluster as ed
from dangjian_analysis.curate.corpus import extract_corpus

from conftest import SEEDS

pytest.importorskip("distributed")

TEXTS = [
    "测试县2021年共有企业300家,党组织覆盖率达到80%。\n乙地党员1,200名。",
    "全市兩新黨組織1200餘個，黨員12000多名。",
    "这一篇没有数字。",
    "2012年企业10家。\n党员20名,发展新党员5名。",
]


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    for i in range(7):
        path = folder / f"sub{i % 2}" / f"{i:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEXTS[i % len(TEXTS)], encoding="utf-8")
    (folder / "page.html").write_text(f"<p>{TEXTS[0]}</p>", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01")
    records = tmp_path / "records.jsonl"
    lines = [
        json.dumps({"id": f"r{i}", "text": TEXTS[i % 4]}, ensure_ascii=False) for i in range(9)
    ]
    lines[3] = "{broken"
    lines[6] = json.dumps({"id": "r1", "text": "企业7家"}, ensure_ascii=False)  # r1 again
    records.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8") + b"\n")
    return [folder, records, folder / "sub0" / "00.txt"]  # the last one: a file again


def test_the_cluster_writes_what_a_single_process_writes(client, corpus, tmp_path):
    single = extract_corpus(corpus, tmp_path / "single.parquet", jobs=1)
    out = tmp_path / "dask"
    report = ed.extract_corpus_dask(client, corpus, out, partition_size=3, block_size=150)
    parts = sorted(p.name for p in out.iterdir())
    assert len(parts) > 4 and parts[0] == "part-00000.parquet"
    assert pq.read_table(out).equals(pq.read_table(tmp_path / "single.parquet"))
    assert (report.articles, report.candidates, report.chars, report.size) == (
        single.articles,
        single.candidates,
        single.chars,
        single.size,
    )
    assert report.skipped == single.skipped
    assert [a for a, _ in report.skipped][-2:] == ["r1#2", f"{corpus[2]}#2"]
    assert report.jobs == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not available at {SEEDS}")
def test_the_source_texts_on_the_cluster(client, tmp_path):
    extract_corpus([SEEDS], tmp_path / "single.parquet", jobs=1)
    ed.extract_corpus_dask(client, [SEEDS], tmp_path / "dask", partition_size=2)
    assert pq.read_table(tmp_path / "dask").equals(pq.read_table(tmp_path / "single.parquet"))


def test_an_existing_folder_is_replaced_only_with_force(client, corpus, tmp_path, monkeypatch):
    out = tmp_path / "dask"
    out.mkdir()
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(FileExistsError, match="exists; give --force"):
        ed.extract_corpus_dask(client, corpus, out)
    real = ed._run_partition

    def meanwhile(part, *args):
        out.mkdir(exist_ok=True)
        return real(part, *args)

    (out / "mine.txt").unlink()
    out.rmdir()
    monkeypatch.setattr(ed, "_run_partition", meanwhile)
    with pytest.raises(FileExistsError, match="was created while extracting"):
        ed.extract_corpus_dask(client, corpus, out)
    assert list(out.iterdir()) == []
    ed.extract_corpus_dask(client, corpus, out, force=True)
    assert pq.read_table(out).num_rows > 0


def test_cli_with_a_scheduler_address(client, corpus, tmp_path, capsys):
    out = tmp_path / "dask"
    address = client.scheduler.address
    assert main(["extract", *map(str, corpus), "--scheduler", address, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"wrote {pq.read_table(out).num_rows} rows to {out}" in err
    assert main(["extract", str(corpus[0]), "--scheduler", address]) == 1
    assert "--scheduler needs --out" in capsys.readouterr().err


def test_importing_the_package_does_not_import_dask():
    code = (
        "import sys, dangjian_analysis, dangjian_analysis.curate.corpus, "
        "dangjian_analysis.curate.cluster; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
