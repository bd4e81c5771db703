"""Normalize Chinese source text so that printed figures can be found in it.

Normalization, applied alike to an article and to the ``raw`` and ``locator`` strings
searched for in it:

1. pinyin annotations printed after characters (``業(yè)``, ``業（yè）``) are removed;
2. compatibility forms are unified (NFKC): full-width digits, letters, punctuation and
   spaces become their ASCII forms;
3. Traditional characters become Simplified (OpenCC ``t2s``);
4. all whitespace, including line breaks inside words, is removed.

:func:`normalize_with_offsets` gives the same text together with the position in the
original of every normalized character, so that a match can be reported as printed. It is
the one normalizer with offsets: the extractor and the recall check both use it.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "PINYIN",
    "WHITESPACE",
    "NormalizedText",
    "normalize_text",
    "normalize_with_offsets",
    "strip_pinyin_annotations",
    "to_simplified",
]

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
#: Pinyin printed in brackets right after Chinese characters (``業(yè)``).
PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])[(（]\s*[a-z{_TONED}]+(?:\s+[a-z{_TONED}]+)*\s*[)）]")
#: Runs of whitespace.
WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def opencc_converter() -> Any:
    from opencc import OpenCC  # opencc-python-reimplemented; loads its dictionaries once

    return OpenCC("t2s")


def strip_pinyin_annotations(text: str) -> str:
    """Remove pinyin annotations in parentheses that directly follow a Chinese character."""
    return PINYIN.sub("", text)


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified ones (Simplified text is unchanged)."""
    return str(opencc_converter().convert(text))


def normalize_text(text: str) -> str:
    """Normalize ``text`` for searching: no annotations, NFKC, Simplified, no whitespace."""
    text = strip_pinyin_annotations(text)
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return WHITESPACE.sub("", text)


@dataclass(frozen=True)
class NormalizedText:
    """A normalized text and, for each of its characters, where it came from.

    ``text`` is what :func:`normalize_text` returns for ``original``; ``origin[i]`` is the
    index in ``original`` of the character that ``text[i]`` was made from (an ``array`` of
    64-bit integers: a quarter of the memory of a tuple).
    """

    original: str
    text: str
    origin: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Return the span of ``original`` that ``text[start:end]`` (non-empty) came from."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} is not a non-empty part of the text")
        return self.origin[start], self.origin[end - 1] + 1

    def printed(self, start: int, end: int) -> str:
        """Return ``text[start:end]`` as printed in ``original``.

        The characters keep their printed script and width; pinyin annotations are left out,
        and so are runs of whitespace that hold a line break (a break inside a word is
        layout, not text). Other spaces are kept as printed (``23 名``).
        """
        lo, hi = self.original_span(start, end)
        printed = strip_pinyin_annotations(self.original[lo:hi])
        return _LINE_BREAK_RUN.sub("", printed)


_LINE_BREAK_RUN = re.compile(r"[^\S\n\r]*[\n\r]\s*")


def to_simplified_mapped(chars: list[str], origin: list[int]) -> tuple[list[str], list[int]]:
    """Convert to Simplified, keeping each character's origin.

    OpenCC converts phrase by phrase; when the whole text keeps its length (the usual case)
    characters map one to one. Otherwise each run of CJK characters is converted on its own
    and a run whose length changed maps its characters to the run's positions in order.
    """
    joined = "".join(chars)
    converted = to_simplified(joined)
    if len(converted) == len(joined):
        return list(converted), origin
    out_chars: list[str] = []
    out_origin: list[int] = []
    for run in _CJK_RUN.finditer(joined):
        piece = run.group()
        new = to_simplified(piece) if _CJK_RUN_ONLY.fullmatch(piece) else piece
        span = origin[run.start() : run.end()]
        for i, ch in enumerate(new):
            out_chars.append(ch)
            out_origin.append(span[min(i, len(span) - 1)])
    return out_chars, out_origin


_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")
_CJK_RUN_ONLY = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


# ---- normalization with offsets, in linear time ------------------------------------------

_NON_SPACE = re.compile(r"\S+")


