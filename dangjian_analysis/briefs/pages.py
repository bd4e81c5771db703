"""The short brief page of a notebook, its Chinese twin, the index and the glossary pages.

A notebook becomes two English pages: the **brief** (``NN_name.html``, at most four
printed A4 pages) and the **annex** (``annex/NN_name.html``, the whole analysis). The
brief shows, in this order: the answer in plain words and three to five points (the
notebook's key findings), one or two charts, the notebook's section "What this can and
cannot tell us", the sources with the number as printed and the locator phrase of each
figure, a "Cite this" block (``id="cite"``), the licence and a link to the annex.

What goes into the brief besides the key findings and the limits is marked in the
notebook: the outputs of the code cells tagged :data:`BRIEF_TAG` (at most
:data:`MAX_BRIEF_CELLS`), usually one or two charts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dangjian_analysis.briefs.sources import CitedSource
from dangjian_analysis.briefs.zh_sources import chinese_source_words

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "BRIEF_TAG",
    "LABELS",
    "MAX_BRIEF_CELLS",
    "BriefContent",
    "BriefContentError",
    "brief_outputs",
    "inline_svg",
    "limits_markdown",
    "markdown_html",
    "no_address_words",
    "source_entries",
    "zh_fallback_html",
    "zh_key_findings_html",
]

#: The tag of a code cell whose outputs the short brief shows.
BRIEF_TAG = "brief"
#: At most this many cells tagged :data:`BRIEF_TAG` per notebook.
MAX_BRIEF_CELLS = 2

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SVG_START = re.compile(r"<svg\b", re.I)
_SVG_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_XML_COMMENT = re.compile(r"<!--.*?-->", re.S)


class BriefContentError(ValueError):
    """A notebook marks more for its brief than a brief can hold; the message says what."""


@dataclass(frozen=True)
class BriefContent:
    """What one brief page shows, in the page's language.

    Attributes:
        title: the brief's title.
        key_html: the answer and points (an HTML ``<section id="key-findings">``).
        outputs: the charts or tables the notebook marks for the brief, as HTML.
        limits_html: the section "What this can and cannot tell us", without its heading.

    """

    title: str
    key_html: str
    outputs: tuple[str, ...]
    limits_html: str


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def inline_svg(svg: str, alt: str) -> str:
    """Return matplotlib's SVG as an inline ``<svg>`` that scales to the page width.

    The XML prolog and doctype are dropped, the fixed size gives way to the view box
    (the stylesheet sets the width), and the chart is labelled for screen readers.
    """
    start = _SVG_START.search(svg)
    body = svg[start.start() :] if start else svg
    body = _XML_COMMENT.sub("", body)
    head_end = body.index(">")
    head = _SVG_SIZE.sub("", body[:head_end])
    label = html.escape(alt, quote=True)
    return f'{head} role="img" aria-label="{label}"{body[head_end:]}'


def brief_outputs(nb: NotebookNode, name: str) -> list[str]:
    """Return the outputs of the cells tagged :data:`BRIEF_TAG`, as HTML.

    A chart comes as inline SVG when the kernel produced one (live text), else as a PNG
    image; an HTML result (a reader table) as it is; plain text and streams are left out.

    Raises:
        BriefContentError: when more than :data:`MAX_BRIEF_CELLS` cells are tagged.

    """
    tagged = [
        c
        for c in nb.cells
        if c.get("cell_type") == "code" and BRIEF_TAG in c.get("metadata", {}).get("tags", [])
    ]
    if len(tagged) > MAX_BRIEF_CELLS:
        raise BriefContentError(
            f"{name}: {len(tagged)} cells are tagged {BRIEF_TAG!r}; a brief shows at most "
            f"{MAX_BRIEF_CELLS} (the rest of the analysis is in its annex)"
        )
    shown: list[str] = []
    for cell in tagged:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            alt = output.get("metadata", {}).get("image/png", {}).get("alt", "Chart")
            if "image/svg+xml" in data:
                svg = inline_svg(_text(data["image/svg+xml"]), alt)
                shown.append(f'<figure class="brief-chart">{svg}</figure>')
            elif "image/png" in data:
                png = _text(data["image/png"]).replace("\n", "")
                shown.append(
                    f'<figure class="brief-chart"><img src="data:image/png;base64,{png}" '
                    f'alt="{html.escape(alt, quote=True)}"></figure>'
                )
            elif "text/html" in data:
                shown.append(f'<div class="brief-table">{_text(data["text/html"])}</div>')
    return shown


def limits_markdown(nb: NotebookNode, heading: str) -> str:
    """Return the Markdown of the section ``heading``, without the heading line.

    The section runs to the next heading of the same or a higher level, across cells.
    """
    collected: list[str] = []
    level: int | None = None
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        for line in _text(cell.get("source", "")).splitlines():
            match = _HEADING.match(line)
            if level is None:
                if match and match.group(2).strip().lower() == heading.lower():
                    level = len(match.group(1))
                continue
            if match and len(match.group(1)) <= level:
                return "\n".join(collected).strip()
            collected.append(line)
        if level is not None:
            collected.append("")
    return "\n".join(collected).strip()


def source_entries(
    sources: Sequence[CitedSource], rows: Sequence[Mapping[str, str]], language: str
) -> list[dict[str, Any]]:
    """Describe each source for a reader who wants to find its figures.

    Each entry has the source's row, its authors and outlet (on a Chinese page in Chinese,
    :func:`~dangjian_analysis.briefs.zh_sources.chinese_source_words`), its publication
    date and the figures of it the brief draws on: the number as printed, the locator
    phrase printed beside it, the region and what it counts (in ``language``). No id is
    shown.
    """
    by_id = {row["figure_id"]: row for row in rows}
    entries = []
    for source in sources:
        figures = []
        for figure_id in source.figure_ids:
            row = by_id.get(figure_id)
            if row is None:
                continue
            region = row.get("region_zh" if language == "zh" else "region_en") or row["region"]
            what = row.get("what_zh" if language == "zh" else "what") or row["what"]
            figures.append(
                {"raw": row["raw"], "locator": row["locator"], "region": region, "what": what}
            )
        published = source.published
        if language == "zh" and not source.row.get("published"):
            earliest = source.row.get("published_earliest", "")
            latest = source.row.get("published_latest", "")
            if earliest and latest and earliest != latest:
                published = f"原文未注明日期，应在{earliest}至{latest}之间"
        authors = str(source.row.get("authors") or "")
        outlet = str(source.row.get("outlet") or "")
        if language == "zh":
            authors, outlet = chinese_source_words(authors), chinese_source_words(outlet)
        title_zh = str(source.row.get("title_zh") or "")
        title_en = str(source.row.get("title_en") or "")
        # A Chinese page shows the English title only when there is no Chinese one.
        title_en_shown = title_en if language == "en" or not title_zh else ""
        given = {
            "by_authors": authors, "by_outlet": outlet, "by_date": published,
            "by_words": figures,
        }
        entries.append(
            {
                "row": source.row,
                "authors": authors,
                "outlet": outlet,
                "published": published,
                "figures": figures,
                "title_en": title_en_shown,
                "no_address": no_address_words(
                    language,
                    titled=bool(title_zh) if language == "zh" else bool(title_zh or title_en),
                    given=[key for key, value in given.items() if value],
                ),
            }
        )
    return entries


def no_address_words(language: str, titled: bool, given: Sequence[str]) -> str:
    """Say how to find a source that has no web address, by what its entry shows.

    ``titled``: the entry shows a title in the page's language (on a Chinese page, a
    Chinese title; an English title there may only translate it), so the reader is sent
    to it. Otherwise the words name what the entry does give (``given``: keys
    ``by_authors``, ``by_outlet``, ``by_date``, ``by_words`` of :data:`LABELS`); a title
    the page does not show is never claimed.
    """
    words = LABELS[language]
    if titled:
        return words["no_address"]
    clues = list(given)
    if not clues:
        return words["no_address_nothing"]
    return words["no_address_by"].format(words["by_joiner"].join(words[c] for c in clues))


#: Words of the brief pages, in each language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "all_briefs": "All briefs",
        "twin": "中文版",
        "twin_lang": "zh-Hans",
        "kicker": "Brief",
        "answer": "The answer in brief",
        "charts": "The evidence at a glance",
        "limits": "What this can and cannot tell us",
        "sources": "Sources",
        "sources_intro": (
            "Each figure is given as printed, with the words printed beside it, so that it "
            "can be found in its source."
        ),
        "printed": "as printed",
        "beside": "printed beside it",
        "outlet": "Outlet",
        "authors": "Authors",
        "published": "Published",
        "address": "Address",
        "not_named": "not named in the source",
        "neither_named": "author and outlet not named in the source",
        "no_sources": (
            "This brief shows no figure of the data package; the publications it draws on "
            "are listed in its annex."
        ),
        "no_address": "no web address; find it by its title",
        "no_address_by": "no web address or title recorded; find it by its {}",
        "no_address_nothing": "no web address or title recorded",
        "by_joiner": ", ",
        "english_title": "English title",
        "colon": ": ",
        "sep": "; ",
        "by_authors": "authors",
        "by_outlet": "outlet",
        "by_date": "date",
        "by_words": "figures with the words printed beside them",
        "cite": "Cite this brief",
        "version": "Version",
        "data": "Data",
        "date": "Date",
        "licence": "Licence",
        "licence_text": "The briefs and the data may be shared and adapted with credit under",
        "licence_software": "the software under the MIT licence",
        "annex": "The full analysis",
        "annex_text": (
            "Every table, chart, test and caveat behind this brief is in its annex; the "
            "figures can be downloaded with their codes from the index."
        ),
        "glossary": "Glossary",
        "download": "All the data",
        "other_data": "Built from another data package",
    },
    "zh": {
        "all_briefs": "全部简报",
        "twin": "English",
        "twin_lang": "en",
        "kicker": "简报",
        "answer": "简要结论",
        "charts": "图示",
        "limits": "能说明什么，不能说明什么",
        "sources": "资料来源",
        "sources_intro": "每个数字都按原文照录，并附原文中紧邻它的词句，便于在原文中查找核对。",
        "printed": "原文",
        "beside": "原文相邻词句",
        "outlet": "媒体",
        "authors": "作者",
        "published": "发表时间",
        "address": "网址",
        "not_named": "原文未载明",
        "neither_named": "原文未载明作者和媒体",
        "no_sources": "本简报没有引用数据包中的数字；所依据的文献见附录。",
        "no_address": "无网址，请按标题查找",
        "no_address_by": "无网址，本条未载中文标题，请按{}查找",
        "no_address_nothing": "无网址，本条未载中文标题",
        "by_joiner": "、",
        "by_authors": "作者",
        "by_outlet": "媒体",
        "by_date": "发表时间",
        "by_words": "数字及原文相邻词句",
        "english_title": "英文标题",
        "colon": "：",
        "sep": "；",
        "cite": "引用本简报",
        "version": "版本",
        "data": "数据",
        "date": "日期",
        "licence": "许可",
        "licence_text": "简报与数据在注明出处的前提下可自由转载和改编，许可协议为",
        "licence_software": "软件采用 MIT 许可",
        "annex": "完整分析",
        "annex_text": (
            "本简报所依据的全部表格、图表、检验和注意事项见附录（英文）；"
            "带代码的全部数字可在索引页下载。"
        ),
        "glossary": "术语表",
        "download": "全部数据",
        "other_data": "本次构建使用的是另一个数据包",
    },
}


def markdown_html(text: str) -> str:
    """Render a block of Markdown to HTML (empty for empty text)."""
    if not text.strip():
        return ""
    from nbconvert.filters.markdown import markdown2html

    return markdown2html(text)


def _inline(text: str) -> str:
    rendered = markdown_html(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return rendered


def zh_key_findings_html(zh: Any) -> str:
    """Return the key-findings section of a Chinese brief from its text (Markdown inline)."""
    points = "".join(f"<li>{_inline(p)}</li>" for p in zh.points)
    return (
        '<section id="key-findings" class="key-findings" lang="zh-Hans">'
        '<h2 class="key-findings-title">简要结论</h2>'
        f'<p class="key-findings-headline">{_inline(zh.answer)}</p>'
        f"<ul>{points}</ul></section>"
    )


ZH_FALLBACK = {
    "missing": "本简报尚无中文文本。",
    "stale": (
        "本简报的中文文本是按另一组计算结果撰写的：这次构建算出的结论与之不同"
        "（数据或分析有变），为免数字有误，这里不显示中文结论。"
    ),
}


def zh_fallback_html(status: str, english_href: str, fingerprint: str) -> str:
    """Return the clearly marked notice a Chinese brief shows instead of unchecked text."""
    reason = ZH_FALLBACK.get(status, ZH_FALLBACK["missing"])
    return (
        '<section class="key-findings zh-fallback" id="key-findings" lang="zh-Hans">'
        '<h2 class="key-findings-title">中文版暂缺</h2>'
        f'<p class="key-findings-headline" id="zh-fallback" data-status="{html.escape(status)}" '
        f'data-fingerprint="{html.escape(fingerprint)}">'
        f"{reason}请阅读<a href=\"{html.escape(english_href)}\">英文简报</a>，"
        "其中的数字均由本次构建计算得出。</p></section>"
    )
