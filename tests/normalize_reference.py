"""The plain definition of normalization with offsets: the oracle of the fast one.

:func:`~dangjian_analysis.text.normalize.normalize_with_offsets` runs in linear time on
whole strings and arrays; this is the same four steps (pinyin annotations, NFKC, Simplified,
whitespace) written one character at a time, for the tests to hold it to.
"""

from __future__ import annotations

import unicodedata

from dangjian_analysis.text.normalize import PINYIN, NormalizedText, to_simplified_mapped


def _clusters(text: str, positions: list[int]) -> list[tuple[str, int]]:
    """Group each character with the combining marks after it (NFKC composes them)."""
    out: list[tuple[str, int]] = []
    for ch, pos in zip(text, positions, strict=True):
        if out and unicodedata.combining(ch):
            out[-1] = (out[-1][0] + ch, out[-1][1])
        else:
            out.append((ch, pos))
    return out


def plain_normalize_with_offsets(text: str) -> NormalizedText:
    """Normalize ``text`` character by character, keeping each character's origin."""
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
