"""Parse Chinese quantity expressions such as ``12.7万余家`` or ``60%以上``.

The parser turns a number as printed in a Chinese article into a value in base units
(yuan, persons, counts, ratios between 0 and 1) with the bounds implied by its qualifier
words, following the bounds rule in ``data/CURATION.md``:

========================  ==============  ==============  ==============
printed                   qualifier       lower           upper
========================  ==============  ==============  ==============
no qualifier word         ``exact``       value           value
余, 多, 超过, 突破, 过      ``more than``   value           none
以上                       ``at least``    value           none
近                         ``nearly``      none            value
不足, 不到, 少于, 低于            ``less than``   none            value
约, 大约, 左右               ``about``       value × 0.95    value × 1.05
========================  ==============  ==============  ==============

English-language reports of the same statistics (national figures reprinted by Xinhua's
or China Daily's English services) print the same kinds of quantity in English words:
``1.579 million``, ``53.1 percent``, ``over 53%``, ``Nearly 1.88 million``,
``More than 300,000``. These forms are read too, with the same bounds rule: *more than*
and *over* give ``more than``, *at least* gives ``at least``, *nearly* and *almost* give
``nearly``, *less than* and *fewer than* give ``less than``, *about* and *around* give
``about``; *thousand*, *million* and *billion* are
multipliers; *percent* (or *per cent*) is a percentage and *percentage points* a
difference of percentages. Letter case and spaces between words do not matter.

Arithmetic is done in :class:`decimal.Decimal` so that ``72.52%`` becomes exactly the float
nearest to 0.7252, the same float that ``float("0.7252")`` gives when the CSV is read.

Chinese numerals
----------------
The rule is that a printed number is read as the number it shows, or refused with a
:class:`QuantityParseError` that names what could not be read. The parser never returns
another number: a value that passes validation because ``raw`` and ``value`` agree must
be the value printed. Numerals are read by a strict grammar written for this module.

Read:

* positional numerals in standard writing: ``一千二百``, ``一百零五``, ``一千零十``,
  ``二十万零五百``, ``三万亿``; ``两`` before 百, 千, 万 and 亿 (``两千六百``) and alone;
  a unit without a digit at the start (``十五``, ``百万``, ``过亿元``);
* the colloquial last digit: one digit after 百, 千, 万 or 亿 with no ``零`` between
  stands one place below that unit: ``三万五`` is 35,000, ``两千六`` 2,600, ``一百二``
  120, ``一百二十万三`` 1,203,000 (``一千零二`` stays 1,002);
* decimals with ``点``: ``零点二八``, ``百分之七十二点五``, ``三千一百六十四点四``,
  ``三点五万``;
* negatives: ``负三点八``, ``-10.1万``;
* ``廿`` (20), ``卅`` (30), ``卌`` (40); ``〇`` as ``零``; financial numerals
  (``壹仟贰佰``, ``叁拾万元整``) and Traditional characters (``萬``, ``億``, ``兩``,
  ``點``, ``負``, ``貳``, ``參``, ``陸``);
* digits read one by one, as in years and codes (``二〇一三``, ``一九九八``): a run of
  the common digits (not ``两``, not financial ones) without units is read so when it
  has a ``〇``/``零`` after its first digit or has four digits or more;
* Arabic digits mixed with Chinese units: ``1.5万``, ``3亿余``, ``1万600``, ``100万三千``,
  ``3亿5000万``, ``1亿2千万``.

Refused, each with its reason:

* two numbers side by side, or a unit repeated where the grammar does not allow it:
  ``五十三十``, ``三千五千``, ``一十一十``, ``万万万``, ``百百``, ``一万二千万``;
* two digits in a row, which print a range or a list: ``一二十``, ``三四个``, ``十七八``,
  ``五六百家``, ``两三个``, and runs of two or three digits without a ``〇``
  (``一二三``);
* vague numbers: ``十几``, ``几十``, ``数十``, ``上百``, ``十来个``;
* ``零`` missing where a place is skipped (``一千五十``, ``一万五百``, ``一亿一千``: is
  the last 一亿零一千 or the abbreviated 一亿一千万?), written where none is
  (``一千零五百``, ``十万零一千``), doubled, first or last;
* a colloquial last digit that is not last (``一千二万``, ``一百二点五``: 120.5 or
  102.5?), after a unit with no digit (``万五``, ``千五``), or after ``万亿``;
  ``两`` as a last digit or before ``十`` (``一百两`` may be a hundred taels);
* one Arabic digit after a unit (``1万6``: 16,000 or 10,006?);
* ``成`` (tenths; ``三成`` is 30%): ``八成`` also means "most likely", and ``七八成``
  is a range, so such figures are recorded as percentages by the curator;
  ``兆`` (10⁶ or 10¹² depending on the text);
* a bound on a negative number (``负3%以上``: on the value or on its size?); ``约`` and
  ``左右`` are symmetric and allowed;
* input longer than :data:`MAX_LENGTH` characters, and values too large for a float.

Time is linear in the length of the input (one pass to split it into tokens, one over
the tokens), and the length is capped, so no input makes the parser hang.

Why a grammar of its own and not cn2an: the numeral library cn2an reads many of the same
forms, but its strict mode refuses ``两`` and the colloquial last digit, and its lenient
modes read forms this parser must refuse: ``一百二点五`` as 120.5, ``一千零`` as 1,000,
``一亿零一千万`` as 110,000,000; its writer prints 100,001,000 as ``一亿一千``. A
dependency whose lenience decides what is read would let a silently different number
through, so cn2an is a test dependency only: the tests hold this grammar against it as an
independent oracle (``tests/test_quantity_oracle.py``), and run-time dependencies are
unchanged.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import NamedTuple

__all__ = [
    "ABOUT_WIDTH",
    "APPROX_SUFFIXES",
    "MAX_LENGTH",
    "MULTIPLIERS",
    "POSTFIXES",
    "PREFIXES",
    "QUALIFIERS",
    "UNIT_KINDS",
    "Quantity",
    "QuantityParseError",
    "normalize_width",
    "parse_chinese_numeral",
    "parse_quantity",
    "printed_step",
    "unit_kind_compatible",
]

#: Relative half-width of the interval given to 约/左右 figures (±5%).
ABOUT_WIDTH = Decimal("0.05")

#: Qualifiers in the order of the bounds rule.
QUALIFIERS = ("exact", "more than", "at least", "nearly", "less than", "about")

#: Words printed before a number that make it a change rather than a level, and the
#: direction each one gives: ``下降5.2%`` is a change of -5.2%, ``增长-3%`` one of -3%.
CHANGE_WORDS: dict[str, str] = {
    "下降": "decrease",
    "减少": "decrease",
    "降低": "decrease",
    "下滑": "decrease",
    "回落": "decrease",
    "減少": "decrease",
    "增长": "increase",
    "增長": "increase",
    "增加": "increase",
    "上升": "increase",
    "提高": "increase",
    "提升": "increase",
}

#: The longest string read, in characters. A longer one raises
#: :class:`QuantityParseError`: a quantity as printed is a few characters long, and the
#: cap bounds the time any input can take.
MAX_LENGTH = 200


class QuantityParseError(ValueError):
    """Raised when a string is not a quantity expression the parser understands."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity.

    Attributes:
        raw: the string as given to the parser.
        value: the printed number in base units.
        lower: the lower bound in base units, or ``None`` when unbounded below.
        upper: the upper bound in base units, or ``None`` when unbounded above.
        qualifier: one of :data:`QUALIFIERS`.
        unit: the printed unit after any multiplier (``家``, ``元``, ``%``), or ``""``.
        unit_kind: the kind of the unit (see :data:`UNIT_KINDS`), or ``None`` when the
            expression carries no unit.
        change: ``""`` for a level (a count, an amount, a rate), ``"decrease"`` or
            ``"increase"`` for a change printed with one of :data:`CHANGE_WORDS`
            (``下降5.2%``, ``增长-3%``), whose ``value`` carries the sign of the change.

    """

    raw: str
    value: float
    lower: float | None
    upper: float | None
    qualifier: str
    unit: str
    unit_kind: str | None
    change: str = ""


#: Printed units (Simplified and Traditional forms) and the unit kind each one gives.
UNIT_KINDS: dict[str, str] = {
    "个百分点": "percentage_points",
    "個百分點": "percentage_points",
    "百分点": "percentage_points",
    "百分點": "percentage_points",
    "%": "ratio",
    "人次": "person_times",
    "家次": "count",
    "批次": "count",
    "场次": "count",
    "場次": "count",
    "名": "persons",
    "人": "persons",
    "位": "persons",
    "元": "yuan",
    "家": "count",
    "个": "count",
    "個": "count",
    "项": "count",
    "項": "count",
    "期": "count",
    "次": "count",
    "支": "count",
    "条": "count",
    "條": "count",
    "户": "count",
    "戶": "count",
    "所": "count",
    "座": "count",
    "处": "count",
    "處": "count",
    "批": "count",
    "场": "count",
    "場": "count",
    "件": "count",
    "种": "count",
    "種": "count",
}


#: Qualifier words printed before the number, and the qualifier each one gives.
PREFIXES: dict[str, str] = {
    "大约": "about",
    "大約": "about",
    "約": "about",
    "约": "about",
    "超过": "more than",
    "超過": "more than",
    "突破": "more than",
    "过": "more than",
    "過": "more than",
    "逾": "more than",
    "近": "nearly",
    "不足": "less than",
    "不到": "less than",
    "少于": "less than",
    "低于": "less than",
    "少於": "less than",
    "低於": "less than",
    # English words, matched after spaces are removed and letters lowered.
    "morethan": "more than",
    "over": "more than",
    "atleast": "at least",
    "nearly": "nearly",
    "almost": "nearly",
    "lessthan": "less than",
    "fewerthan": "less than",
    "about": "about",
    "around": "about",
}
#: Qualifier words printed after a number and its unit (``以上``, ``左右``), by qualifier.
POSTFIXES: dict[str, str] = {
    "以上": "at least",
    "左右": "about",
}
#: Approximation words printed between a number and its unit (``余``, ``多``).
APPROX_SUFFIXES: dict[str, str] = {"余": "more than", "餘": "more than", "多": "more than"}

#: Multiplier words and their values (``万``, ``亿``).
MULTIPLIERS: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12,
    "萬億": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "億": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "萬": Decimal(10) ** 4,
    "千": Decimal(1000),
    "百": Decimal(100),
    "十": Decimal(10),
}
# The multipliers that may follow 余 or 多 (3000多万, 十余万, 一万多亿), longest first.
_BIG_MULTIPLIERS = [
    m for m in sorted(MULTIPLIERS, key=len, reverse=True) if MULTIPLIERS[m] >= 10**4
]

# English multipliers: only after a number (a bare "million" is not read as one million).
_WORD_MULTIPLIERS: dict[str, Decimal] = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
}

# English units as matched (spaces removed, lower case) -> (unit as reported, unit kind).
_WORD_UNITS: dict[str, tuple[str, str]] = {
    "percentagepoints": ("percentage points", "percentage_points"),
    "percentagepoint": ("percentage point", "percentage_points"),
    "percent": ("percent", "ratio"),
}
_UNIT_FORMS: dict[str, tuple[str, str]] = {
    **{unit: (unit, kind) for unit, kind in UNIT_KINDS.items()},
    **_WORD_UNITS,
}


def _words_at_start(words: dict[str, object]) -> re.Pattern[str]:
    # Longest first, so that 人次 wins over 人 and 个百分点 over 个.
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_UNIT_WORD = _words_at_start(_UNIT_FORMS)
_CHANGE_WORD = _words_at_start(CHANGE_WORDS)
_PREFIX_WORD = _words_at_start(PREFIXES)
_APPROX_WORD = _words_at_start(APPROX_SUFFIXES)
_POSTFIX_WORD = re.compile(f"(?:{_words_at_start(POSTFIXES).pattern})$")

# ---- the numeral grammar's characters ------------------------------------------------

# Digits, with the financial (大写) and Traditional forms.
_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "叄": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_PLAIN_DIGITS = frozenset("零〇一二三四五六七八九")  # digits that codes and years use
_LIANG = frozenset("两兩")  # 2 as a count: before a unit or alone, never a last digit
_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_TENS: dict[str, int] = {"廿": 2, "卅": 3, "卌": 4}  # 廿 is 二十
_POINTS = "点點"
_SIGNS = ("负", "負", "-")
_WAN, _YI = 10**4, 10**8
# The orders in which 万 and 亿 can appear in one number (一万亿零五百万 is 万, 亿, 万).
_BIG_ORDERS = {(), (_WAN,), (_YI,), (_WAN, _YI), (_YI, _WAN), (_WAN, _YI, _WAN)}
# Units that may follow a number's digits as a multiplier: 1.5万, 12.7万亿, 三点五亿.
_MULTIPLIER_UNITS = {
    (): 1,
    **{(u,): u for u in (10, 100, 1000, _WAN, _YI)},
    **{(u, big): u * big for u in (10, 100, 1000) for big in (_WAN, _YI)},
    (_WAN, _YI): _WAN * _YI,
}
_NUMERAL_CHARS = "".join([*_DIGITS, *_UNITS, *_BIG_UNITS, *_TENS])

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９．，％　",
    "0123456789.,% ",
)
_MINUS = str.maketrans({"－": "-", "−": "-"})
_ARABIC = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
# The characters of one number: digits, units, the decimal point; 百 and 千 not before
# 分, which belong to 百分点 and 千分之.
_RUN = re.compile(
    f"(?:[0-9.{''.join(_DIGITS)}十拾{''.join(_BIG_UNITS)}{''.join(_TENS)}{_POINTS}]"
    "|[百佰千仟](?!分))+"
)
_FRACTION = re.compile(f"([0-9{_NUMERAL_CHARS}]+)分之({_RUN.pattern})")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_RANGE_CHARS = f"0-9{_NUMERAL_CHARS}"
_RANGE = re.compile(
    rf"\d(?:、|至|到|-|~|—|–|to)\d|[{_RANGE_CHARS}](?:、|至|到|~|—|–)[{_RANGE_CHARS}]"
)
_VAGUE = re.compile(f"几|^(?:数|上|成|好几)[{''.join(_UNITS)}{''.join(_BIG_UNITS)}]")
# Words after a number that are not read, and why.
_REFUSED_AFTER = {
    "来": "a vague number (十来个 is about ten)",
    "成": (
        "成 (tenths) is not read: 八成 also means 'most likely' and 七八成 is a range;"
        " record the figure as a percentage"
    ),
    "兆": "兆 is 10^6 or 10^12 depending on the text",
}


# ---- the numeral grammar -------------------------------------------------------------

_DIGIT, _UNIT, _BIG, _ARABIC_NUMBER, _POINT = "digit", "unit", "big", "arabic", "point"


class _Token(NamedTuple):
    kind: str  # one of _DIGIT, _UNIT, _BIG, _ARABIC_NUMBER, _POINT
    value: int  # the digit, or the unit's value; 0 for Arabic digits and the point
    text: str  # as printed


class _Reading(NamedTuple):
    """A number as read: its value and what the printed step and multipliers need."""

    value: Decimal
    top: int  # the largest unit written: 1 (none), 10, ..., 10**12
    arabic: str | None = None  # the Arabic digits of "digits × multiplier" forms
    multiplier: int = 1  # the multiplier after those digits


# The token or tokens of each Chinese character (廿 is 二 and 十).
_CHAR_TOKENS: dict[str, tuple[_Token, ...]] = {
    **{ch: (_Token(_DIGIT, v, ch),) for ch, v in _DIGITS.items()},
    **{ch: (_Token(_UNIT, v, ch),) for ch, v in _UNITS.items()},
    **{ch: (_Token(_BIG, v, ch),) for ch, v in _BIG_UNITS.items()},
    **{ch: (_Token(_DIGIT, v, ch), _Token(_UNIT, 10, ch)) for ch, v in _TENS.items()},
    **{ch: (_Token(_POINT, 0, ch),) for ch in _POINTS},
}


def _tokenize(run: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(run):
        ch = run[i]
        if "0" <= ch <= "9":
            arabic = _ARABIC.match(run, i)
            assert arabic is not None
            tokens.append(_Token(_ARABIC_NUMBER, 0, arabic.group()))
            i = arabic.end()
            continue
        if ch not in _CHAR_TOKENS:
            raise QuantityParseError(f"cannot read {ch!r} in {run!r}")
        tokens += _CHAR_TOKENS[ch]
        i += 1
    return tokens


def _text(tokens: list[_Token]) -> str:
    out: list[str] = []
    for t in tokens:
        if not (out and t.kind == _UNIT and t.text in _TENS):  # 廿 is one character
            out.append(t.text)
    return "".join(out)


def _multiplier(tokens: list[_Token]) -> int | None:
    """Return the value of units printed as a multiplier (万, 百万, 万亿), or None."""
    if any(t.kind not in (_UNIT, _BIG) or t.text in _TENS for t in tokens):
        return None
    return _MULTIPLIER_UNITS.get(tuple(t.value for t in tokens))


def _read_numeral(run: str) -> _Reading:
    """Read one number printed without a sign: Chinese, Arabic or mixed."""
    tokens = _tokenize(run)
    points = [i for i, t in enumerate(tokens) if t.kind == _POINT]
    if len(points) > 1:
        raise QuantityParseError("more than one decimal point")
    if points:
        return _read_decimal(tokens, points[0])
    first = tokens[0]
    if first.kind == _ARABIC_NUMBER:
        multiplier = _multiplier(tokens[1:])
        if multiplier is not None:  # 927, 12.7万, 10.2万亿
            return _Reading(Decimal(first.text) * multiplier, multiplier, first.text, multiplier)
        if "." in first.text:
            raise QuantityParseError(
                f"a decimal number ({first.text}) may be followed only by a multiplier such as 万"
            )
    if len(tokens) == 1 and first.kind == _DIGIT and first.value == 0:
        return _Reading(Decimal(0), 1)
    if len(tokens) > 1 and all(t.kind == _DIGIT for t in tokens):
        return _Reading(_digit_by_digit(tokens), 1)
    value, top = _Positional(tokens).read()
    return _Reading(Decimal(value), top)


def _read_decimal(tokens: list[_Token], point: int) -> _Reading:
    """Read ``零点二八``, ``七十二点五`` or ``三点五万``."""
    left, right = tokens[:point], tokens[point + 1 :]
    if not left:
        raise QuantityParseError(f"no number before {tokens[point].text}")
    if any(t.kind == _ARABIC_NUMBER for t in tokens):
        raise QuantityParseError(f"Arabic digits with {tokens[point].text}")
    if left[-1].text in _LIANG:
        raise QuantityParseError(f"两 before {tokens[point].text} (两点 is a time)")
    k = 0
    while k < len(right) and right[k].kind == _DIGIT and right[k].text not in _TENS:
        k += 1
    digits, units = right[:k], right[k:]
    if not digits:
        raise QuantityParseError(f"no digit after {tokens[point].text}")
    if any(t.text in _LIANG for t in digits):
        raise QuantityParseError("两 is not a decimal digit")
    # Only 万, 亿 and 万亿 follow the decimals: 三点五万, not 二点五一千 (2.51千 or 2.5 and 一千?).
    multiplier = _multiplier(units)
    if multiplier is None or any(t.kind == _UNIT for t in units):
        raise QuantityParseError(f"cannot read {_text(units)!r} after the decimals")
    if len(left) == 1 and left[0].kind == _DIGIT and left[0].value == 0:
        whole, top = 0, 1
    else:
        whole, top = _Positional(left, abbreviation=False).read()
    if multiplier > 1 and top >= min(t.value for t in units):
        raise QuantityParseError(f"{_text(units)} after a number that has {top:,}s")
    fraction = Decimal("0." + "".join(str(t.value) for t in digits))
    return _Reading((whole + fraction) * multiplier, max(top, multiplier))


def _digit_by_digit(tokens: list[_Token]) -> Decimal:
    """Read digits one by one, as in years and codes: 二〇一三 is 2013."""
    if tokens[0].value == 0:
        raise QuantityParseError(f"a code that starts with {tokens[0].text} is not a number")
    if not any(t.value == 0 for t in tokens[1:]) and len(tokens) < 4:
        raise QuantityParseError(
            "two digits in a row: a range such as 三四个, or a list, not one number"
        )
    if any(t.text not in _PLAIN_DIGITS for t in tokens):
        raise QuantityParseError("only the digits 〇 and 一 to 九 are read one by one")
    return Decimal("".join(str(t.value) for t in tokens))


class _Positional:
    """A numeral with units: sections below 万 joined by 万 and 亿.

    ``read`` returns the value and the largest unit written. Every rule that refuses a
    form raises :class:`QuantityParseError` naming the part it could not read.
    """

    def __init__(self, tokens: list[_Token], *, abbreviation: bool = True) -> None:
        self.tokens = tokens
        self.abbreviation = abbreviation  # may the last digit be the colloquial one?

    def fail(self, why: str) -> QuantityParseError:
        return QuantityParseError(why)

    def part(self, lo: int, hi: int) -> str:
        return _text(self.tokens[lo:hi])

    def read(self) -> tuple[int, int]:
        tokens = self.tokens
        bigs = [i for i, t in enumerate(tokens) if t.kind == _BIG]
        order = tuple(tokens[i].value for i in bigs)
        if order not in _BIG_ORDERS:
            units = "".join(tokens[i].text for i in bigs)
            raise self.fail(
                f"万 and 亿 in an order no number has ({units}): a unit repeated, or two"
                " numbers side by side"
            )
        if _YI in order:
            yi = bigs[order.index(_YI)]
            has_wan = order[0] == _WAN
            if yi == 0:
                if len(tokens) > 1:
                    raise self.fail("亿 with no digit before it is followed by more")
                return _YI, _YI
            coefficient = self.wan(0, yi, final=False, coefficient=True)
            tail = self.tail(
                yi + 1,
                len(tokens),
                _YI,
                final=self.abbreviation,
                after_wan=has_wan,
                coefficient=coefficient,
            )
            return coefficient * _YI + tail, _WAN * _YI if has_wan else _YI
        if order:
            return self.wan(0, len(tokens), final=self.abbreviation), _WAN
        value = self.section(0, len(tokens), final=self.abbreviation)
        return value, max((t.value for t in tokens if t.kind == _UNIT), default=1)

    def wan(
        self,
        lo: int,
        hi: int,
        *,
        final: bool,
        after_zero: bool = False,
        coefficient: bool = False,
    ) -> int:
        """Read a number below 10^8: [section 万] [section]."""
        w = next((i for i in range(lo, hi) if self.tokens[i].kind == _BIG), None)
        if w is None:
            return self.section(lo, hi, final=final, after_zero=after_zero, coefficient=coefficient)
        if w == lo:
            if lo != 0:
                raise self.fail(f"{self.tokens[w].text} with no digit before it")
            if hi > w + 1:
                raise self.fail(
                    f"{self.tokens[w].text} with no digit before it is followed by more"
                )
            return _WAN
        coefficient = self.section(lo, w, final=False, coefficient=True, after_zero=after_zero)
        return coefficient * _WAN + self.tail(w + 1, hi, _WAN, final=final, coefficient=coefficient)

    def tail(
        self,
        lo: int,
        hi: int,
        big: int,
        *,
        final: bool,
        after_wan: bool = False,
        coefficient: int = 1,
    ) -> int:
        """Read the part after 万 or 亿 (``big``), which must be less than ``big``.

        ``coefficient`` is the number before 万 or 亿. When it ends in zero (十万, 一百九十万),
        the place just below the unit is skipped whatever follows, so a 零 may stand
        before the rest: 十万零一千 is 101,000, as is 十万一千.
        """
        if lo == hi:
            return 0
        tokens, unit = self.tokens, self.tokens[lo - 1].text
        first = tokens[lo]
        if hi - lo == 1 and first.kind == _ARABIC_NUMBER:  # 1万600
            if "." in first.text:
                raise self.fail(f"a decimal number ({first.text}) after {unit}")
            if len(first.text) == 1:
                raise self.fail(
                    f"one Arabic digit after {unit} ({unit}{first.text}): is it"
                    f" {unit}{first.text}{'千' if big == _WAN else '千万'} or"
                    f" {unit}零{first.text}?"
                )
            if first.text[0] == "0":
                raise self.fail(f"{first.text} after {unit} starts with 0")
            value = int(first.text)
            if value >= big:
                raise self.fail(f"{first.text} after {unit} is {unit} or more")
            return value
        if hi - lo == 1 and first.kind == _DIGIT and first.value != 0:  # 三万五
            if not final:
                raise self.fail(f"the colloquial last digit {unit}{first.text} is not last")
            if first.text in _LIANG:
                raise self.fail(f"两 as a last digit ({unit}{first.text})")
            if after_wan:
                raise self.fail(f"a last digit after 万亿 ({unit}{first.text}) is ambiguous")
            return first.value * big // 10
        if first.kind == _DIGIT and first.value == 0:  # 一万零五百
            if lo + 1 == hi:
                raise self.fail(f"{first.text} at the end")
            second = tokens[lo + 1]
            if second.kind == _DIGIT and second.value == 0:
                raise self.fail(f"{first.text}{second.text}: 零 twice")
            if second.kind == _ARABIC_NUMBER:
                raise self.fail(f"{first.text} before Arabic digits")
            value = self.group(lo + 1, hi, big, final=final, after_zero=True)
            if value * 10 >= big and coefficient % 10 != 0:
                raise self.fail(
                    f"{first.text} after {unit} where no place is skipped ({self.part(lo - 1, hi)})"
                )
            return value
        value = self.group(lo, hi, big, final=final)
        if value >= big:
            raise self.fail(f"{self.part(lo, hi)} after {unit} is {unit} or more")
        if first.kind != _ARABIC_NUMBER and value * 10 < big:
            raise self.fail(
                f"a 零 is missing after {unit}, where a place is skipped ({self.part(lo - 1, hi)})"
            )
        return value

    def group(self, lo: int, hi: int, big: int, *, final: bool, after_zero: bool = False) -> int:
        if big == _YI:
            return self.wan(lo, hi, final=final, after_zero=after_zero)
        if any(t.kind == _BIG for t in self.tokens[lo:hi]):
            raise self.fail(f"{self.part(lo, hi)} after 万")
        return self.section(lo, hi, final=final, after_zero=after_zero)

    def section(
        self,
        lo: int,
        hi: int,
        *,
        final: bool,
        coefficient: bool = False,
        after_zero: bool = False,
    ) -> int:
        """Read a number below 10^4 (or an Arabic coefficient of 万 or 亿): 一千零五十."""
        tokens = self.tokens
        if hi - lo == 1 and tokens[lo].kind == _ARABIC_NUMBER:
            arabic = tokens[lo].text
            if "." in arabic:
                raise self.fail(f"a decimal number ({arabic}) is followed by more")
            if coefficient and int(arabic) > 0 and arabic[0] != "0":
                return int(arabic)
            raise self.fail(f"cannot read {arabic} here")
        if lo == hi:
            raise self.fail("a unit with no number before it")
        value = 0
        place: int | None = None  # the unit of the last digit written
        bare = False  # was that unit printed without a digit?
        zero = False  # a 零 since that digit
        i = lo
        while i < hi:
            t = tokens[i]
            nxt = tokens[i + 1] if i + 1 < hi else None
            if t.kind == _DIGIT and t.value == 0:
                if place is None:
                    raise self.fail(f"{t.text} before the first digit")
                if zero:
                    raise self.fail(f"{tokens[i - 1].text}{t.text}: 零 twice")
                zero, i = True, i + 1
                continue
            if t.kind == _UNIT:  # a unit with no digit: 十五, 百万, 一千零十
                # 十 without a digit: first (十五), after a 零 (一百零十), or right after
                # 百 in the colloquial 一百十一 (111), which no other reading fits.
                allowed = (i == 0 and (t.value == 10 or nxt is None)) or (
                    t.value == 10
                    and (zero or (after_zero and place is None) or (place == 100 and not bare))
                )
                if not allowed and nxt is not None and nxt.kind == _UNIT:
                    raise self.fail(
                        f"{self.part(lo, i + 2)}: a unit repeated, or two numbers side by side"
                    )
                if not allowed:
                    raise self.fail(f"{t.text} with no digit before it ({self.part(lo, i + 1)})")
                digit, unit, bare, step = 1, t, True, 1
            elif t.kind in (_DIGIT, _ARABIC_NUMBER):
                if t.kind == _ARABIC_NUMBER and (len(t.text) > 1 or t.text == "0"):
                    raise self.fail(f"Arabic digits {t.text} inside a Chinese numeral")
                if nxt is None:  # the last digit
                    value += self.last_digit(t, place, zero, bare, final, coefficient, lo, hi)
                    zero = False
                    break
                if nxt.kind != _UNIT:
                    if nxt.kind in (_DIGIT, _ARABIC_NUMBER):
                        raise self.fail(
                            f"two digits in a row ({t.text}{nxt.text}): a range such as"
                            " 三四个 or 十七八, not one number"
                        )
                    raise self.fail(f"cannot read {t.text}{nxt.text}")
                if t.text in _LIANG and nxt.value == 10:
                    raise self.fail(f"{t.text}{nxt.text}: 两 is not written before 十")
                digit, unit, bare, step = (
                    int(t.text) if t.kind == _ARABIC_NUMBER else t.value,
                    nxt,
                    False,
                    2,
                )
            else:
                raise self.fail(f"cannot read {t.text}")
            if place is not None:
                self.check_place(unit.value, place, zero, lo, i + step)
            value += digit * unit.value
            place, zero, i = unit.value, False, i + step
        if zero:
            raise self.fail(f"{tokens[hi - 1].text} at the end")
        return value

    def check_place(self, unit: int, place: int, zero: bool, lo: int, hi: int) -> None:
        """Check a digit's unit against the unit written before it."""
        if unit >= place:
            raise self.fail(
                f"{self.part(lo, hi)}: a unit after a larger or equal one,"
                " two numbers side by side or a unit repeated"
            )
        if zero and unit * 10 >= place:
            raise self.fail(f"零 where no place is skipped ({self.part(lo, hi)})")
        if not zero and unit * 10 < place:
            raise self.fail(f"a 零 is missing where a place is skipped ({self.part(lo, hi)})")

    def last_digit(
        self,
        t: _Token,
        place: int | None,
        zero: bool,
        bare: bool,
        final: bool,
        coefficient: bool,
        lo: int,
        hi: int,
    ) -> int:
        """Return the value of a section's last digit, which has no unit after it."""
        digit = int(t.text) if t.kind == _ARABIC_NUMBER else t.value
        if place is None:  # the whole section is one digit
            if t.kind == _ARABIC_NUMBER and not coefficient:
                raise self.fail(f"one Arabic digit ({t.text}) after a unit")
            if t.text in _LIANG and not (coefficient or len(self.tokens) == 1):
                raise self.fail(f"两 as a last digit ({self.part(lo - 1, hi)})")
            return digit
        if t.kind == _ARABIC_NUMBER:
            raise self.fail(
                f"one Arabic digit after a unit ({self.part(lo, hi)}): a place or the"
                " colloquial last digit?"
            )
        if t.text in _LIANG:
            raise self.fail(f"两 as a last digit ({self.part(lo, hi)})")
        if place == 10 or zero:  # the ones: 二十五, 一百零五
            self.check_place(1, place, zero, lo, hi)
            return digit
        # The colloquial last digit: 一千二 is 1200, 一百二 is 120.
        if not final:
            raise self.fail(f"the colloquial last digit in {self.part(lo, hi)} is not last")
        if bare:
            raise self.fail(f"a last digit after a unit with no digit ({self.part(lo, hi)})")
        return digit * place // 10


