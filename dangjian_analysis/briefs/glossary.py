"""The glossary every brief ends with, and the links from the first mention of each term.

A brief's reader meets words that carry a precise meaning here (coverage rate against
formation rate, above-scale, an open bound, "not comparable"). :data:`GLOSSARY` explains
each in plain words; :func:`link_first_mentions` links the first mention of each term in a
brief's text (the key findings come first) to its entry.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["GLOSSARY", "GLOSSARY_ZH", "Term", "link_first_mentions"]


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes:
        anchor: the entry's id in the page (``g-…``).
        term: the term as the entry's heading.
        zh: the Chinese term the sources use, or empty.
        text: the explanation, in plain words.
        patterns: regular expressions (case-insensitive) for mentions in the text.

    """

    anchor: str
    term: str
    zh: str
    text: str
    patterns: tuple[str, ...]


#: The glossary, in reading order.
GLOSSARY: tuple[Term, ...] = (
    Term(
        "g-dangjian",
        "Party building (dangjian)",
        "党建",
        "The Communist Party's work of setting up and running its organizations and "
        "recruiting members, here in private and foreign-invested firms. dangjian-analysis "
        "takes its name from the Chinese word.",
        (r"party building", r"dangjian", r"党建"),
    ),
    Term(
        "g-cpes",
        "CPES (Chinese Private Enterprise Survey)",
        "中国私营企业调查",
        "A national survey of private firms run about every two years since 1993 by the "
        "party's United Front Work Department, the All-China Federation of Industry and "
        "Commerce and research institutes. It asks each firm, among much else, whether it "
        "has a party organization, so studies of individual firms often draw on it.",
        (r"CPES", r"Chinese Private Enterprise Survey", r"private-enterprise survey"),
    ),
    Term(
        "g-coverage",
        "Coverage rate",
        "覆盖率",
        "The share of units in a population (usually firms) that have a party organization "
        "or are served by one, for instance a joint organization covering several small "
        "firms. What it is a share of, the denominator, differs from report to report: "
        "all non-public firms, above-scale firms only, firms in parks.",
        (r"coverage rates?", r"覆盖率"),
    ),
    Term(
        "g-formation",
        "Formation rate",
        "组建率",
        "Usually the share of the firms that meet the conditions for a party organization "
        "(typically three or more party members) that have set one up. Its denominator is "
        "smaller than that of a coverage rate, so it runs higher; the two are not the same "
        "measure.",
        (r"formation rates?", r"组建率"),
    ),
    Term(
        "g-nonpublic",
        "Non-public enterprises",
        "非公有制企业, 非公企业",
        "Firms not owned by the state or by collectives: private firms, foreign-invested "
        "firms and other privately held companies.",
        (r"non-public (?:enterprises|firms)", r"非公企业"),
    ),
    Term(
        "g-above-scale",
        "Above-scale firms",
        "规模以上企业",
        "Firms above the statistical size threshold: in industry, annual main-business "
        "revenue of 20 million yuan or more (5 million before 2011). They are the larger "
        "firms and a small minority of all firms.",
        (r"above-scale", r"above-designated-size", r"规模以上"),
    ),
    Term(
        "g-two-new",
        "“Two new” organizations",
        "两新组织",
        "Non-public economic organizations (private firms, individual businesses) and new "
        "social organizations (associations, private non-profit bodies) taken together: the "
        "widest population the reports use.",
        (r"two new", r"两新组织"),
    ),
    Term(
        "g-derived",
        "Derived figure",
        "",
        "A number that no source prints but that is computed from two printed figures of "
        "the same population, for instance organizations per firm. It carries the ids of "
        "the figures it comes from, and their caveats.",
        (r"derived",),
    ),
    Term(
        "g-bounds",
        "Range, bound, open bound",
        "余, 多, 近, 左右",
        "Reports round: 70余个 means more than 70, 近1000 nearly 1,000, 95%左右 about 95%. "
        "The data keep the printed number and the range its wording allows, from a lower "
        "to an upper bound. When the wording sets no limit on one side (“more than 70”) "
        "the range is open on that side: charts draw it as an arrow, tables say "
        "“at least”. A stated assumption may close it (余 read as below the next step of "
        "the last printed digit).",
        (r"open bounds?", r"bounds?", r"intervals?"),
    ),
    Term(
        "g-comparable",
        "Not comparable",
        "口径不同",
        "Two figures are comparable only when they count the same kind of unit (the same "
        "definition), in the same population (the same scope) and for the same period. "
        "When any of these differ, a gap between them may come from the definitions rather "
        "than from the regions, so it says nothing about the regions.",
        (r"not comparable", r"like for like", r"comparable", r"口径"),
    ),
    Term(
        "g-rank",
        "Rank correlation",
        "",
        "How closely the order of the regions by one measure matches their order by "
        "another: +1 when the orders agree, −1 when they are reversed, 0 when they are "
        "unrelated. Spearman's and Kendall's are two ways of scoring it.",
        (r"rank correlations?", r"Spearman", r"Kendall"),
    ),
    Term(
        "g-permutation",
        "Exact permutation test, p-value",
        "",
        "With n regions, every way of ordering one measure against the other is listed "
        "(3 regions: 6 orderings) and the share of orderings that agree at least as strongly "
        "as the data is counted: that share is the exact p-value, the chance of so strong a "
        "pattern if the two measures were unrelated. With three regions it can never be "
        "below 1 in 3, so no result can be called significant.",
        (r"exact permutation tests?", r"permutation tests?", r"p-values?"),
    ),
    Term(
        "g-units",
        "万 and 亿",
        "万, 亿",
        "Chinese counts large numbers in 万 (10,000) and 亿 (100 million = 10,000万). "
        "325万元 is 3.25 million yuan; 2.21亿元 is 221 million yuan. Tables keep the unit the "
        "sources use and add the English number where it helps.",
        (),
    ),
)

