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

__all__ = ["GLOSSARY", "Term", "link_first_mentions"]


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


def link_first_mentions(page: str, terms: Sequence[Term] = GLOSSARY) -> str:
    """Link the first mention of each term in ``page``'s text to its glossary entry.

    Only text outside links, code, headings, tables, ``<details>`` and elements marked
    ``data-no-glossary`` is searched, in document order; each term is linked once, with
    ``<a class="glossary-link" href="#g-…">``.
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
        out.append(_link_text(piece, remaining))
    return "".join(out)


def _link_text(text: str, remaining: list[tuple[Term, re.Pattern[str]]]) -> str:
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
            f'<a class="glossary-link" href="#{term.anchor}" '
            f'title="Glossary: {html.escape(term.term)}">'
            f"{match.group(0)}</a>"
        )
        text = text[match.end() :]
    result.append(text)
    return "".join(result)
