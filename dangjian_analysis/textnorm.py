"""Normalize Chinese source text so that printed figures can be found in it.

Normalization, applied alike to an article and to the ``raw`` and ``locator`` strings
searched for in it:

1. pinyin annotations printed after characters (``業(yè)``, ``業（yè）``) are removed;
2. compatibility forms are unified (NFKC): full-width digits, letters, punctuation and
   spaces become their ASCII forms;
3. Traditional characters become Simplified (OpenCC ``t2s``);
4. all whitespace, including line breaks inside words, is removed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = ["normalize_text", "strip_pinyin_annotations", "to_simplified"]

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])[(（]\s*[a-z{_TONED}]+(?:\s+[a-z{_TONED}]+)*\s*[)）]")
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _converter() -> Any:
    from opencc import OpenCC  # opencc-python-reimplemented; loads its dictionaries once

    return OpenCC("t2s")


def strip_pinyin_annotations(text: str) -> str:
    """Remove pinyin annotations in parentheses that directly follow a Chinese character."""
    return _PINYIN.sub("", text)


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified ones (Simplified text is unchanged)."""
    return str(_converter().convert(text))


def normalize_text(text: str) -> str:
    """Normalize ``text`` for searching: no annotations, NFKC, Simplified, no whitespace."""
    text = strip_pinyin_annotations(text)
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _WHITESPACE.sub("", text)
