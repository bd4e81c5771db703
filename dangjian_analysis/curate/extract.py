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
package; :func:`read_article` reads a text file in UTF-8, GB18030 or Big5.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from dangjian_analysis.curate.indicator_rules import IndicatorRules, load_rules
from dangjian_analysis.text.normalize import NormalizedText, normalize_text, normalize_with_offsets
from dangjian_analysis.text.quantity import (
    APPROX_SUFFIXES,
    MULTIPLIERS,
    POSTFIXES,
    PREFIXES,
    UNIT_KINDS,
    QuantityParseError,
    parse_quantity,
)

__all__ = [
    "CANDIDATE_COLUMNS",
    "ENCODINGS",
    "LOCATOR_MAX",
    "STATUS_COLUMNS",
    "ArticleError",
    "Candidate",
    "Period",
    "candidates_csv",
    "check_ids",
    "curated_figures",
    "diff_candidates",
    "extract_candidates",
    "find_periods",
    "match_curated",
    "read_article",
    "source_for_article",
    "write_candidates",
]

#: Encodings tried, in this order, when reading an article.
ENCODINGS = ("UTF-8", "GB18030", "Big5")

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
    "notes",
)
EXTRA_COLUMNS = ("unit_kind", "offset", "period_suggestion", "indicator_keyword")
STATUS_COLUMNS = ("status", "curated_as")
CANDIDATE_COLUMNS = FIGURE_COLUMNS + EXTRA_COLUMNS


class ArticleError(ValueError):
    """An article file that cannot be read as text: missing, empty, binary or undecodable."""


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
            status=self.status,
            curated_as=self.curated_as,
        )
        return cells


def _fmt(x: float | None) -> str:
    """Render a number as ``figures.csv`` writes it: ``127000``, ``0.7252``, or empty."""
    if x is None:
        return ""
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


# ---- reading an article -----------------------------------------------------------------


def _odd(text: str) -> bool:
    """Whether decoded text holds private-use, unassigned or surrogate characters.

    Big5 bytes decode as GB18030 without error, but Big5 punctuation lands in GB18030's
    user-defined area (private-use characters); this check sends such files on to Big5.
    """
    return any(unicodedata.category(ch) in ("Co", "Cn", "Cs") for ch in text)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _control(text: str) -> int | None:
    """Return the index of the first control character other than whitespace, if any."""
    found = _CONTROL.search(text)
    return None if found is None else found.start()


