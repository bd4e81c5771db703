"""Measure how many curated figures the extractor finds in their source articles.

For every source with a ``corpus_file`` and curated figures, the article is read
(:func:`read_article`), its candidates extracted, and the source's curated figures paired
with them
(:func:`~dangjian_analysis.curate.extract.match_curated`: same ``raw``, curated ``locator``
within the window). A figure is *found* when it is paired with a candidate of the same
``value``, ``lower``, ``upper`` and ``qualifier``. Recall is found figures over all
figures of the sources that have a ``corpus_file``; a missing corpus file counts its
figures as missed. The report also says how often the suggested indicator agrees with
the curated one.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dangjian_analysis.curate.extract import Candidate, extract_candidates, match_curated
from dangjian_analysis.package.validation import read_table, validate
from dangjian_analysis.text.articles import ArticleError, read_article
from dangjian_analysis.text.normalize import normalize_text, normalize_with_offsets

__all__ = ["MIN_RECALL", "RecallMiss", "RecallReport", "SourceRecall", "extraction_recall"]

#: The recall the bundled data must reach (CI fails below it).
MIN_RECALL = 0.95


@dataclass(frozen=True)
class RecallMiss:
    """A curated figure the extractor did not find, and why."""

    figure_id: str
    source_id: str
    raw: str
    locator: str
    reason: str


@dataclass(frozen=True)
class SourceRecall:
    """Counts for one source."""

    source_id: str
    encoding: str
    figures: int
    found: int
    candidates: int
    indicators: Counter[str]


@dataclass(frozen=True)
class RecallReport:
    """The outcome of :func:`extraction_recall`."""

    sources: tuple[SourceRecall, ...]
    misses: tuple[RecallMiss, ...]

    @property
    def figures(self) -> int:
        """Curated figures of the sources with a corpus file."""
        return sum(s.figures for s in self.sources)

    @property
    def found(self) -> int:
        """Of those, the figures found among the candidates."""
        return sum(s.found for s in self.sources)

    @property
    def recall(self) -> float:
        """Found over curated figures (1.0 when there are none)."""
        return self.found / self.figures if self.figures else 1.0

    def summary(self) -> str:
        """Per-source counts, the overall recall, indicator agreement and every miss."""
        lines = []
        indicators: Counter[str] = Counter()
        for s in self.sources:
            indicators.update(s.indicators)
            lines.append(
                f"{s.source_id} ({s.encoding}): {s.found} of {s.figures} figures found "
                f"among {s.candidates} candidates"
            )
        lines.append(f"recall {self.recall:.1%} ({self.found} of {self.figures} figures)")
        if self.found:
            lines.append(
                "suggested indicator of the figures found: "
                f"{indicators['same']} same as curated, {indicators['different']} different, "
                f"{indicators['empty']} empty"
            )
        for m in self.misses:
            lines.append(
                f"  missed {m.figure_id} ({m.source_id}) {m.raw!r} near {m.locator!r}: {m.reason}"
            )
        return "\n".join(lines)


def _same(a: float | None, cell: str) -> bool:
    if a is None or cell == "":
        return a is None and cell == ""
    return math.isclose(a, float(cell), rel_tol=1e-9, abs_tol=1e-12)


def _mismatch(c: Candidate, fig: dict[str, str]) -> str:
    """Describe how a paired candidate differs from the curated figure, or ``""``."""
    diffs = [
        f"{col} {got!r} instead of {fig[col]!r}"
        for col, got in (("value", c.value), ("lower", c.lower), ("upper", c.upper))
        if not _same(got, fig[col])
    ]
    if c.qualifier != fig["qualifier"]:
        diffs.append(f"qualifier {c.qualifier!r} instead of {fig['qualifier']!r}")
    return "; ".join(diffs)


def _why_missed(candidates: list[Candidate], fig: dict[str, str]) -> str:
    raw = normalize_text(fig["raw"])
    same_raw = [c for c in candidates if normalize_text(c.raw) == raw]
    if not same_raw:
        return "no candidate with this raw"
    return (
        f"{len(same_raw)} candidate(s) with this raw, none with the locator within the window "
        "that another figure does not already account for"
    )


def extraction_recall(corpus: str | Path, data: str | Path | None = None) -> RecallReport:
    """Measure the extractor's recall of the curated figures of ``data`` in ``corpus``.

    Raises:
        NotADirectoryError: when ``corpus`` is not a folder.
        DataPackageNotFoundError: when ``data`` holds no data package.
        DataValidationError: when the package is invalid.

    """
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise NotADirectoryError(f"corpus folder {corpus} does not exist or is not a folder")
    package = validate(data)
    figures = read_table(package, "figures").rows
    sources: list[SourceRecall] = []
    misses: list[RecallMiss] = []
    for src in read_table(package, "sources").rows:
        if not src["corpus_file"]:
            continue
        sid = src["source_id"]
        own = [f for f in figures if f["source_id"] == sid]
        if not own:
            continue
        try:
            text, encoding = read_article(corpus / src["corpus_file"])
        except ArticleError as exc:
            sources.append(SourceRecall(sid, "unread", len(own), 0, 0, Counter()))
            misses.extend(
                RecallMiss(f["figure_id"], sid, f["raw"], f["locator"], str(exc)) for f in own
            )
            continue
        norm = normalize_with_offsets(text)
        candidates = extract_candidates(text, source_id=sid)
        pairs = match_curated(candidates, norm, own)
        found = 0
        indicators: Counter[str] = Counter()
        for i, fig in enumerate(own):
            if i not in pairs:
                reason = _why_missed(candidates, fig)
            else:
                cand = candidates[pairs[i]]
                reason = _mismatch(cand, fig)
                if not reason:
                    found += 1
                    if not cand.indicator:
                        indicators["empty"] += 1
                    elif cand.indicator == fig["indicator"]:
                        indicators["same"] += 1
                    else:
                        indicators["different"] += 1
            if reason:
                misses.append(RecallMiss(fig["figure_id"], sid, fig["raw"], fig["locator"], reason))
        sources.append(SourceRecall(sid, encoding, len(own), found, len(candidates), indicators))
    return RecallReport(tuple(sources), tuple(misses))
