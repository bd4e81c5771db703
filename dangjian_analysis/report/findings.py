"""Key findings: the few sentences a brief opens with, computed in the notebook.

A notebook builds its key findings from the same numbers its checked cells print and
shows them in a code cell tagged ``key-findings``; the brief builder lifts that cell's
output to the top of the brief. The object prints as plain text (what nbval compares),
as Markdown in JupyterLab and as an HTML ``<section id="key-findings">`` in a brief.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "KEY_FINDINGS_TAG",
    "MAX_POINTS",
    "KeyFindings",
    "key_findings",
    "show_only_findings_unless",
]

#: Tag of the notebook cell whose output is the brief's key-findings box.
KEY_FINDINGS_TAG = "key-findings"

#: At most this many points under the headline: a box read in ten seconds.
MAX_POINTS = 5


@dataclass(frozen=True)
class KeyFindings:
    """A one-sentence headline and up to :data:`MAX_POINTS` supporting points."""

    headline: str
    points: tuple[str, ...]

    def __str__(self) -> str:
        """Plain text: the headline, then one ``- `` line per point."""
        return "\n".join([self.headline, *(f"- {p}" for p in self.points)])

    def __repr__(self) -> str:
        """Return the plain text, so that a notebook shows the findings themselves."""
        return str(self)

    def _repr_markdown_(self) -> str:
        return "\n".join([f"**{self.headline}**", "", *(f"- {p}" for p in self.points)])

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.points)
        return (
            '<section id="key-findings" class="key-findings">'
            '<h2 class="key-findings-title">Key findings</h2>'
            f'<p class="key-findings-headline">{html.escape(self.headline)}</p>'
            f"<ul>{items}</ul></section>"
        )


def key_findings(headline: str, points: Iterable[str]) -> KeyFindings:
    """Build the key findings of a notebook.

    Args:
        headline: the finding in one plain sentence.
        points: one to :data:`MAX_POINTS` short sentences, each with its number.

    Raises:
        ValueError: an empty headline or point, no point, or more than :data:`MAX_POINTS`.

    """
    items = tuple(points)
    if not headline.strip():
        raise ValueError("key findings need a headline")
    if not 1 <= len(items) <= MAX_POINTS:
        raise ValueError(f"key findings take 1 to {MAX_POINTS} points, got {len(items)}")
    for position, point in enumerate(items, start=1):
        if not isinstance(point, str) or not point.strip():
            raise ValueError(f"key finding {position} is empty")
    return KeyFindings(headline.strip(), tuple(p.strip() for p in items))


def show_only_findings_unless(enough: bool, headline: str, reason: str) -> bool:
    """Let a notebook say there is nothing to show when its data package is too small.

    Call it at the end of a notebook's setup. With ``enough`` true it does nothing and
    returns True. Otherwise, in a running notebook, every later code cell runs as a no-op,
    except the cell that builds the key findings, which shows ``headline`` and ``reason``
    instead; the prose still shows, so a brief built on an empty or tiny package says what
    it would show and why it cannot. Returns False (outside IPython it only returns).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the notebooks always run in IPython
        return enough
    shell = get_ipython()
    if shell is None:
        return enough
    # A notebook run again on a larger package in the same kernel shows everything again.
    shell.input_transformers_post[:] = [
        t for t in shell.input_transformers_post if not getattr(t, "nothing_to_show", False)
    ]
    if enough:
        return True
    replacement = (
        f"__import__('dangjian_analysis').key_findings({headline!r}, [{reason!r}])\n"
    )

    def skip(lines: list[str]) -> list[str]:
        source = "".join(lines)
        return [replacement] if "key_findings(" in source else ["pass\n"]

    skip.nothing_to_show = True  # type: ignore[attr-defined]
    shell.input_transformers_post.append(skip)
    return False
