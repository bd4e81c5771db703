"""How a source's authors and outlet read on a Chinese page.

The data package describes its sources for English readers: an author's role in brackets
(``林晗 (reporter)``), an English gloss of a Chinese outlet (``人民网 (People's Daily
Online)``) and how a page carried a report (``海峡网 (hxnews.com), from 福州日报``). The
Chinese briefs keep the names and addresses and say the rest in Chinese
(:func:`chinese_source_words`): known role words and connectors are translated, an English
gloss that only explains a name is left out, and web addresses stay as they are.
"""

from __future__ import annotations

import re

__all__ = ["chinese_source_words"]

#: Roles of authors, and what a page says about its authors, in Chinese.
ROLES: dict[str, str] = {
    "xinhua reporters": "新华社记者",
    "xinhua reporter": "新华社记者",
    "reporters": "记者",
    "reporter": "记者",
    "intern": "实习生",
    "interns": "实习生",
    "correspondents": "通讯员",
    "correspondent": "通讯员",
    "page planning": "版面策划",
    "text and images": "文字、图片",
    "editor": "编辑",
    "mayor": "市长",
    "governor": "省长",
    "global times": "环球时报",
}

#: How a page carried a report: the English connector and its Chinese words.
_CONNECTORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r",?\s*\breprinted on\s+", re.I), "，转载于"),
    (re.compile(r",?\s*\breposting\s+", re.I), "，转载"),
    (re.compile(r",?\s*\breprinting\s+", re.I), "，转载"),
    (re.compile(r",?\s*\bciting\s+", re.I), "，援引"),
    (re.compile(r",?\s*\bquoting\s+", re.I), "，援引"),
    (re.compile(r",?\s*\bfrom\s+", re.I), "，转自"),
    (re.compile(r"^interviewee\s+", re.I), "受访者"),
    (re.compile(r";\s*interviewee\s+", re.I), "；受访者"),
    (re.compile(r",\s*press conference\b", re.I), "，新闻发布会"),
    (re.compile(r"(?<=[\u3400-\u9fff])\s+channel\b", re.I), "频道"),
    (re.compile(r"(?<=[\u3400-\u9fff])\s+column\b", re.I), "栏目"),
    (re.compile(r"(?<=[\u3400-\u9fff])\s+website\b", re.I), "网站"),
    (re.compile(r"(?<=[\u3400-\u9fff])\s+and\s+(?=[\u3400-\u9fff])"), "和"),
)

_BRACKETS = re.compile(r"\s*\(([^()]*)\)")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ADDRESS = re.compile(r"^[\w.-]+\.[a-z]{2,}(?:/\S*)?$", re.I)


def _bracket(match: re.Match[str]) -> str:
    """Say one bracketed note in Chinese, keep it when it is Chinese, drop an English gloss."""
    inner = match.group(1).strip()
    if inner.lower() in ROLES:
        return f"（{ROLES[inner.lower()]}）"
    parts = [p.strip() for p in re.split(r"[;,]", inner) if p.strip()]
    kept = [p for p in parts if _CJK.search(p) or _ADDRESS.match(p)]
    if not kept:
        return ""
    # Keep Chinese phrases and addresses only; English words around them are left out.
    words = []
    for part in kept:
        if _ADDRESS.match(part):
            words.append(part)
        else:
            words.append("、".join(_CJK_RUNS.findall(part)))
    return f"（{'，'.join(words)}）"


_CJK_RUNS = re.compile(r"[《“]?[0-9]*[\u3400-\u9fff][\u3400-\u9fff0-9（）《》“”、·:：]*[》”]?")


def chinese_source_words(text: str) -> str:
    """Say a source's authors or outlet for a Chinese page.

    ``宋宁华 (reporter), 林洁 (intern)`` reads ``宋宁华（记者），林洁（实习生）``; ``人民网
    (People's Daily Online)`` reads ``人民网``; ``海峡网 (hxnews.com), from 福州日报``
    reads ``海峡网（hxnews.com），转自福州日报``. Names written in Latin letters (an English
    outlet, a romanized author) stay as they are.
    """
    out = _BRACKETS.sub(_bracket, str(text or "").strip())
    for pattern, words in _CONNECTORS:
        out = pattern.sub(words, out)
    out = re.sub(r"(?<=[\u3400-\u9fff）》”])\s*,\s*", "，", out)
    out = re.sub(r"(?<=[\u3400-\u9fff）》”])\s*;\s*", "；", out)
    return out.strip(" ，；")
