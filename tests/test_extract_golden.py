"""Extraction output on the source texts stays exactly what it was.

``fixtures/extract_golden.json`` holds, for each source text, the SHA-256 and row count of
the candidates CSV (as ``dangjian extract`` writes it, and with ``--diff`` against the
bundled package), plus the same for all texts joined and for that join in Traditional
characters. Only hashes and counts are stored, no text of the articles. The tests skip
when the texts are absent (they are not redistributed).

Regenerate (only after a deliberate change of the output, reviewing the diff of the
candidates first): ``python tests/test_extract_golden.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "fixtures" / "extract_golden.json"
# As conftest.SEEDS (this file also runs as a script, without conftest).
SEEDS = Path(os.environ.get("DANGJIAN_CORPUS") or HERE.parent.parent / "shared" / "seeds")
SEEDS = SEEDS.absolute()


def _digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _texts(corpus: Path) -> dict[str, str]:
    from dangjian_analysis.text.articles import read_article

    return {p.name: read_article(p)[0] for p in sorted(corpus.glob("*.txt"))}


def _joined(texts: dict[str, str]) -> dict[str, str]:
    from opencc import OpenCC

    joined = "\n".join(texts.values())
    return {"all": joined, "all-traditional": OpenCC("s2t").convert(joined)}


def record(text: str, *, source_id: str | None = None) -> dict[str, object]:
    """The golden record of one text: CSV hash and rows, with ``--diff`` when a source is known."""
    from dangjian_analysis.curate.extract import candidates_csv, diff_candidates, extract_candidates

    found = extract_candidates(text)
    entry: dict[str, object] = {"rows": len(found), "sha256": _digest(candidates_csv(found))}
    if source_id:
        marked = diff_candidates(found, text, source_id=source_id)
        entry["diff_sha256"] = _digest(candidates_csv(marked, status=True))
        entry["curated"] = sum(c.status == "curated" for c in marked)
    return entry


def build(corpus: Path) -> dict[str, dict[str, object]]:
    from dangjian_analysis.curate.extract import source_for_article

    texts = _texts(corpus)
    golden: dict[str, dict[str, object]] = {}
    for name, text in texts.items():
        entry = record(text, source_id=source_for_article(name))
        entry["article_sha256"] = _digest(text)
        golden[name] = entry
    for name, text in _joined(texts).items():
        entry = record(text)
        entry["article_sha256"] = _digest(text)
        golden[name] = entry
    return golden


needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"source texts not available at {SEEDS}"
)


@pytest.fixture(scope="module")
def golden() -> dict[str, dict[str, object]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    texts = _texts(SEEDS)
    return {**texts, **_joined(texts)}


@needs_seeds
@pytest.mark.parametrize("routine", ["short", "numpy"])
@pytest.mark.parametrize(
    "name", sorted(json.loads(GOLDEN.read_text(encoding="utf-8"))) if GOLDEN.is_file() else []
)
def test_extraction_matches_the_golden_output(name, routine, golden, texts, monkeypatch):
    from dangjian_analysis.curate.extract import source_for_article
    from dangjian_analysis.text import normalize

    # Texts this long are normalized with numpy; force that routine on the short ones too.
    monkeypatch.setattr(normalize, "_NUMPY_FROM", 0 if routine == "numpy" else 1 << 60)
    expected = golden[name]
    if name not in texts:
        pytest.skip(f"{name} not in {SEEDS}")
    text = texts[name]
    if _digest(text) != expected["article_sha256"]:
        pytest.skip(f"{name} differs from the text the golden output was made from")
    source_id = source_for_article(name) if "diff_sha256" in expected else None
    got = record(text, source_id=source_id)
    got["article_sha256"] = expected["article_sha256"]
    assert got == expected


if __name__ == "__main__":
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else SEEDS
    GOLDEN.write_text(json.dumps(build(corpus), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
