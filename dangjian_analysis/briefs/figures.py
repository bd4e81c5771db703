"""The figures behind a brief, to read in a table and to take away as a CSV file.

A brief cites figures of the data package by id in its outputs
(:func:`~dangjian_analysis.briefs.sources.figure_ids_in_outputs`). This module gathers
those figures with words for their codes, the range each may take and its source, as rows
for the brief's "Figures in this brief" table and as a CSV file embedded in the page as a
``data:`` URI (so the brief stays one offline file).
"""

from __future__ import annotations

import base64
import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence

from dangjian_analysis.analysis.formatting import period_words, reader_interval

__all__ = ["CSV_COLUMNS", "figure_rows", "figures_csv", "figures_data_uri"]

#: Columns of the CSV download, in order.
CSV_COLUMNS: tuple[str, ...] = (
    "figure_id",
    "region_id",
    "region",
    "indicator",
    "what",
    "scope",
    "population",
    "period_kind",
    "period_earliest",
    "period_latest",
    "raw",
    "value",
    "lower",
    "upper",
    "qualifier",
    "unit_kind",
    "reads_as",
    "locator",
    "source_id",
    "source",
    "source_url",
)


def _number(text: str) -> float:
    try:
        return float(text) if str(text).strip() else math.nan
    except ValueError:
        return math.nan


def _id_key(figure_id: str) -> tuple[str, int]:
    prefix, _, number = figure_id.rpartition("-")
    return prefix, int(number) if number.isdigit() else 0


def figure_rows(
    figure_ids: Iterable[str],
    *,
    figures: Sequence[Mapping[str, str]],
    sources: Sequence[Mapping[str, str]],
    regions: Sequence[Mapping[str, str]] = (),
    indicators: Sequence[Mapping[str, str]] = (),
    scopes: Sequence[Mapping[str, str]] = (),
) -> list[dict[str, str]]:
    """Describe the figures ``figure_ids``, sorted by id, from the package's tables.

    The tables are rows of text as read from the CSV files. Each row has the columns
    :data:`CSV_COLUMNS` and ``period`` (the reference period in words).
    """
    wanted = set(figure_ids)
    region_name = {
        r["region_id"]: f"{r.get('name_zh', '')} {r.get('name_en', '')}".strip() for r in regions
    }
    indicator_of = {i["indicator"]: i for i in indicators}
    scope_name = {s["scope"]: s.get("label_en", s["scope"]) for s in scopes}
    source_of = {s["source_id"]: s for s in sources}
    rows = []
    for figure in sorted(
        (f for f in figures if f["figure_id"] in wanted), key=lambda f: _id_key(f["figure_id"])
    ):
        indicator = indicator_of.get(figure["indicator"], {})
        unit_kind = figure.get("unit_kind") or indicator.get("unit_kind", "")
        qualifier = figure.get("qualifier", "")
        source = source_of.get(figure["source_id"], {})
        title = source.get("title_en") or source.get("title_zh") or figure["source_id"]
        outlet = source.get("outlet", "")
        rows.append(
                {
                    "figure_id": figure["figure_id"],
                    "region_id": figure["region_id"],
                    "region": region_name.get(figure["region_id"], figure["region_id"]),
                    "indicator": figure["indicator"],
                    "what": indicator.get("label_en", figure["indicator"]),
                    "scope": figure["scope"],
                    "population": scope_name.get(figure["scope"], figure["scope"]),
                    "period_kind": figure.get("period_kind", ""),
                    "period_earliest": figure.get("period_earliest", ""),
                    "period_latest": figure.get("period_latest", ""),
                    "period": period_words(
                        figure.get("period_kind", ""),
                        figure.get("period_earliest", "")[:4],
                        figure.get("period_latest", "")[:4],
                    ),
                    "raw": figure.get("raw", ""),
                    "value": figure.get("value", ""),
                    "lower": figure.get("lower", ""),
                    "upper": figure.get("upper", ""),
                    "qualifier": qualifier,
                    "unit_kind": unit_kind,
                    "reads_as": reader_interval(
                        _number(figure.get("value", "")),
                        _number(figure.get("lower", "")),
                        _number(figure.get("upper", "")),
                        unit_kind,
                        qualifier=None if qualifier in ("", "exact") else qualifier,
                    ),
                    "locator": figure.get("locator", ""),
                    "source_id": figure["source_id"],
                    "source": f"{title} ({outlet})" if outlet else title,
                    "source_url": source.get("url", ""),
                }
        )
    return rows


def figures_csv(rows: Iterable[Mapping[str, str]]) -> str:
    """Write the rows as CSV text: columns :data:`CSV_COLUMNS`, a header, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(dict(row))
    return buffer.getvalue()


def figures_data_uri(rows: Iterable[Mapping[str, str]]) -> str:
    """Embed the rows' CSV in a ``data:`` URI.

    The text starts with a byte-order mark, so that spreadsheet programs read the Chinese
    text as UTF-8.
    """
    payload = ("\ufeff" + figures_csv(rows)).encode("utf-8")
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(payload).decode("ascii")