# ---- quantities ----------------------------------------------------------------------


def normalize_width(text: str) -> str:
    """Return ``text`` with full-width digits, point, comma, percent and space made ASCII."""
    return text.translate(_FULL_WIDTH)


def _check_input(text: object, reader: str = "parse_quantity") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{reader} reads text, not {type(text).__name__} ({text!r})")
    if len(text) > MAX_LENGTH:
        raise QuantityParseError(
            f"{text[:20]!r}... is {len(text)} characters long; at most {MAX_LENGTH} are read"
        )
    return text


def parse_chinese_numeral(text: str) -> int:
    """Parse a Chinese numeral such as ``一千二百``, ``两万`` or ``十五`` into an integer.

    Reads the integers of the grammar described in the module's documentation: positional
    numerals (``一百零五``, ``三万亿``), the colloquial last digit (``三万五`` is 35000),
    ``廿``/``卅``, financial and Traditional characters (``壹仟贰佰``, ``兩萬``) and digits
    read one by one (``二〇一三``). Decimals and signs are read by :func:`parse_quantity`.

    Raises:
        TypeError: when ``text`` is not a string.
        QuantityParseError: when ``text`` is not a well-formed Chinese numeral, or is
            longer than :data:`MAX_LENGTH` characters.

    """
    _check_input(text, "parse_chinese_numeral")
    if any(ch in _POINTS for ch in text):
        raise QuantityParseError(f"{text!r} has a decimal point; parse_quantity reads it")
    if not text or any(ch not in _NUMERAL_CHARS for ch in text):
        raise QuantityParseError(f"{text!r} is not a Chinese numeral")
    try:
        return int(_read_numeral(text).value)
    except QuantityParseError as exc:
        raise QuantityParseError(f"{text!r}: {exc}") from None