def normalize_with_offsets(text: str) -> NormalizedText:
    """Normalize ``text`` like :func:`normalize_text` and keep every character's origin.

    The normalized text is the string :func:`normalize_text` returns, so figures and
    locators are found in it the same way (NFKC is applied to each character with its
    combining marks, which gives the same result as on the whole text for Chinese text);
    :meth:`NormalizedText.original_span` and :meth:`NormalizedText.printed` lead back to the
    text as printed. The extractor, recall and every other reader of positions use it.

    It runs in linear time: whole strings and arrays of offsets rather than one Python
    object per character, with the Traditional to Simplified conversion applied only to
    the runs of characters it can change; texts of :data:`_NUMPY_FROM` characters or more
    are handled with numpy arrays. The origins are an ``array`` of 64-bit integers. The
    tests hold it to a plain character-by-character version of the same four steps.
    """
    if len(text) >= _NUMPY_FROM:
        return _normalize_numpy(text)
    # 1. Pinyin annotations.
    origin: array[int] | None = None  # None: every character is where it was printed
    if PINYIN.search(text) is None:
        kept = text
    else:
        origin = array("q")
        last = 0
        kept_parts = []
        for m in PINYIN.finditer(text):
            kept_parts.append(text[last : m.start()])
            origin.extend(range(last, m.start()))
            last = m.end()
        kept_parts.append(text[last:])
        origin.extend(range(last, len(text)))
        kept = "".join(kept_parts)
    # 2. NFKC, character by character with its combining marks, where it changes anything.
    chars = kept
    if not unicodedata.is_normalized("NFKC", kept):
        chars, origin = _nfkc_clusters(kept, origin)
    # 3. Traditional to Simplified.
    converted = _to_simplified_runs(chars)
    if len(converted) == len(chars):
        chars = converted
    else:  # a conversion that changes the length: the character-by-character mapping
        listed, mapped = to_simplified_mapped(
            list(chars), list(range(len(chars))) if origin is None else list(origin)
        )
        chars, origin = "".join(listed), array("q", mapped)
    # 4. Whitespace.
    kept_origin = array("q")
    for m in _NON_SPACE.finditer(chars):
        if origin is None:
            kept_origin.extend(range(m.start(), m.end()))
        else:
            kept_origin.extend(origin[m.start() : m.end()])
    normalized = chars if len(kept_origin) == len(chars) else "".join(_NON_SPACE.findall(chars))
    return _normalized(text, normalized, kept_origin)


def _normalized(original: str, text: str, origin: array[int]) -> NormalizedText:
    return NormalizedText(original=original, text=text, origin=origin)


def _code_points(text: str) -> Any:
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _from_code_points(codes: Any) -> str:
    return bytes(codes.astype("<u4").tobytes()).decode("utf-32-le", "surrogatepass")


def _normalize_numpy(text: str) -> NormalizedText:
    """Do what :func:`normalize_with_offsets` does, with numpy arrays (long texts)."""
    import numpy as np

    # 1. Pinyin annotations.
    annotations = [m.span() for m in PINYIN.finditer(text)]
    origin = None  # None: every character is where it was printed
    kept = text
    if annotations:
        printed = np.ones(len(text), dtype=bool)
        for lo, hi in annotations:
            printed[lo:hi] = False
        origin = np.flatnonzero(printed)
        kept = PINYIN.sub("", text)
    # 2. NFKC, character by character with its combining marks.
    chars = kept
    if not unicodedata.is_normalized("NFKC", kept):
        codes = _code_points(kept)
        distinct = [chr(c) for c in np.flatnonzero(np.bincount(codes))]
        if any(unicodedata.combining(ch) for ch in distinct):  # clusters: the general way
            folded, mapped = _nfkc_clusters(kept, None if origin is None else array("q", origin))
            chars, origin = folded, np.frombuffer(mapped, dtype=np.int64)
        else:  # every character on its own
            folds = {
                ch: unicodedata.normalize("NFKC", ch)
                for ch in distinct
                if not ch.isascii() and unicodedata.normalize("NFKC", ch) != ch
            }
            lookup = np.arange(int(codes.max()) + 1, dtype=np.uint32)
            lengths = np.ones(len(lookup), dtype=np.int64)
            longer = {ch: f for ch, f in folds.items() if len(f) != 1}
            for ch, f in folds.items():
                if len(f) == 1:
                    lookup[ord(ch)] = ord(f)
                else:
                    lengths[ord(ch)] = len(f)
            chars = _from_code_points(lookup[codes])
            if longer:  # 「…」 is three characters: each keeps the origin of the one folded
                base = np.arange(len(codes)) if origin is None else origin
                origin = np.repeat(base, lengths[codes])
                chars = re.sub(f"[{_class(longer)}]", lambda m: longer[m.group()], chars)
    # 3. Traditional to Simplified.
    converted = _to_simplified_runs(chars)
    if len(converted) == len(chars):
        chars = converted
    else:  # a conversion that changes the length: the character-by-character mapping
        listed, mapped = to_simplified_mapped(
            list(chars), list(range(len(chars))) if origin is None else origin.tolist()
        )
        chars, origin = "".join(listed), np.array(mapped, dtype=np.int64)
    # 4. Whitespace.
    printed = np.ones(len(chars), dtype=bool)
    for m in WHITESPACE.finditer(chars):
        printed[m.start() : m.end()] = False
    keep = np.flatnonzero(printed)
    if origin is not None:
        keep = origin[keep]
    normalized = WHITESPACE.sub("", chars)
    kept_origin = array("q")
    kept_origin.frombytes(keep.astype(np.int64).tobytes())
    return _normalized(text, normalized, kept_origin)


