"""Check every figure against the text of its source article.

For each source with a ``corpus_file``, the article is read from the corpus folder as
``dangjian extract`` reads it (:func:`~dangjian_analysis.text.articles.read_article`:
UTF-8, GB18030 or Big5; a file that is not text in any of them fails its figures, naming
the file) and normalized (:func:`~dangjian_analysis.text.normalize.normalize_text`). A
figure is *verified* when its normalized ``raw`` occurs in the article as a whole number
(not inside a longer one) and its normalized ``locator`` occurs within :data:`WINDOW`
characters of that occurrence. Figures whose source has no ``corpus_file`` (web pages,
whose text is not kept locally) are reported as not checked, never as verified: the report
lists them by source with the reason, beside the figures it did verify.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dangjian_analysis.package.validation import read_table, validate
from dangjian_analysis.text.articles import ArticleError, read_article
from dangjian_analysis.text.files import path_kind
from dangjian_analysis.text.normalize import normalize_text

__all__ = [
    "NO_LOCAL_TEXT",
    "NO_LOCAL_TEXT_WEB",
    "WINDOW",
    "FigureCheck",
    "VerificationReport",
    "id_ranges",
    "locator_near",
    "verify_sources",
]

#: How many characters may separate a locator from the raw figure it points at.
WINDOW = 40

VERIFIED = "verified"
NOT_CHECKED = "not checked"

#: Reason given for figures of a source that has no corpus_file but a url.
NO_LOCAL_TEXT_WEB = "no local text for this source (web page)"
#: Reason given for figures of a source that has neither a corpus_file nor a url.
NO_LOCAL_TEXT = "no local text for this source (no corpus_file)"

_ID = re.compile(r"^(.*?)(\d+)$")


@dataclass(frozen=True)
class FigureCheck:
    """The outcome of checking one figure.

    ``status`` is ``verified``, ``not checked`` (no corpus text for the source), or a
    failure: ``corpus file missing``, ``corpus file unreadable`` (not text in UTF-8,
    GB18030 or Big5), ``raw not found`` or ``locator not near raw``.
    """

    figure_id: str
    source_id: str
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the figure was verified."""
        return self.status == VERIFIED

    @property
    def failed(self) -> bool:
        """Whether the check failed (as opposed to passing or not being possible)."""
        return self.status not in (VERIFIED, NOT_CHECKED)


#: Failures of a whole source (its file), reported once for the source, not per figure.
SOURCE_FAILURES = ("corpus file missing", "corpus file unreadable")


@dataclass(frozen=True)
class VerificationReport:
    """All figure checks of a run, in the order of ``figures.csv``.

    ``hints`` maps a source to a hint about why its figures were not found (a text that
    looks double-encoded), shown once beside its failures.
    """

    checks: tuple[FigureCheck, ...]
    hints: tuple[tuple[str, str], ...] = ()

    @property
    def failures(self) -> list[FigureCheck]:
        """The checks that failed."""
        return [c for c in self.checks if c.failed]

    @property
    def verified(self) -> list[FigureCheck]:
        """The checks that verified their figure."""
        return [c for c in self.checks if c.ok]

    @property
    def not_checked(self) -> list[FigureCheck]:
        """The figures that could not be checked (their source has no local text)."""
        return [c for c in self.checks if c.status == NOT_CHECKED]

    @property
    def ok(self) -> bool:
        """True when no check failed (figures not checked do not fail the run)."""
        return not self.failures

    def not_checked_by_source(self) -> dict[str, tuple[str, list[str]]]:
        """Map each source with unchecked figures to the reason and the figure ids."""
        out: dict[str, tuple[str, list[str]]] = {}
        for c in self.not_checked:
            out.setdefault(c.source_id, (c.detail, []))[1].append(c.figure_id)
        return out

    def summary(self) -> str:
        """Return the report as text.

        A line per source with its counts, one line per failed figure, the verified
        figure ids by source, the figures that could not be checked by source with the
        reason, and a closing count.
        """
        lines = []
        by_source: dict[str, Counter[str]] = {}
        for c in self.checks:
            by_source.setdefault(c.source_id, Counter())[c.status] += 1
        for source, counts in by_source.items():
            total = sum(counts.values())
            parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            noun = "figure" if total == 1 else "figures"
            lines.append(f"{source}: {total} {noun}: {parts}")
        lines += self._failure_lines()
        verified: dict[str, list[str]] = {}
        for c in self.verified:
            verified.setdefault(c.source_id, []).append(c.figure_id)
        if verified:
            lines.append(f"verified ({len(self.verified)} figures):")
            lines += [f"  {s}: {id_ranges(ids)}" for s, ids in verified.items()]
        unchecked = self.not_checked_by_source()
        if unchecked:
            lines.append(f"not checked ({len(self.not_checked)} figures):")
            lines += [
                f"  {s}: {id_ranges(ids)}: {reason}" for s, (reason, ids) in unchecked.items()
            ]
        lines.append(
            f"{len(self.verified)} verified, {len(self.failures)} failed, "
            f"{len(self.not_checked)} not checked of {len(self.checks)} figures"
        )
        return "\n".join(lines)


    def _failure_lines(self) -> list[str]:
        """One line per failed figure; one per source whose file failed or has a hint."""
        lines: list[str] = []
        whole: dict[str, tuple[str, str, list[str]]] = {}
        for c in self.failures:
            if c.status in SOURCE_FAILURES:
                whole.setdefault(c.source_id, (c.status, c.detail, []))[2].append(c.figure_id)
            else:
                lines.append(f"  {c.figure_id} ({c.source_id}): {c.status}: {c.detail}")
        for source, (status, detail, ids) in whole.items():
            noun = "figure" if len(ids) == 1 else "figures"
            lines.append(f"  {source}: {status}: {detail} ({len(ids)} {noun}: {id_ranges(ids)})")
        lines += [f"  {source}: hint: {hint}" for source, hint in self.hints]
        return lines


