"""The Chinese text of each brief: a sibling file of its notebook, written by us.

``notebooks/NN_name.zh.md`` holds, for notebook ``NN_name.ipynb``, the Chinese title, the
one-line summary of the index, the answer, three to five points and the section "能说明
什么，不能说明什么", written as a Chinese policy writer would write them (万, 亿, 个百分点),
never machine-translated::

    ---
    title: 03 · 覆盖率与产值增长
    summary: 一句话概要（索引页用）
    translates: 3f2a9c0d41be
    ---

    ## 结论
    一段话。

    ## 要点
    - 第一点
    - 第二点

    ## 能说明什么，不能说明什么
    Markdown 段落。

``translates`` is the fingerprint (:func:`english_fingerprint`) of the English key
findings and limits the text renders. The numbers in the key findings are computed by the
notebook: when a build computes different findings (other data, a changed notebook), the
Chinese text no longer says what the English says, so the Chinese brief shows a clearly
marked notice in Chinese pointing to the English brief instead of numbers that may be
wrong. A notebook without a Chinese file gets the same notice. A new notebook therefore
never breaks the build, and a Chinese page never shows an unchecked number; the build's
summary line names the briefs whose Chinese text is missing or out of date, with the
fingerprint to write.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ZH_SUFFIX",
    "ZhText",
    "ZhTextError",
    "english_fingerprint",
    "read_zh_text",
    "zh_text_path",
]

#: Suffix of the Chinese text beside a notebook: ``NN_name.zh.md``.
ZH_SUFFIX = ".zh.md"

_SECTIONS = {"结论": "answer", "要点": "points", "能说明什么，不能说明什么": "limits"}
_TAGS = re.compile(r"<[^>]+>")


class ZhTextError(ValueError):
    """A Chinese text file is malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ZhText:
    """The Chinese text of one brief."""

    path: Path
    title: str
    summary: str
    translates: str
    answer: str
    points: tuple[str, ...]
    limits: str


def zh_text_path(notebook: Path) -> Path:
    """Return where the Chinese text of ``notebook`` lives."""
    return notebook.with_name(notebook.stem + ZH_SUFFIX)


def english_fingerprint(key_findings_html: str, limits_markdown: str) -> str:
    """Return a short fingerprint of what a Chinese text must say: findings and limits.

    The visible text of the key findings (tags dropped, spaces collapsed) and the
    Markdown of the limits section, hashed with SHA-256; the first 12 hex digits.
    """
    findings = " ".join(html.unescape(_TAGS.sub(" ", key_findings_html)).split())
    limits = " ".join(limits_markdown.split())
    return hashlib.sha256(f"{findings}\n{limits}".encode()).hexdigest()[:12]


def read_zh_text(notebook: Path) -> ZhText | None:
    """Read the Chinese text beside ``notebook``; None when there is none.

    Raises:
        ZhTextError: naming the file and line when it is malformed (no front matter, a
            missing field or section, an unknown section).

    """
    path = zh_text_path(notebook)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ZhTextError(f"{path}: line 1: expected '---' opening the front matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ZhTextError(f"{path}: the front matter has no closing '---'") from None
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ZhTextError(f"{path}: line {number}: expected 'key: value', got {line!r}")
        fields[key.strip()] = value.strip()
    for key in ("title", "summary", "translates"):
        if not fields.get(key):
            raise ZhTextError(f"{path}: the front matter has no {key!r}")
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(lines[end + 1 :], start=end + 2):
        if line.startswith("## "):
            heading = line[3:].strip()
            if heading not in _SECTIONS:
                known = ", ".join(_SECTIONS)
                raise ZhTextError(
                    f"{path}: line {number}: unknown section {heading!r} (known: {known})"
                )
            current = _SECTIONS[heading]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif line.strip():
            raise ZhTextError(f"{path}: line {number}: text before the first '## ' section")
    missing = [h for h, key in _SECTIONS.items() if not "\n".join(sections.get(key, [])).strip()]
    if missing:
        raise ZhTextError(f"{path}: no section {missing[0]!r}")
    points = tuple(
        ln.strip()[2:].strip() for ln in sections["points"] if ln.strip().startswith("- ")
    )
    if not 3 <= len(points) <= 5:
        raise ZhTextError(f"{path}: section '要点' has {len(points)} points; write 3 to 5")
    return ZhText(
        path=path,
        title=fields["title"],
        summary=fields["summary"],
        translates=fields["translates"],
        answer="".join(line.strip() for line in sections["answer"]),
        points=points,
        limits="\n".join(sections["limits"]).strip(),
    )
