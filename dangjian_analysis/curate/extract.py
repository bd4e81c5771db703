"""Pull candidate figures out of a new article, ready to curate.

:func:`extract_candidates` finds every quantity printed in an article (Simplified or
Traditional characters, with or without pinyin annotations) and returns one
:class:`Candidate` per mention, with the columns of ``figures.csv``:

- ``raw`` exactly as printed (in the article's script, pinyin annotations left out) and
  ``value``, ``lower``, ``upper``, ``qualifier`` from
  :func:`~dangjian_analysis.text.quantity.parse_quantity`;
- a ``locator``: the words printed right before the number, back to the nearest
  punctuation mark (at most :data:`LOCATOR_MAX` characters), or the words right after it
  when nothing stands before it;
- ``offset``: the 0-based character offset of ``raw`` in the article as read (after
  decoding, before any normalization);
- an ``indicator`` suggested by the keyword rules in ``extract_rules.csv``
  (:mod:`dangjian_analysis.curate.indicator_rules`), empty when no rule fits;
- ``period_suggestion``: the nearest date with a year printed before the figure in the
  same paragraph.

Dates (``2003年``, ``10月26日``, ``2014年底``) are periods, never figures
(:func:`find_periods`). Numbers without a unit or a 万/亿 multiplier (``12371``, ``3年``),
ordinals (``第3个``), vague counts (``数十家``, ``几十个``), durations (``3个月``) and the
numeral 一 used as an article (``一个``, ``一名``) and set phrases (``千家万户``) are not
taken as figures.

:func:`diff_candidates` marks each candidate ``curated`` or ``new`` against a data
package; :func:`~dangjian_analysis.text.articles.read_article` reads a text file in UTF-8,
GB18030 or Big5.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import IO

from dangjian_analysis.curate.indicator_rules import IndicatorRule, IndicatorRules, load_rules
from dangjian_analysis.text.normalize import (
    NormalizedText,
    normalize_text,
    normalize_with_offsets,
)
from dangjian_analysis.text.quantity import (
    APPROX_SUFFIXES,
    CHANGE_WORDS,
    MULTIPLIERS,
    POSTFIXES,
    PREFIXES,
    UNIT_KINDS,
    Quantity,
    QuantityParseError,
    parse_quantity,
)

__all__ = [
    "CANDIDATE_COLUMNS",
    "LOCATOR_MAX",
    "STATUS_COLUMNS",
    "Candidate",
    "Period",
    "candidates_csv",
    "check_ids",
    "curated_figures",
    "diff_candidates",
    "extract_candidates",
    "find_periods",
    "match_curated",
    "source_for_article",
    "write_candidates",
]

#: The longest locator taken from the article, in characters.
LOCATOR_MAX = 12

#: Columns of the candidates CSV: those of ``figures.csv``, then the extraction's own.
FIGURE_COLUMNS = (
    "figure_id",
    "source_id",
    "region_id",
    "entity",
    "indicator",
    "scope",
    "period_kind",
    "period_label",
    "period_earliest",
    "period_latest",
    "period_basis",
    "value",
    "lower",
    "upper",
    "qualifier",
    "raw",
    "locator",
    "see_also",
    "status",
    "notes",
)
EXTRA_COLUMNS = ("unit_kind", "offset", "period_suggestion", "indicator_keyword")
STATUS_COLUMNS = ("match", "curated_as")
CANDIDATE_COLUMNS = FIGURE_COLUMNS + EXTRA_COLUMNS


@dataclass(frozen=True)
class Period:
    """A date printed in an article (``2014年底``, ``10月26日``).

    ``text`` is as printed, ``offset`` its character offset in the article, ``year`` the
    year it names (``None`` for a month and day without a year), ``start`` and ``end`` its
    span in the normalized text.
    """

    text: str
    offset: int
    year: int | None
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """One quantity printed in an article, as a candidate row of ``figures.csv``.

    ``value``, ``lower`` and ``upper`` are ``None`` (and ``notes`` says why) when ``raw``
    is not a single figure (a range such as ``3至5家``). ``start`` and ``end`` are the span
    of ``raw`` in the normalized text; ``offset`` is its position in the article as read.
    ``status`` and ``curated_as`` are set by :func:`diff_candidates`.
    """

    raw: str
    value: float | None
    lower: float | None
    upper: float | None
    qualifier: str
    unit: str
    unit_kind: str | None
    locator: str
    offset: int
    start: int
    end: int
    indicator: str = ""
    indicator_keyword: str = ""
    period_suggestion: str = ""
    source_id: str = ""
    region_id: str = ""
    notes: str = ""
    status: str = ""
    curated_as: str = ""

    def row(self) -> dict[str, str]:
        """Return the candidate as a CSV row (every column of :data:`CANDIDATE_COLUMNS`)."""
        cells = dict.fromkeys(CANDIDATE_COLUMNS, "")
        cells.update(
            source_id=self.source_id,
            region_id=self.region_id,
            indicator=self.indicator,
            value=_fmt(self.value),
            lower=_fmt(self.lower),
            upper=_fmt(self.upper),
            qualifier=self.qualifier,
            raw=self.raw,
            locator=self.locator,
            notes=self.notes,
            unit_kind=self.unit_kind or "",
            offset=str(self.offset),
            period_suggestion=self.period_suggestion,
            indicator_keyword=self.indicator_keyword,
            match=self.status,
            curated_as=self.curated_as,
        )
        return cells


def _fmt(x: float | None) -> str:
    """Render a number as ``figures.csv`` writes it: ``127000``, ``0.7252``, or empty."""
    if x is None:
        return ""
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


# ---- patterns ---------------------------------------------------------------------------


# The parser's tables, in normalized (Simplified) form, longest first.
def _words(words: Iterable[str]) -> str:
    forms = {normalize_text(w) for w in words}
    return "|".join(re.escape(w) for w in sorted(forms, key=lambda w: (-len(w), w)))


_CN_DIGIT_VALUES = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9,
}  # fmt: skip
_CN_DIGITS = "".join(_CN_DIGIT_VALUES)
_CN_NUMERAL = f"[{_CN_DIGITS}十百千万亿]+"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_FRACTION = f"(?:{_CN_NUMERAL}|\\d+)分之(?:{_CN_NUMERAL}|\\d+)"
# Every figure starts with a qualifier word or a digit: the lookahead lets the search skip
# other characters at once instead of trying each alternative at every position.
_QUANTITY_START = "".join(
    sorted({re.escape(normalize_text(w)[0]) for w in PREFIXES if normalize_text(w)})
)
_QUANTITY = re.compile(
    rf"(?=[{_QUANTITY_START}{_CN_DIGITS}十百千万亿\d])"
    rf"(?P<prefix>{_words(PREFIXES)})?"
    rf"(?P<number>{_FRACTION}|{_ARABIC}|{_CN_NUMERAL})"
    rf"(?P<approx1>{_words(APPROX_SUFFIXES)})?"
    rf"(?P<mult>(?:{_words(MULTIPLIERS)})(?!分))?"  # 3百分点 is 3 points, not 300
    rf"(?P<approx2>{_words(APPROX_SUFFIXES)})?"
    rf"(?P<unit>{_words(UNIT_KINDS)})?"
    rf"(?P<post>{_words(POSTFIXES)})?"
)
_YEAR_DIGITS = f"(?:19|20)\\d{{2}}|[{_CN_DIGITS}]{{4}}"
_PERIOD = re.compile(
    rf"(?<!\d)(?:(?P<year>{_YEAR_DIGITS})年(?:度)?"
    r"(?:\d{1,2}月(?:\d{1,2}[日号])?)?(?:底|末|初|年底|年末|年初|上半年|下半年)?"
    r"|\d{1,2}月\d{1,2}[日号])"
)

# A qualifier word glued to the word before it is part of that word, not a qualifier:
# 通过 (through), 节约 (save), 附近 (nearby).
_NOT_PREFIX_AFTER = {
    "过": "通经超越穿跨度不错走闯路",
    "约": "节制签预条契合公相邀特简",
    "近": "附最靠临邻就远接将",
}
_VAGUE_BEFORE = "数几"  # 数十家, 几十个
# Set phrases with a numeral and a unit in them that never count anything.
_IDIOMS = re.compile("千家万户|万家灯火|百家争鸣|三番五次")
_DURATION_AFTER = re.compile(r"^[多余半]?(?:月|小时|工作日|季度|星期|周)")
# What makes the figure after it a signed change: a word of decrease (下降5.2% is -5.2%), or
# a sign, alone or after a word of increase (增长-3%). Kept in the figure, so the parser
# reads the sign or refuses the figure with its reason; never dropped, which would print
# a decrease as a level.
_SIGNED_BEFORE = re.compile(
    "(?:(?:"
    + "|".join(w for w, d in CHANGE_WORDS.items() if d == "decrease")
    + ")了?[-+]?|(?:"
    + "|".join(w for w, d in CHANGE_WORDS.items() if d == "increase")
    + ")了?[-+]|(?<![0-9A-Za-z])[-+])$"
)
_RANGE_BEFORE = re.compile(rf"(?:{_ARABIC}|{_CN_NUMERAL})(?:、|至|到|-|~|—|–)$")
# Punctuation that ends a locator or a clause. Quotation marks do not: quoted names are
# part of the phrase they stand in (“双强”书记).
_BOUNDARY = set(",.;:!?、。;:!?()[]【】—…·/|")
_QUOTES = set("“”‘’\"'「」『』《》〈〉")
_SENTENCE_END = set("。.;;!!??")
_DIGITS = set("0123456789")


def find_periods(text: str | NormalizedText) -> list[Period]:
    """Return the dates printed in ``text`` (years, months and days), in order."""
    norm = text if isinstance(text, NormalizedText) else normalize_with_offsets(text)
    periods = []
    for m in _PERIOD.finditer(norm.text):
        year = m.group("year")
        if year is not None and not year.isdigit():
            year = "".join(str(_CN_DIGIT_VALUES[ch]) for ch in year)
        periods.append(
            Period(
                text=_printed(norm, m.start(), m.end()),
                offset=norm.origin[m.start()],
                year=int(year) if year else None,
                start=m.start(),
                end=m.end(),
            )
        )
    return periods


# ---- extraction -------------------------------------------------------------------------

_OTHER_MEASURE = re.compile(
    r"^(?:平方|亩|吨|公里|千米|米|公斤|千克|斤|周岁|岁|年|天|日|小时|分钟|秒|倍|届|周年|度|千瓦|瓦)"
)
_CONTEXT_BEFORE = 40  # characters of the sentence before a figure searched for keywords
_CONTEXT_AFTER = 16  # characters after it, up to the next punctuation mark


def _class(chars: Iterable[str]) -> str:
    return "".join(map(re.escape, sorted(chars)))


# The words touching a position: back to (or up to) punctuation or a digit. Searched between
# limits, so that each figure looks at a few characters only.
_WORDS_BEFORE = re.compile(f"[^{_class(_BOUNDARY | _DIGITS)}]*+\\Z")
_WORDS_AFTER = re.compile(f"[^{_class(_BOUNDARY | _DIGITS)}]*+")
_SENTENCE_BEFORE = re.compile(f"[^{_class(_SENTENCE_END)}]*+\\Z")


def _locator(s: str, start: int, end: int, floor: int, ceiling: int) -> tuple[int, int]:
    """Return the span of the locator of the figure at ``start:end`` in normalized text.

    The words before the figure, back to punctuation, a digit, another figure or date (the
    nearest of which ends at ``floor``), at most :data:`LOCATOR_MAX` characters; when fewer
    than two, the words after it (up to the next figure or date, at ``ceiling``). Quotation
    marks at either end are left out.
    """
    found = _WORDS_BEFORE.search(s, max(floor, start - LOCATOR_MAX), start)
    lo, hi = _trim_quotes(s, found.start() if found else start, start)
    if hi - lo >= 2:
        return lo, hi
    after = _WORDS_AFTER.match(s, end, min(ceiling, end + LOCATOR_MAX))
    return _trim_quotes(s, end, after.end() if after else end)


def _trim_quotes(s: str, lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and s[lo] in _QUOTES:
        lo += 1
    while hi > lo and s[hi - 1] in _QUOTES:
        hi -= 1
    return lo, hi


def _context(s: str, start: int, end: int, floor: int, ceiling: int) -> tuple[str, str]:
    """Return the text searched for keywords before and after the figure at ``start:end``.

    Before: the sentence back to the previous figure (``floor``), at most
    :data:`_CONTEXT_BEFORE` characters. After: the clause up to the next punctuation mark,
    digit or figure (``ceiling``), at most :data:`_CONTEXT_AFTER` characters.
    """
    before = _SENTENCE_BEFORE.search(s, max(floor, start - _CONTEXT_BEFORE), start)
    after = _WORDS_AFTER.match(s, end, min(ceiling, end + _CONTEXT_AFTER))
    return s[before.start() if before else start : start], s[end : after.end() if after else end]


def _accept(s: str, m: re.Match[str]) -> int | None:
    """Return where a quantity match really starts, or ``None`` when it is not a figure."""
    number, unit, mult = m.group("number"), m.group("unit"), m.group("mult")
    start = m.start()
    prefix = m.group("prefix")
    if prefix and start > 0 and s[start - 1] in _NOT_PREFIX_AFTER.get(prefix, ""):
        start = m.start("number")  # 通过3个: 过 belongs to 通过
    arabic = number[0].isdigit()
    fraction = "分之" in number
    before = s[m.start("number") - 1] if m.start("number") > 0 else ""
    after = s[m.end() : m.end() + 4]
    if fraction:
        return start
    if not unit and not (arabic and mult):
        return None  # a bare number: 12371, 3年, 2003
    if before == "第":
        return None  # an ordinal
    if not arabic and ((before and before in _VAGUE_BEFORE) or after.startswith("几")):
        return None  # 数十家, 几十个
    if not arabic and number == "一" and not prefix:
        return None  # 一个, 一名: an article, not a count
    if unit and _DURATION_AFTER.match(after):
        return None  # 3个月, 两个多小时
    if not unit and _OTHER_MEASURE.match(after):
        return None  # 3万平方米, 2万吨: a unit the parser does not read
    return start


class _Neighbours:
    """The nearest span ending before, and starting after, a position: binary search.

    Built once per text from every span (``(start, end)`` pairs, in any order), so that each
    figure looks up its neighbours in logarithmic time instead of scanning every span.
    """

    def __init__(self, spans: Iterable[tuple[int, int]], length: int) -> None:
        spans = list(spans)
        self.ends = sorted(e for _, e in spans)
        self.starts = sorted(b for b, _ in spans)
        self.length = length

    def floor(self, position: int) -> int:
        """Return the largest span end at or before ``position`` (0 when none)."""
        i = bisect_right(self.ends, position)
        return self.ends[i - 1] if i else 0

    def ceiling(self, position: int) -> int:
        """Return the smallest span start at or after ``position`` (the text's length when none)."""
        i = bisect_left(self.starts, position)
        return self.starts[i] if i < len(self.starts) else self.length


def _quantity_spans(s: str, masked: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans of the figures printed in normalized text ``s``, in order.

    A quantity overlapping a ``masked`` span (a date or a set phrase) is not a figure.
    """
    masked = sorted(masked)
    starts = [b for b, _ in masked]
    reach: list[int] = []  # reach[i]: the furthest end among masked[0..i]
    for _, e in masked:
        reach.append(max(e, reach[-1]) if reach else e)
    spans: list[tuple[int, int]] = []
    for m in _QUANTITY.finditer(s):
        start = _accept(s, m)
        if start is None:
            continue
        end = m.end()
        i = bisect_left(starts, end)  # masked[:i] start before the figure ends
        if i and reach[i - 1] > start:
            continue  # part of a date or a set phrase
        rng = _RANGE_BEFORE.search(s, max(0, start - 20), start)
        if rng and rng.end() == start:
            start = rng.start()  # 5、6个: reported whole, the parser says it is a range
        else:
            signed = _SIGNED_BEFORE.search(s, max(0, start - 4), start)
            if signed and signed.end() == start:
                start = signed.start()  # 下降5.2%, 增长-3%: a signed change, not a level
        spans.append((start, end))
    return spans


@lru_cache(maxsize=1 << 16)
def _parse(
    parser: Callable[[str], Quantity], raw: str, simplified: str
) -> tuple[Quantity | None, str]:
    """Parse a figure as printed, else in Simplified characters; return it and a note.

    Any error of the parser makes the figure an unparsed row (value empty, the error in the
    note) rather than stopping the extraction. Remembered per parser and figure: the same
    figures (``3家``, ``100%``) come back in article after article.
    """
    try:
        return parser(raw), ""
    except Exception as exc:  # a form the parser reads only in Simplified characters
        try:
            q = parser(simplified)
        except Exception as exc_simplified:
            return None, f"not parsed: {_error(exc_simplified)}"
        return q, f"raw as printed is not read by parse_quantity ({_error(exc)}); fix the parser"


def _error(exc: Exception) -> str:
    return str(exc) if isinstance(exc, QuantityParseError) else f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class _RulesNear(IndicatorRules):
    """The rules whose words are all printed near one figure, with the words printed there.

    :meth:`IndicatorRules.suggest` skips every rule with a word missing, and looks for the
    run of keywords after a figure among the words printed after it; given only these, it
    suggests what it suggests from the whole table, without trying every rule.
    """

    near_words: frozenset[str] = frozenset()

    @property
    def words(self) -> frozenset[str]:  # type: ignore[override]
        """The keywords printed near the figure."""
        return self.near_words


class _Suggester:
    """:meth:`IndicatorRules.suggest` of one table, trying only the rules that can apply."""

    def __init__(self, rules: IndicatorRules) -> None:
        self.rules = rules
        self.exact = type(rules) is IndicatorRules  # a subclass may suggest differently
        words = sorted(rules.words, key=lambda w: (-len(w), w))
        # At each position, the longest keyword starting there; the keywords inside it
        # are printed too.
        self.starting = re.compile("(?=(" + "|".join(map(re.escape, words)) + "))")
        self.inside = {w: frozenset(v for v in words if v in w) for w in words}
        self.by_first: dict[str, list[tuple[int, IndicatorRule]]] = {}
        for i, rule in enumerate(rules.rules):
            self.by_first.setdefault(rule.parts[0], []).append((i, rule))

    def _printed(self, text: str) -> frozenset[str]:
        found = {m.group(1) for m in self.starting.finditer(text)} if text else ()
        return frozenset().union(*(self.inside[w] for w in found))

    def suggest(self, before: str, after: str, unit_kind: str | None) -> tuple[str, str]:
        """Return what the table's ``suggest`` returns for a figure."""
        if not self.exact or not self.inside:
            return self.rules.suggest(before, after, unit_kind)
        after_words = self._printed(after)
        near = after_words | self._printed(before)
        found = [
            (i, rule)
            for word in near
            for i, rule in self.by_first.get(word, ())
            if all(part in near for part in rule.parts)
        ]
        if not found:
            return "", ""
        found.sort(key=lambda item: item[0])  # the table's order, as suggest sees it
        subset = _RulesNear(tuple(rule for _, rule in found), after_words)
        return subset.suggest(before, after, unit_kind)


def extract_candidates(
    text: str,
    *,
    source_id: str | None = None,
    region_id: str | None = None,
    rules: IndicatorRules | None = None,
) -> list[Candidate]:
    """Return one :class:`Candidate` per quantity printed in ``text``, in order.

    ``text`` may be Simplified or Traditional, with pinyin annotations; it is normalized
    with :func:`~dangjian_analysis.text.normalize.normalize_with_offsets` and every figure is
    reported as printed, with its character offset in ``text``. ``source_id`` and
    ``region_id`` are copied into every candidate; ``rules`` defaults to the table shipped
    with the package.

    Time and memory grow in proportion to the length of the text: each figure looks up
    its neighbouring figures and dates by binary search.
    """
    suggester = _Suggester(rules or load_rules())
    norm = normalize_with_offsets(text)
    s = norm.text
    periods = find_periods(norm)
    period_spans = [(p.start, p.end) for p in periods]
    idioms = [(m.start(), m.end()) for m in _IDIOMS.finditer(s)]
    spans = _quantity_spans(s, period_spans + idioms)
    stops = _Neighbours(spans + period_spans, len(s))  # locators stop at figures and dates
    figures = _Neighbours(spans, len(s))  # keyword contexts stop at figures
    dated = _PeriodIndex(norm, periods)
    source_id, region_id = source_id or "", region_id or ""
    out = []
    for start, end in spans:
        raw = _printed(norm, start, end)
        q, notes = _parse(parse_quantity, raw, s[start:end])
        if q is not None and q.change and not notes:
            notes = f"a signed change (a {q.change}), not a level"
        lo, hi = _locator(s, start, end, stops.floor(start), stops.ceiling(end))
        before, after = _context(s, start, end, figures.floor(start), figures.ceiling(end))
        unit_kind = q.unit_kind if q else None
        indicator, keyword = suggester.suggest(before, after, unit_kind) if q else ("", "")
        out.append(
            Candidate(
                raw=raw,
                value=q.value if q else None,
                lower=q.lower if q else None,
                upper=q.upper if q else None,
                qualifier=q.qualifier if q else "",
                unit=q.unit if q else "",
                unit_kind=unit_kind,
                locator=_printed(norm, lo, hi) if hi > lo else "",
                offset=norm.origin[start],
                start=start,
                end=end,
                indicator=indicator,
                indicator_keyword=keyword,
                period_suggestion=dated.before(start),
                source_id=source_id,
                region_id=region_id,
                notes=notes,
            )
        )
    return out


def _printed(norm: NormalizedText, start: int, end: int) -> str:
    """Return :meth:`NormalizedText.printed`, without its searches when there is nothing to drop.

    Only a parenthesis (a pinyin annotation) or a line break in the printed span changes it.
    """
    piece = norm.original[norm.origin[start] : norm.origin[end - 1] + 1]
    if "(" in piece or "（" in piece or "\n" in piece or "\r" in piece:
        return norm.printed(start, end)
    return piece


class _PeriodIndex:
    """The nearest dated period printed before a figure in its paragraph, by binary search."""

    def __init__(self, norm: NormalizedText, periods: Sequence[Period]) -> None:
        self.norm = norm
        self.periods = periods
        self.ends = [p.end for p in periods]  # periods do not overlap: ends are in order
        # dated[i]: the last period among periods[0..i] that names a year (-1: none).
        self.dated: list[int] = []
        for i, p in enumerate(periods):
            self.dated.append(i if p.year is not None else (self.dated[-1] if i else -1))
        self.breaks = [m.start() for m in re.finditer("\n", norm.original)]

    def before(self, start: int) -> str:
        """Return the text of the nearest dated period ending before ``start``, or ``""``.

        ``""`` too when a line break stands between that period and the figure.
        """
        i = bisect_right(self.ends, start) - 1
        j = self.dated[i] if i >= 0 else -1
        if j < 0:
            return ""
        period = self.periods[j]
        lo = self.norm.original_span(period.start, period.end)[1]
        hi = self.norm.origin[start]
        if bisect_left(self.breaks, lo) < bisect_left(self.breaks, hi):
            return ""
        return period.text


# ---- comparing with a data package ------------------------------------------------------


def match_curated(
    candidates: Sequence[Candidate],
    text: str | NormalizedText,
    figures: Sequence[dict[str, str]],
    *,
    window: int | None = None,
) -> dict[int, int]:
    """Pair curated figures with the candidates they record; return ``{figure: candidate}``.

    ``candidates`` must have been extracted from ``text``. A figure (a row of
    ``figures.csv``, as a dict of strings) can record a candidate when
    their ``raw`` are the same once normalized and the figure's ``locator`` is printed
    within ``window`` characters of the candidate (default
    :data:`~dangjian_analysis.curate.provenance.WINDOW`, the rule of ``verify-sources``); the
    candidate's own locator does not have to be the curated one. Each figure records at
    most one candidate and each candidate is recorded by at most one figure; the pairing
    covers as many figures as possible. Keys and values are indexes into ``figures`` and
    ``candidates``.
    """
    from dangjian_analysis.curate.provenance import WINDOW, locator_near

    window = WINDOW if window is None else window
    s = text.text if isinstance(text, NormalizedText) else normalize_text(text)
    by_raw: dict[str, list[int]] = {}
    for i, c in enumerate(candidates):
        by_raw.setdefault(s[c.start : c.end], []).append(i)
    edges: list[list[int]] = []
    for fig in figures:
        loc = normalize_text(fig["locator"])
        options = by_raw.get(normalize_text(fig["raw"]), [])
        edges.append(
            [
                i
                for i in options
                if locator_near(s, candidates[i].start, candidates[i].end, loc, window)
            ]
        )
    owner: dict[int, int] = {}  # candidate -> figure

    def assign(fig: int, seen: set[int]) -> bool:
        for cand in edges[fig]:
            if cand in seen:
                continue
            seen.add(cand)
            if cand not in owner or assign(owner[cand], seen):
                owner[cand] = fig
                return True
        return False

    for fig in range(len(figures)):
        assign(fig, set())
    return {fig: cand for cand, fig in sorted(owner.items())}


def curated_figures(source_id: str, data: str | Path | None = None) -> list[dict[str, str]]:
    """Return the rows of ``figures.csv`` for ``source_id`` in the (validated) package."""
    from dangjian_analysis.package.validation import read_table, validate

    package = validate(data)
    return [r for r in read_table(package, "figures").rows if r["source_id"] == source_id]


def diff_candidates(
    candidates: Sequence[Candidate],
    text: str | NormalizedText,
    *,
    source_id: str,
    data: str | Path | None = None,
) -> list[Candidate]:
    """Mark each candidate ``curated`` or ``new`` against the package at ``data``.

    ``text`` is the article the candidates were extracted from. A candidate is
    ``curated`` when a figure of ``source_id`` records it (:func:`match_curated`: same
    normalized ``raw``, curated ``locator`` printed within the window); its
    ``curated_as`` names that figure. Every other candidate is ``new``.

    Raises:
        DataPackageNotFoundError: when ``data`` holds no data package.
        DataValidationError: when the package is invalid.

    """
    figures = curated_figures(source_id, data)
    pairs = match_curated(candidates, text, figures)
    recorded = {cand: figures[fig]["figure_id"] for fig, cand in pairs.items()}
    return [
        replace(
            c,
            status="curated" if i in recorded else "new",
            curated_as=recorded.get(i, ""),
        )
        for i, c in enumerate(candidates)
    ]


# ---- writing ----------------------------------------------------------------------------


def write_candidates(
    candidates: Iterable[Candidate], out: IO[str], *, status: bool = False
) -> None:
    """Write candidates as CSV (the columns of :data:`CANDIDATE_COLUMNS`) to ``out``.

    With ``status`` the columns ``match`` (the candidate's ``status``: ``curated`` or
    ``new``) and ``curated_as`` of :func:`diff_candidates` follow; the figures' own
    ``status`` column (``forecast``) is left for the curator. Lines end with a line feed;
    the caller picks the encoding (UTF-8, with a byte order mark for spreadsheet programs
    that need one).
    """
    columns = CANDIDATE_COLUMNS + (STATUS_COLUMNS if status else ())
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for c in candidates:
        writer.writerow(c.row())


def candidates_csv(candidates: Iterable[Candidate], *, status: bool = False) -> str:
    """Return the CSV text :func:`write_candidates` writes."""
    buffer = io.StringIO()
    write_candidates(candidates, buffer, status=status)
    return buffer.getvalue()


# ---- identifiers ------------------------------------------------------------------------


def check_ids(source_id: str | None, region_id: str | None, data: str | Path | None = None) -> None:
    """Check ``source_id`` and ``region_id`` against the patterns of the package's schema.

    Raises:
        ValueError: naming the identifier and the pattern it breaks.

    """
    from dangjian_analysis.package.schema import read_datapackage

    package = read_datapackage(data)
    for value, resource, name in (
        (source_id, "sources", "source_id"),
        (region_id, "regions", "region_id"),
    ):
        if not value:
            continue
        field = next(f for f in package.fields(resource) if f["name"] == name)
        pattern = field.get("constraints", {}).get("pattern")
        if pattern and not re.search(pattern, value):
            raise ValueError(
                f"{name} {value!r} does not match {pattern} (the pattern of {resource}.csv)"
            )


def source_for_article(article: str | Path, data: str | Path | None = None) -> str:
    """Return the source whose ``corpus_file`` is the file name of ``article``.

    Raises:
        ValueError: when no source of the package at ``data`` names that file.

    """
    from dangjian_analysis.package.validation import read_table, validate

    name = Path(article).name
    package = validate(data)
    for row in read_table(package, "sources").rows:
        if row["corpus_file"] == name:
            return row["source_id"]
    raise ValueError(
        f"no source in {package.folder / 'sources.csv'} has corpus_file {name!r}; give --source-id"
    )