def id_ranges(ids: list[str]) -> str:
    """Write figure ids compactly: runs of consecutive numbers become ``ab-001–ab-050``.

    >>> id_ranges(["ab-001", "ab-002", "ab-003", "ab-007", "cd-001"])
    'ab-001–ab-003, ab-007, cd-001'
    """
    runs: list[list[str]] = []
    previous: tuple[str, int] | None = None
    for figure_id in ids:
        match = _ID.match(figure_id)
        key = (match.group(1), int(match.group(2))) if match else None
        if (
            runs
            and key is not None
            and previous is not None
            and key == (previous[0], previous[1] + 1)
        ):
            runs[-1].append(figure_id)
        else:
            runs.append([figure_id])
        previous = key
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def _continues_number(text: str, pos: int, step: int) -> bool:
    """Tell whether the character at ``pos`` extends a number lying next to it.

    A digit does; so does a decimal point or thousands comma with a digit beyond it. A
    comma followed by text is punctuation (full-width commas become ``,`` when normalized).
    """
    if not 0 <= pos < len(text):
        return False
    if text[pos].isdigit():
        return True
    beyond = pos + step
    return text[pos] in ".," and 0 <= beyond < len(text) and text[beyond].isdigit()


def _occurrences(text: str, needle: str) -> list[int]:
    """Return the start positions of ``needle`` in ``text`` not inside a longer number."""
    found = []
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        inside = (needle[0].isdigit() and _continues_number(text, start - 1, -1)) or (
            needle[-1].isdigit() and _continues_number(text, end, +1)
        )
        if not inside:
            found.append(start)
        start = text.find(needle, start + 1)
    return found


def locator_near(text: str, start: int, end: int, locator: str, window: int = WINDOW) -> bool:
    """Tell whether ``locator`` is printed within ``window`` characters of ``text[start:end]``.

    The one rule that ties a figure's ``locator`` to its ``raw``, for ``verify-sources`` and
    for ``dangjian extract --diff``; both texts are normalized by the caller.
    """
    lo, hi = max(0, start - window - len(locator)), end + window + len(locator)
    return locator in text[lo:hi]


def check_figure(text: str, raw: str, locator: str) -> tuple[str, str]:
    """Check one figure against a normalized article; return ``(status, detail)``."""
    raw_n, loc_n = normalize_text(raw), normalize_text(locator)
    hits = _occurrences(text, raw_n)
    if not hits:
        return "raw not found", f"{raw!r} does not occur in the text"
    for hit in hits:
        if locator_near(text, hit, hit + len(raw_n), loc_n):
            return VERIFIED, ""
    return (
        "locator not near raw",
        f"{locator!r} is not within {WINDOW} characters of any of the {len(hits)} "
        f"occurrence(s) of {raw!r}",
    )