def _number_at_start(text: str) -> tuple[_Reading, str, bool]:
    """Read a number at the start of ``text``.

    Return the reading, the rest of the text, and whether the number is a fraction
    (三分之一, 百分之五十).
    """
    if _VAGUE.search(text):
        raise QuantityParseError("a vague number (几, 数十, 上百), not a figure")
    fraction = _FRACTION.match(text)
    if fraction:
        den, num = (_read_numeral(part) for part in fraction.groups())
        if den.value != den.value.to_integral_value():
            raise QuantityParseError("a fraction whose denominator is not a whole number")
        if den.value == 0:
            raise QuantityParseError("a fraction with denominator zero")
        return _Reading(num.value / den.value, 1), text[fraction.end() :], True
    run = _RUN.match(text)
    if run is None:
        raise QuantityParseError("no number found")
    return _read_numeral(run.group()), text[run.end() :], False


def _strip_prefix(
    text: str, words: re.Pattern[str], table: dict[str, str]
) -> tuple[str | None, str]:
    word = words.match(text)
    return (table[word.group()], text[word.end() :]) if word else (None, text)


def _strip_suffix(
    text: str, words: re.Pattern[str], table: dict[str, str]
) -> tuple[str | None, str]:
    word = words.search(text)
    return (table[word.group()], text[: word.start()]) if word else (None, text)


