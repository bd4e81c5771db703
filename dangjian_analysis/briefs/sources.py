"""The sources behind a brief: figure ids found in a notebook's outputs, mapped to sources."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CitedSource", "cited_sources", "figure_ids_in_outputs", "output_texts"]

# Candidate figure ids: the schema's pattern, not glued to other word characters or hyphens.
_FIGURE_ID = re.compile(r"(?<![A-Za-z0-9_-])([a-z]{2,4}-[0-9]{3,})(?![A-Za-z0-9_-])")

# Output mime types whose text is searched for figure ids.
_TEXT_MIMES = ("text/plain", "text/html")


@dataclass(frozen=True)
class CitedSource:
    """One source of figures shown in a brief.

    Attributes:
        source_id: the source's id in ``sources.csv``.
        row: the source's row of ``sources.csv`` (column name to text).
        figure_ids: ids of this source's figures found in the brief, sorted.

    """

    source_id: str
    row: Mapping[str, str]
    figure_ids: tuple[str, ...]

    @property
    def published(self) -> str:
        """The publication date, or the window it must lie in when the source gives none."""
        if self.row.get("published"):
            return self.row["published"]
        earliest = self.row.get("published_earliest", "")
        latest = self.row.get("published_latest", "")
        if earliest and latest and earliest != latest:
            return f"{earliest} – {latest} (date not printed; earliest–latest window)"
        return earliest or latest or "unknown"


def _text(value: Any) -> str:
    """Join a notebook text field (a string or a list of lines)."""
    return "".join(value) if isinstance(value, list) else str(value)


def output_texts(notebook: Mapping[str, Any]) -> Iterator[str]:
    """Yield the text of every output of every code cell: streams, text/plain, text/html."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                yield _text(output.get("text", ""))
                continue
            data = output.get("data", {})
            for mime in _TEXT_MIMES:
                if mime in data:
                    yield _text(data[mime])


def figure_ids_in_outputs(notebook: Mapping[str, Any], known: Iterable[str]) -> set[str]:
    """Return the ids of ``known`` figures that appear in the outputs of ``notebook``.

    Only outputs are searched (what the reader sees as results), not the code or the
    prose, and only strings that are ids of figures in the data package count.
    """
    known_ids = set(known)
    found: set[str] = set()
    for text in output_texts(notebook):
        found.update(m.group(1) for m in _FIGURE_ID.finditer(text) if m.group(1) in known_ids)
    return found


def _id_key(figure_id: str) -> tuple[str, int]:
    """Sort key for figure ids: prefix, then number (``tc-999`` before ``tc-1000``)."""
    prefix, _, number = figure_id.rpartition("-")
    return prefix, int(number)


def cited_sources(
    notebook: Mapping[str, Any],
    figures: Iterable[Mapping[str, str]],
    sources: Iterable[Mapping[str, str]],
) -> list[CitedSource]:
    """Return the sources of the figures that ``notebook``'s outputs show, in source order.

    Args:
        notebook: an executed notebook (a dict or ``nbformat.NotebookNode``).
        figures: rows of ``figures.csv`` (need ``figure_id`` and ``source_id``).
        sources: rows of ``sources.csv``; the order of this table is kept.

    """
    source_of = {row["figure_id"]: row["source_id"] for row in figures}
    used = figure_ids_in_outputs(notebook, source_of)
    by_source: dict[str, list[str]] = {}
    for figure_id in used:
        by_source.setdefault(source_of[figure_id], []).append(figure_id)
    return [
        CitedSource(
            row["source_id"], dict(row), tuple(sorted(by_source[row["source_id"]], key=_id_key))
        )
        for row in sources
        if row["source_id"] in by_source
    ]
