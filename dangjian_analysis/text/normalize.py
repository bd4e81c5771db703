"""Normalize Chinese source text so that printed figures can be found in it.

Normalization, applied alike to an article and to the ``raw`` and ``locator`` strings
searched for in it:

1. pinyin annotations printed after characters (``業(yè)``, ``業（yè）``) are removed;
2. compatibility forms are unified (NFKC): full-width digits, letters, punctuation and
   spaces become their ASCII forms;
3. Traditional characters become Simplified (OpenCC ``t2s``);
4. all whitespace, including line breaks inside words, is removed.

:func:`normalize_with_offsets` gives the same text together with the position in the
original of every normalized character, so that a match can be reported as printed.
"""

from __future__ import annotations

import re
import unicodedata
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
    index in ``original`` of the character that ``text[i]`` was made from.
    """

    original: str
    text: str
    origin: tuple[int, ...]

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


def _clusters(text: str, positions: list[int]) -> list[tuple[str, int]]:
    """Group each character with the combining marks after it (NFKC composes them)."""
    out: list[tuple[str, int]] = []
    for ch, pos in zip(text, positions, strict=True):
        if out and unicodedata.combining(ch):
            out[-1] = (out[-1][0] + ch, out[-1][1])
        else:
            out.append((ch, pos))
    return out


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


def normalize_with_offsets(text: str) -> NormalizedText:
    """Normalize ``text`` like :func:`normalize_text` and keep every character's origin.

    The normalized text is the string :func:`normalize_text` returns, so figures and
    locators are found in it the same way (NFKC is applied to each character with its
    combining marks, which gives the same result as on the whole text for Chinese text);
    :meth:`NormalizedText.original_span` and :meth:`NormalizedText.printed` lead back to the
    text as printed.
    """
    kept_chars: list[str] = []
    kept_origin: list[int] = []
    last = 0
    for match in PINYIN.finditer(text):
        kept_chars.extend(text[last : match.start()])
        kept_origin.extend(range(last, match.start()))
        last = match.end()
    kept_chars.extend(text[last:])
    kept_origin.extend(range(last, len(text)))

    kept = "".join(kept_chars)
    if unicodedata.is_normalized("NFKC", kept):
        chars, origin = kept_chars, kept_origin
    else:
        chars, origin = [], []
        for cluster, pos in _clusters(kept, kept_origin):
            folded = cluster if cluster.isascii() else unicodedata.normalize("NFKC", cluster)
            chars.extend(folded)
            origin.extend([pos] * len(folded))

    chars, origin = to_simplified_mapped(chars, origin)
    keep = [i for i, ch in enumerate(chars) if not ch.isspace()]
    return NormalizedText(
        original=text,
        text="".join(chars[i] for i in keep),
        origin=tuple(origin[i] for i in keep),
    )