def _set_qualifier(current: str | None, new: str | None, raw: str) -> str | None:
    if new is None:
        return current
    if current is not None and current != new:
        raise QuantityParseError(f"{raw!r}: conflicting qualifiers {current!r} and {new!r}")
    return new


def _prepare(raw: str) -> str:
    """Return ``raw`` as matched: ASCII width, no spaces, no thousands commas, lower case."""
    text = re.sub(r"\s+", "", normalize_width(raw).translate(_MINUS))
    return _THOUSANDS.sub("", text).lower()


def parse_quantity(raw: str) -> Quantity:
    """Parse a quantity as printed in a Chinese text (or an English report of one).

    Handles Arabic digits with 十/百/千/万/亿/万亿 multipliers (``12.7万余家``), Chinese
    numerals (``一千二百``, ``两万``, ``三万五``, ``零点二八``, ``壹仟贰佰``), mixed forms
    (``1万600``), negatives (``负三点八``), fractions (``三分之一``, ``百分之七十二点五``),
    percent and percentage points (``72.52%``, ``3个百分点``), full-width digits and
    thousands commas, and the qualifier words of the bounds rule; and the English forms
    ``1.579 million``, ``53.1 percent``, ``over 53%``, ``Nearly 1.88 million``,
    ``More than 300,000``. The module's documentation lists the numerals it reads and
    those it refuses.

    >>> q = parse_quantity("12.7万余家")
    >>> (q.value, q.lower, q.upper, q.unit, q.qualifier)
    (127000.0, 127000.0, None, '家', 'more than')

    Raises:
        TypeError: when ``raw`` is not a string.
        QuantityParseError: when ``raw`` is empty, longer than :data:`MAX_LENGTH`
            characters, holds no number, holds a range (``5、6个``) or a vague number
            (``十几``), or has text the parser does not understand; the message names
            what it could not read.

    """
    if isinstance(raw, str) and len(raw) <= _FAST_LENGTH:
        simple = _SIMPLE.fullmatch(raw)
        if simple is not None:
            return _parse_simple(raw, simple)
    return _parse(raw)[0]