def read_article(path: str | Path) -> tuple[str, str]:
    """Read an article; return its text and the encoding used (one of :data:`ENCODINGS`).

    Encodings are tried in the order of :data:`ENCODINGS`; a GB18030 or Big5 decoding that
    gives private-use or unassigned characters is rejected and the next one is tried (Big5
    bytes are valid GB18030 too, but their punctuation decodes to private-use characters).
    A UTF-8 byte order mark is dropped.

    Raises:
        ArticleError: when the file is missing, not a file, empty, binary (NUL bytes or
            control characters), UTF-16 or in none of the encodings.

    """
    path = Path(path)
    if not path.exists():
        raise ArticleError(f"article {path} does not exist")
    if not path.is_file():
        raise ArticleError(f"article {path} is not a file")
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(f"article {path} is UTF-16; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul != -1:
        raise ArticleError(f"article {path} looks binary: NUL byte at offset {nul}")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise ArticleError(f"article {path} is empty")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding.lower().replace("-", "_"))
        except UnicodeDecodeError:
            continue
        if encoding != ENCODINGS[0] and _odd(text):
            continue
        if not text.strip():
            raise ArticleError(f"article {path} is empty")
        bad = _control(text)
        if bad is not None:
            raise ArticleError(
                f"article {path} is not plain text: control character U+{ord(text[bad]):04X} "
                f"at character {bad} (read as {encoding})"
            )
        return text, encoding
    raise ArticleError(
        f"article {path} is not text in {', '.join(ENCODINGS[:-1])} or {ENCODINGS[-1]}"
    )


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
_QUANTITY = re.compile(
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
                text=norm.printed(m.start(), m.end()),
                offset=norm.original_span(m.start(), m.end())[0],
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


def _is_boundary(ch: str) -> bool:
    return ch in _BOUNDARY or ch in _DIGITS


def _locator(s: str, start: int, end: int, stops: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """Return the span of the locator of the figure at ``start:end`` in normalized text.

    The words before the figure, back to punctuation, a digit, another figure or date, at
    most :data:`LOCATOR_MAX` characters; when fewer than two, the words after it. Quotation
    marks at either end are left out.
    """
    floor = max((e for b, e in stops if e <= start), default=0)
    lo = start
    while lo > floor and start - lo < LOCATOR_MAX and not _is_boundary(s[lo - 1]):
        lo -= 1
    lo, hi = _trim_quotes(s, lo, start)
    if hi - lo >= 2:
        return lo, hi
    ceiling = min((b for b, e in stops if b >= end), default=len(s))
    hi = end
    while hi < ceiling and hi - end < LOCATOR_MAX and not _is_boundary(s[hi]):
        hi += 1
    return _trim_quotes(s, end, hi)


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
    lo = start
    while lo > floor and start - lo < _CONTEXT_BEFORE and s[lo - 1] not in _SENTENCE_END:
        lo -= 1
    hi = end
    while hi < ceiling and hi - end < _CONTEXT_AFTER and not _is_boundary(s[hi]):
        hi += 1
    return s[lo:start], s[end:hi]


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
    """
    rules = rules or load_rules()
    norm = normalize_with_offsets(text)
    s = norm.text
    periods = find_periods(norm)
    period_spans = [(p.start, p.end) for p in periods]
    masked = period_spans + [(m.start(), m.end()) for m in _IDIOMS.finditer(s)]
    spans: list[tuple[int, int]] = []
    for m in _QUANTITY.finditer(s):
        start = _accept(s, m)
        if start is None:
            continue
        end = m.end()
        if any(b < end and start < e for b, e in masked):
            continue  # part of a date or a set phrase
        rng = _RANGE_BEFORE.search(s, max(0, start - 20), start)
        if rng and rng.end() == start:
            start = rng.start()  # 5、6个: reported whole, the parser says it is a range
        spans.append((start, end))

    stops = sorted(spans + period_spans)
    out = []
    for start, end in spans:
        raw = norm.printed(start, end)
        notes = ""
        try:
            q = parse_quantity(raw)
        except QuantityParseError as exc:
            try:  # a form the parser reads only in Simplified characters
                q = parse_quantity(s[start:end])
                notes = f"raw as printed is not read by parse_quantity ({exc}); fix the parser"
            except QuantityParseError as exc_simplified:
                q = None
                notes = f"not parsed: {exc_simplified}"
        lo, hi = _locator(s, start, end, [sp for sp in stops if sp != (start, end)])
        floor = max((e for b, e in spans if e <= start), default=0)
        ceiling = min((b for b, e in spans if b >= end), default=len(s))
        before, after = _context(s, start, end, floor, ceiling)
        unit_kind = q.unit_kind if q else None
        indicator, keyword = rules.suggest(before, after, unit_kind) if q else ("", "")
        offset = norm.original_span(start, end)[0]
        out.append(
            Candidate(
                raw=raw,
                value=q.value if q else None,
                lower=q.lower if q else None,
                upper=q.upper if q else None,
                qualifier=q.qualifier if q else "",
                unit=q.unit if q else "",
                unit_kind=unit_kind,
                locator=norm.printed(lo, hi) if hi > lo else "",
                offset=offset,
                start=start,
                end=end,
                indicator=indicator,
                indicator_keyword=keyword,
                period_suggestion=_period_before(norm, periods, start),
                source_id=source_id or "",
                region_id=region_id or "",
                notes=notes,
            )
        )
    return out


def _period_before(norm: NormalizedText, periods: Sequence[Period], start: int) -> str:
    """Return the nearest dated period printed before a figure in its paragraph, or ``""``."""
    for period in reversed(periods):
        if period.end > start or period.year is None:
            continue
        lo = norm.original_span(period.start, period.end)[1]
        hi = norm.original_span(start, start + 1)[0]
        return "" if "\n" in norm.original[lo:hi] else period.text
    return ""


# ---- comparing with a data package ------------------------------------------------------


def _window_has(text: str, start: int, end: int, needle: str, window: int) -> bool:
    lo, hi = max(0, start - window - len(needle)), end + window + len(needle)
    return needle in text[lo:hi]


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
    from dangjian_analysis.curate.provenance import WINDOW

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
                if _window_has(s, candidates[i].start, candidates[i].end, loc, window)
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

    With ``status`` the columns ``status`` and ``curated_as`` of :func:`diff_candidates`
    follow. Lines end with a line feed; the caller picks the encoding (UTF-8, with a byte order
    mark for spreadsheet programs that need one).
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
