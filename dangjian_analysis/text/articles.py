"""Read an article file as text: UTF-8, GB18030 or Big5, refusing what is not text.

The one reader of source texts, for the candidate extractor (``dangjian extract``), the
provenance check (``dangjian verify-sources``) and the corpus runner.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from dangjian_analysis.text.files import path_kind, utf16_mark

__all__ = [
    "ENCODINGS",
    "ArticleError",
    "check_plain_text",
    "first_control_character",
    "has_unusual_characters",
    "read_article",
]

#: Encodings tried, in this order, when reading an article.
ENCODINGS = ("UTF-8", "GB18030", "Big5")


class ArticleError(ValueError):
    """An article file that cannot be read as text: missing, empty, binary or undecodable."""


def has_unusual_characters(text: str) -> bool:
    """Tell whether decoded text holds private-use, unassigned or surrogate characters.

    Big5 bytes decode as GB18030 without error, but Big5 punctuation lands in GB18030's
    user-defined area (private-use characters); this check sends such files on to Big5.
    """
    return any(unicodedata.category(ch) in ("Co", "Cn", "Cs") for ch in text)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def first_control_character(text: str) -> int | None:
    """Return the index of the first control character other than whitespace, if any."""
    found = _CONTROL.search(text)
    return None if found is None else found.start()


def check_plain_text(
    text: str, name: str, *, empty: str = "is empty", read_as: str | None = None
) -> None:
    """Refuse a decoded text that is blank or holds a control character, naming ``name``.

    The one check of decoded article text, for files, HTML pages and JSON Lines records.

    Raises:
        ArticleError: ``"<name> <empty>"`` for a blank text, or naming the first control
            character (other than whitespace), its position and the encoding read.

    """
    if not text.strip():
        raise ArticleError(f"{name} {empty}")
    bad = first_control_character(text)
    if bad is not None:
        read = f" (read as {read_as})" if read_as else ""
        raise ArticleError(
            f"{name} is not plain text: control character U+{ord(text[bad]):04X} "
            f"at character {bad}{read}"
        )


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
    kind = path_kind(path)
    if kind == "no such file":
        raise ArticleError(f"article {path} does not exist")
    if kind != "a regular file":
        raise ArticleError(f"article {path} is {kind}, not a file")
    data = path.read_bytes()
    if utf16_mark(data):
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
        if encoding != ENCODINGS[0] and has_unusual_characters(text):
            continue
        check_plain_text(text, f"article {path}", read_as=encoding)
        return text, encoding
    raise ArticleError(
        f"article {path} is not text in {', '.join(ENCODINGS[:-1])} or {ENCODINGS[-1]}"
    )