# The commonest form, read without the grammar: Arabic digits, an optional 万/亿/万亿, an
# optional 余/多 and an optional unit (927家, 12.7万余家, 72.52%, 309.13亿元). It gives the
# same Quantity as the full parser (tests/test_quantity.py holds them to it).
_FAST_LENGTH = 40
_SIMPLE = re.compile(
    r"([0-9]+(?:\.[0-9]+)?)(万亿|萬億|亿|億|万|萬)?([余餘多])?("
    + "|".join(re.escape(u) for u in sorted(UNIT_KINDS, key=len, reverse=True))
    + ")?"
)


def _parse_simple(raw: str, match: re.Match[str]) -> Quantity:
    digits, multiplier, approx, unit = match.groups()
    with localcontext() as ctx:
        ctx.prec = len(raw) + 40
        number = Decimal(digits)
        if multiplier:
            number *= MULTIPLIERS[multiplier]
        unit_kind = UNIT_KINDS[unit] if unit else None
        if unit_kind in ("ratio", "percentage_points"):
            number /= 100
        value = float(number)
    qualifier = "more than" if approx else "exact"
    return Quantity(
        raw=raw,
        value=value,
        lower=value,
        upper=None if approx else value,
        qualifier=qualifier,
        unit=unit or "",
        unit_kind=unit_kind,
    )