# Elements whose text is never linked: links themselves, code, headings, tables, the data
# blocks, and anything marked data-no-glossary (the glossary, the sources, the cover).
_SKIP = {
    "a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "details", "table",
    "style", "script", "title", "head", "nav", "button", "svg", "figcaption", "caption",
}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}
_TAG = re.compile(r"(<!--.*?-->|<[^>]+>)", re.S)
_NAME = re.compile(r"^</?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def _compile(terms: Sequence[Term]) -> list[tuple[Term, re.Pattern[str]]]:
    compiled = []
    for term in terms:
        if term.patterns:
            joined = "|".join(f"(?:{p})" for p in term.patterns)
            # ASCII word boundaries: a Chinese term is found inside a run of Chinese text.
            pattern = rf"(?<![A-Za-z0-9_-])(?:{joined})(?![A-Za-z0-9_-])"
            compiled.append((term, re.compile(pattern, re.I)))
    return compiled


def link_first_mentions(page: str, terms: Sequence[Term] = GLOSSARY, target: str = "") -> str:
    """Link the first mention of each term in ``page``'s text to its glossary entry.

    Only text outside links, code, headings, tables, ``<details>`` and elements marked
    ``data-no-glossary`` is searched, in document order; each term is linked once, with
    ``<a class="glossary-link" href="#g-…">`` (``href="TARGET#g-…"`` when the glossary
    is the page ``target``).
    """
    remaining = _compile(terms)
    pieces = _TAG.split(page)
    stack: list[tuple[str, bool]] = []
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if piece.startswith("<"):
            out.append(piece)
            if piece.startswith(("<!--", "<!")):
                continue
            match = _NAME.match(piece)
            if not match:
                continue
            name = match.group(1).lower()
            if piece.startswith("</"):
                for depth in range(len(stack) - 1, -1, -1):
                    if stack[depth][0] == name:
                        del stack[depth:]
                        break
            elif name not in _VOID and not piece.endswith("/>"):
                skip = name in _SKIP or "data-no-glossary" in piece
                stack.append((name, skip))
            continue
        if not remaining or any(skip for _, skip in stack) or "body" not in {n for n, _ in stack}:
            out.append(piece)
            continue
        out.append(_link_text(piece, remaining, target))
    return "".join(out)


def _link_text(
    text: str, remaining: list[tuple[Term, re.Pattern[str]]], target: str = ""
) -> str:
    """Link the earliest mention of any remaining term in ``text``; repeat after it."""
    result: list[str] = []
    while remaining:
        found = [(m.start(), -len(m.group(0)), i, m) for i, (_, p) in enumerate(remaining)
                 if (m := p.search(text))]
        if not found:
            break
        _, _, index, match = min(found)
        term, _ = remaining.pop(index)
        result.append(text[: match.start()])
        result.append(
            f'<a class="glossary-link" href="{target}#{term.anchor}" '
            f'title="Glossary: {html.escape(term.term)}">'
            f"{match.group(0)}</a>"
        )
        text = text[match.end() :]
    result.append(text)
    return "".join(result)


#: The glossary in Chinese: for each entry of :data:`GLOSSARY` (by anchor), the Chinese
#: term and its explanation, written for Chinese readers rather than translated.
GLOSSARY_ZH: dict[str, tuple[str, str]] = {
    "g-dangjian": (
        "党建",
        "党的建设，这里指在民营企业和外资企业中建立党组织、开展党的工作、发展党员。"
        "本项目的英文名 dangjian-analysis 即取自“党建”一词的拼音。",
    ),
    "g-cpes": (
        "中国私营企业调查（CPES）",
        "自1993年起大约每两年开展一次的全国私营企业抽样调查，由中央统战部、全国工商联等"
        "单位组织。问卷问及企业是否建立党组织，因此企业层面的研究常以它为数据来源。",
    ),
    "g-coverage": (
        "覆盖率",
        "某一范围内（通常是企业）已建立党组织或被党组织覆盖的单位所占比重，"
        "被覆盖也包括由联合党支部覆盖若干家小企业。分母是什么，各地报道并不一致："
        "有的是全部非公企业，有的只算规模以上企业，有的只算园区企业。",
    ),
    "g-formation": (
        "组建率",
        "通常指具备建立党组织条件（一般是有3名以上正式党员）的企业中已经建立党组织的比重。"
        "它的分母比覆盖率小，所以数值往往更高；两者不是同一个指标。",
    ),
    "g-nonpublic": (
        "非公有制企业（非公企业）",
        "不属于国有或集体所有的企业，包括私营企业、外商投资企业和其他民营控股公司。",
    ),
    "g-above-scale": (
        "规模以上企业",
        "达到统计规模标准的企业：工业企业指年主营业务收入2000万元及以上"
        "（2011年以前为500万元）。这些是较大的企业，只占全部企业的一小部分。",
    ),
    "g-two-new": (
        "两新组织",
        "新经济组织（私营企业、个体工商户等）和新社会组织（社会团体、民办非企业单位等）"
        "的合称，是各地报道中范围最宽的口径。",
    ),
    "g-derived": (
        "推算数",
        "原文没有直接给出、由同一范围的两个原文数字算出的数，例如每家企业的党组织数。"
        "推算数保留所依据数字的编号及其注意事项。",
    ),
    "g-bounds": (
        "区间、界限与开区间",
        "报道中的数字常带约数：“70余个”是70个以上，“近1000”是接近1000，“95%左右”是大约95%。"
        "数据既保留原文数字，也记下措辞所允许的范围（下限到上限）。措辞只限定一侧时"
        "（如“70余个”），另一侧是开放的：图中画成箭头，表中写作“至少”。"
        "在明确说明的假设下也可以把它闭合（例如把“余”理解为不到末位数字的下一档）。",
    ),
    "g-comparable": (
        "口径不同，不可比",
        "两个数字只有在统计单位相同（定义相同）、范围相同、时期相同时才可比。"
        "只要有一项不同，两者的差距就可能来自口径而非地区本身，不能据此比较地区。",
    ),
    "g-rank": (
        "秩相关",
        "按一个指标给各地区排序，再按另一个指标排序，看两个顺序有多一致："
        "完全一致为+1，完全相反为−1，毫无关系为0。Spearman系数和Kendall系数是两种算法。",
    ),
    "g-permutation": (
        "精确置换检验与p值",
        "有n个地区时，把一个指标对另一个指标的所有排列方式逐一列出（3个地区有6种），"
        "数一数其中与实际数据一样一致或更一致的排列占多大比例，这个比例就是精确p值，"
        "即两个指标本不相关时出现如此强的规律的概率。只有3个地区时，p值不可能低于三分之一，"
        "因此任何结果都谈不上显著。",
    ),
    "g-units": (
        "万与亿",
        "中文以万（10,000）和亿（1亿=10,000万）计大数。325万元即3.25 million yuan，"
        "2.21亿元即221 million yuan。简报中的中文数字沿用原文单位。",
    ),
}