def verify_sources(corpus: str | Path, path: str | Path | None = None) -> VerificationReport:
    """Check every figure of the package at ``path`` against the texts in ``corpus``.

    Raises:
        DataPackageNotFoundError: when ``path`` holds no data package.
        DataValidationError: when the package is invalid.
        NotADirectoryError: when ``corpus`` is not a folder.

    """
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise NotADirectoryError(f"corpus folder {corpus} does not exist or is not a folder")
    package = validate(path)
    sources = read_table(package, "sources").rows
    figures = read_table(package, "figures").rows
    texts: dict[str, str | None] = {}
    raw_texts: dict[str, str] = {}
    status_of_source: dict[str, tuple[str, str]] = {}
    for src in sources:
        name = src["corpus_file"]
        if not name:
            reason = NO_LOCAL_TEXT_WEB if src["url"] else NO_LOCAL_TEXT
            status_of_source[src["source_id"]] = (NOT_CHECKED, reason)
            continue
        file = corpus / name
        kind = path_kind(file)
        if kind in ("no such file", "a broken symbolic link"):
            status_of_source[src["source_id"]] = ("corpus file missing", f"{file} not found")
            continue
        try:
            text, _encoding = read_article(file)
        except (ArticleError, OSError) as exc:
            reason = str(exc) if isinstance(exc, ArticleError) else f"{file}: {exc.strerror}"
            status_of_source[src["source_id"]] = ("corpus file unreadable", reason)
            continue
        texts[src["source_id"]] = normalize_text(text)
        raw_texts[src["source_id"]] = text
    checks = []
    for fig in figures:
        sid = fig["source_id"]
        if sid in status_of_source:
            status, detail = status_of_source[sid]
        else:
            status, detail = check_figure(texts[sid] or "", fig["raw"], fig["locator"])
        checks.append(FigureCheck(fig["figure_id"], sid, status, detail))
    hints = []
    for sid, text in raw_texts.items():
        mine = [c for c in checks if c.source_id == sid]
        missing = sum(c.status == "raw not found" for c in mine)
        if mine and missing * 2 >= len(mine):  # most of its figures not found
            hint = mojibake_hint(text)
            if hint:
                hints.append((sid, hint))
    return VerificationReport(tuple(checks), tuple(hints))


# Encodings whose misreading of UTF-8 bytes makes the usual mojibake of Chinese text.
_MISREAD_AS = ("GB18030", "GBK", "cp1252", "latin-1")


def mojibake_hint(text: str) -> str:
    """Say how ``text`` was double-encoded, if it was: UTF-8 bytes read as another encoding.

    Undoing the misreading (encoding the text back, reading the bytes as UTF-8) of a
    double-encoded Chinese text gives common Chinese characters; undoing it on a real
    text gives none. Returns ``""`` when no misreading of ``_MISREAD_AS`` fits.
    """
    if _common_share(text) >= 0.7:
        return ""  # reads as ordinary Chinese
    fits = []
    for encoding in _MISREAD_AS:
        fixed = text.encode(encoding, errors="replace").decode("utf-8", errors="replace")
        cjk, lost = _cjk_count(fixed), fixed.count("\ufffd")
        if cjk >= 10 and _common_share(fixed) >= 0.8 and lost < cjk:
            fits.append((lost, encoding, fixed))
    if not fits:
        return ""
    _, encoding, fixed = min(fits)  # the misreading undone with the fewest characters lost
    if encoding in ("GB18030", "GBK"):
        encoding = "GBK or GB18030"
    start = "".join(ch for ch in fixed if ch.isprintable() and ch != "\ufffd")
    return (
        f"the text looks double-encoded (UTF-8 bytes read as {encoding} and saved again), "
        "so its figures cannot be found; save the original file as UTF-8 again (undone, "
        f"it would begin {start.strip()[:12]!r})"
    )


def _common_share(text: str) -> float:
    """Return the share of Chinese characters in ``text`` that are common (GB2312 level 1)."""
    chars = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not chars:
        return 0.0
    common = 0
    for ch in chars:
        try:
            common += 0xB0 <= ch.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            pass
    return common / len(chars)


def _cjk_count(text: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text)