def _parse(raw: str) -> tuple[Quantity, Decimal | None]:
    """Return the quantity and the step of its last printed Arabic digit (or None)."""
    _check_input(raw)
    if not raw.strip():
        raise QuantityParseError(f"{raw!r} is empty")
    with localcontext() as ctx:
        ctx.prec = len(raw) + 40  # exact for every product of printed digits
        return _parse_prepared(raw, _prepare(raw))


def _parse_prepared(raw: str, text: str) -> tuple[Quantity, Decimal | None]:
    if _RANGE.search(text):
        raise QuantityParseError(f"{raw!r} is a range, not a single figure")

    change = ""
    word = _CHANGE_WORD.match(text)
    if word:
        change = CHANGE_WORDS[word.group()]
        text = text[word.end() :].removeprefix("了")
    qualifier, text = _strip_prefix(text, _PREFIX_WORD, PREFIXES)
    post, text = _strip_suffix(text, _POSTFIX_WORD, POSTFIXES)
    qualifier = _set_qualifier(qualifier, post, raw)
    if text.startswith("+") and text[1:2] and text[1] not in "+-":
        text = text[1:]  # +5, 增长+5%: a sign that changes nothing
    negative = text.startswith(_SIGNS)
    if negative:
        text = text[1:]
    if change == "decrease":
        if negative:
            raise QuantityParseError(
                f"{raw!r}: a decrease ({word.group() if word else ''}) of a negative number: "
                "is it a decrease or an increase? Record the change with one sign"
            )
        negative = True
    if not text and change:
        raise QuantityParseError(f"{raw!r}: a change word with no number after it")

    try:
        reading, rest, fraction = _number_at_start(text)
    except QuantityParseError as exc:
        raise QuantityParseError(f"{raw!r}: {exc}") from None
    number = reading.value
    step = None if reading.arabic is None else _step(reading.arabic) * reading.multiplier

    approx_words = 0
    approx, rest = _strip_prefix(rest, _APPROX_WORD, APPROX_SUFFIXES)  # 3000多万
    approx_words += approx is not None
    qualifier = _set_qualifier(qualifier, approx, raw)
    multiplier = None
    if approx is not None and not fraction:
        multiplier = next((m for m in _BIG_MULTIPLIERS if rest.startswith(m)), None)
        if multiplier is not None and MULTIPLIERS[multiplier] <= reading.top:
            raise QuantityParseError(
                f"{raw!r}: {multiplier} after a number that has {reading.top:,}s (a unit repeated)"
            )
    elif reading.arabic is not None and reading.multiplier == 1 and not fraction:
        multiplier = next((m for m in _WORD_MULTIPLIERS if rest.startswith(m)), None)
    if multiplier is not None:
        factor = MULTIPLIERS.get(multiplier) or _WORD_MULTIPLIERS[multiplier]
        number *= factor
        step = None if step is None else step * factor
        rest = rest[len(multiplier) :]
    approx, rest = _strip_prefix(rest, _APPROX_WORD, APPROX_SUFFIXES)  # 12.7万余
    approx_words += approx is not None
    qualifier = _set_qualifier(qualifier, approx, raw)

    unit, unit_kind = "", None
    unit_word = _UNIT_WORD.match(rest)
    if unit_word:
        (unit, unit_kind), rest = _UNIT_FORMS[unit_word.group()], rest[unit_word.end() :]
    if unit == "元" and rest.startswith("整"):  # 叁拾万元整: yuan, no jiao or fen
        rest = rest[1:]
    approx, rest = _strip_prefix(rest, _APPROX_WORD, APPROX_SUFFIXES)  # 10人多
    approx_words += approx is not None
    qualifier = _set_qualifier(qualifier, approx, raw)
    if approx_words > 1:
        raise QuantityParseError(f"{raw!r}: 余 or 多 more than once")
    if rest:
        why = next((why for word, why in _REFUSED_AFTER.items() if rest.startswith(word)), None)
        if why:
            raise QuantityParseError(f"{raw!r}: {why}")
        raise QuantityParseError(f"{raw!r}: cannot read {rest!r} after the number")

    if unit_kind in ("ratio", "percentage_points"):
        number /= 100
        step = None if step is None else step / 100
    elif not unit and fraction:
        unit_kind = "ratio"

    qualifier = qualifier or "exact"
    if negative:
        if qualifier not in ("exact", "about"):
            if change == "decrease":
                raise QuantityParseError(
                    f"{raw!r}: a decrease with the qualifier {qualifier!r}: is the bound on"
                    " the change or on its size? Record the figure without the bound word"
                )
            raise QuantityParseError(
                f"{raw!r}: a negative number with the qualifier {qualifier!r}: is the bound"
                " on the value or on its size?"
            )
        number = -number if number else number  # 负零 is zero
    lower: Decimal | None = number
    upper: Decimal | None = number
    if qualifier in ("more than", "at least"):
        upper = None
    elif qualifier in ("nearly", "less than"):
        lower = None
    elif qualifier == "about":
        lower, upper = sorted((number * (1 - ABOUT_WIDTH), number * (1 + ABOUT_WIDTH)))
    floats = [None if x is None else float(x) for x in (number, lower, upper)]
    if any(x is not None and not math.isfinite(x) for x in floats):
        raise QuantityParseError(f"{raw!r}: the number is too large")
    value, low, high = floats
    assert value is not None
    quantity = Quantity(
        raw=raw,
        value=value,
        lower=low,
        upper=high,
        qualifier=qualifier,
        unit=unit,
        unit_kind=unit_kind,
        change=change,
    )
    return quantity, step