def _nfkc_clusters(kept: str, origin: array[int] | None) -> tuple[str, array[int]]:
    """Apply NFKC to each character of ``kept`` with the combining marks after it.

    Only clusters that change are visited: those with combining marks and characters that
    NFKC folds (full-width forms); every other character is copied as it is.
    """
    distinct = set(kept)
    marks = {ch for ch in distinct if unicodedata.combining(ch)}
    folds = {
        ch
        for ch in distinct - marks
        if not ch.isascii() and unicodedata.normalize("NFKC", ch) != ch
    }
    new_origin = array("q")

    def origin_of(lo: int, hi: int) -> Iterable[int]:
        return range(lo, hi) if origin is None else origin[lo:hi]

    if not marks and not folds:
        return kept, array("q", origin_of(0, len(kept)))
    mark_class = "".join(map(re.escape, sorted(marks)))
    alternatives = [f"[^{mark_class}][{mark_class}]+", f"^[{mark_class}]+"] if marks else []
    if folds:
        alternatives.append("[" + "".join(map(re.escape, sorted(folds))) + "]")
    parts = []
    last = 0
    for m in re.finditer("|".join(alternatives), kept):
        cluster = m.group()
        folded = cluster if cluster.isascii() else unicodedata.normalize("NFKC", cluster)
        parts.append(kept[last : m.start()])
        new_origin.extend(origin_of(last, m.start()))
        parts.append(folded)
        new_origin.extend([m.start() if origin is None else origin[m.start()]] * len(folded))
        last = m.end()
    parts.append(kept[last:])
    new_origin.extend(origin_of(last, len(kept)))
    return "".join(parts), new_origin


@lru_cache(maxsize=1)
def _convertible() -> dict[int, str] | None:
    """Return a table marking the characters that t2s conversion looks at.

    OpenCC replaces dictionary entries and never matches across a separator or a character
    that is in no entry, so each run of entry characters converts on its own as it does in
    the whole text; and a run changes only if it holds a character that an entry changes.
    The table maps those characters to NUL and the other entry characters to U+0001; the
    rest of the text stays as it is. ``None`` (convert whole texts) when the dictionaries
    cannot be read.
    """
    converter = opencc_converter()
    try:
        converter.convert("")
        entries: dict[str, str] = {}
        stack: list[object] = list(converter._dict_chain_data)
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, tuple) and isinstance(item[2], dict):
                entries.update(item[2])
            else:
                return None
        separators = converter.split_chars_re
    except (AttributeError, IndexError, TypeError):
        return None
    changed: set[str] = set()
    for key, value in entries.items():
        value = value.split(" ")[0]  # OpenCC takes the first of several
        if len(value) != len(key):
            changed.update(key)
        else:
            changed.update(k for k, v in zip(key, value, strict=True) if k != v)
    table = {ord(ch): "\1" for key in entries for ch in key if not separators.fullmatch(ch)}
    table.update({ord(ch): "\0" for ch in changed if ord(ch) in table})
    return table or None


# A run of entry characters (marked by _convertible) holding at least one that changes.
_CHANGING_RUN = re.compile("(?<![\0\1])\1*+\0[\0\1]*+")


@lru_cache(maxsize=1 << 16)
def _simplified_run(run: str) -> str:
    return to_simplified(run)


#: Texts at least this long are normalized with numpy (a lookup per character in C);
#: shorter ones with ``str.translate``, without importing numpy.
_NUMPY_FROM = 1 << 13


@lru_cache(maxsize=1)
def _convertible_masks() -> tuple[Any, Any]:
    """Return boolean arrays over code points: entry characters, and those that change."""
    import numpy as np

    table = _convertible()
    assert table is not None
    entry = np.zeros(sys.maxunicode + 1, dtype=bool)
    changes = np.zeros(sys.maxunicode + 1, dtype=bool)
    entry[list(table)] = True
    changes[[code for code, mark in table.items() if mark == "\0"]] = True
    return entry, changes


def _changing_runs(text: str) -> Iterable[tuple[int, int]]:
    """Yield the spans of the runs of entry characters holding one that changes."""
    if len(text) < _NUMPY_FROM:
        table = _convertible()
        assert table is not None
        return (m.span() for m in _CHANGING_RUN.finditer(text.translate(table)))
    import numpy as np

    entry, changes = _convertible_masks()
    codes = _code_points(text)
    if not changes[codes].any():
        return ()
    edges = np.diff(entry[codes].astype(np.int8), prepend=0, append=0)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    changed = np.concatenate(([0], np.cumsum(changes[codes])))
    keep = changed[ends] > changed[starts]
    return zip(starts[keep].tolist(), ends[keep].tolist(), strict=True)


def _to_simplified_runs(text: str) -> str:
    """Return ``to_simplified(text)``, converting only the runs that can change."""
    if _convertible() is None or "\0" in text or "\1" in text:
        return to_simplified(text)
    parts = []
    last = 0
    for start, end in _changing_runs(text):
        parts += (text[last:start], _simplified_run(text[start:end]))
        last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _class(chars: Iterable[str]) -> str:
    """Return the body of a character class matching any of ``chars``."""
    return "".join(map(re.escape, sorted(chars)))