def _step(digits: str) -> Decimal:
    """Return one unit of the last significant printed digit: 0.1 for 12.7, 100 for 1200."""
    if "." in digits:
        return Decimal(1).scaleb(-len(digits.split(".")[1]))
    stripped = digits.rstrip("0") or "0"
    return Decimal(1).scaleb(len(digits) - len(stripped))


def printed_step(raw: str) -> float | None:
    """Return one unit of the last printed digit of ``raw``, in base units.

    This is the step that the usual reading of 余 and 多 stays below: ``1200余`` is read as
    at least 1200 and less than 1300 (step 100), ``12.7万余`` as less than 12.8万 (step
    1000), ``70余`` as less than 80 (step 10). The analysis layer offers this reading as an
    explicit, labelled assumption; the data package itself keeps such figures open above.

    >>> printed_step("12.7万余家"), printed_step("1200余个"), printed_step("72.52%")
    (1000.0, 100.0, 0.0001)

    Returns ``None`` when the number is not written as Arabic digits with at most a
    multiplier after them (``十余``, ``三分之一``, ``1万600``), because there is no printed
    last digit to read a step from.

    Raises:
        TypeError: when ``raw`` is not a string.
        QuantityParseError: when ``raw`` is not a quantity the parser understands.

    """
    step = _parse(raw)[1]
    return None if step is None else float(step)


def unit_kind_compatible(parsed_kind: str | None, indicator_kind: str) -> bool:
    """Whether a unit parsed from ``raw`` fits an indicator's unit kind.

    A percentage fits both ``ratio`` and ``growth_rate`` indicators; an expression with no
    unit (``26万``) fits any indicator whose unit kind is not a ratio kind.
    """
    if parsed_kind is None:
        return indicator_kind not in ("ratio", "growth_rate", "percentage_points")
    if parsed_kind == "ratio":
        return indicator_kind in ("ratio", "growth_rate")
    return parsed_kind == indicator_kind
