"""Checks of an ``analysis.json`` document that its structure alone does not make.

:func:`~dangjian_analysis.package.settings.parse_settings` reads the document into
settings and reports what is malformed; :func:`document_problems` adds what a reader
would let pass: unknown keys (a misspelt ``factr`` would be ignored), a measure or key
listed twice (the second would silently replace the first), and factors that are not
finite and positive or that turn a share into something that is not between 0 and 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from dangjian_analysis.package.errors import Problem

__all__ = ["ITEM_KEYS", "MAX_FACTOR", "OBJECT_PARTS", "document_problems"]


#: The keys each item of a part may hold (a misspelt key would be ignored otherwise).
ITEM_KEYS: dict[str, frozenset[str]] = {
    "partial_counts": frozenset({"figure_id", "reason"}),
    "ratio_measures": frozenset(
        {"measure", "label", "numerators", "denominators", "unit_kind", "factor", "caveat", "share"}
    ),
    "coverage_measures": frozenset({"measure", "label", "share_of_firms"}),
    "outcomes": frozenset({"outcome", "measure", "label"}),
    "benchmark_measures": frozenset({"outcome", "measure", "label"}),
    "national_definitions": frozenset(
        {"key", "label", "short", "population", "indicator", "scope", "series", "regional"}
    ),
    "national_counts": frozenset(
        {"key", "label", "short", "population", "indicator", "scope", "series", "regional"}
    ),
    "capacity": frozenset({"scopes", "measures", "people"}),
    "capacity.measures": frozenset({"measure", "label", "money_unit"}),
    "reported_growth": frozenset({"indicator", "level"}),
    "implied_denominators": frozenset({"rates", "counts"}),
    "examples": frozenset({"key", "measures", "region_id", "scope", "value"}),
}

#: Parts that are one JSON object (their keys checked), not a list of objects.
OBJECT_PARTS = ("capacity", "implied_denominators")

#: The largest factor of a ratio measure: a scale such as 100 or 1,000 (per 1,000
#: enterprises); a larger one sends derived values towards overflow.
MAX_FACTOR = 1e9


def document_problems(doc: Any, file: str, *, parts: Iterable[str]) -> list[Problem]:
    """Check what the structure alone does not: known keys, each listed once, sane factors.

    - every top-level key is one of ``parts`` (the settings module's ``SETTINGS_PARTS``),
      every key of an item one
      of :data:`ITEM_KEYS`;
    - measures, outcomes' measures, definition keys, figure ids and codes are listed once
      in their part;
    - a ratio measure's ``factor`` is a finite number above 0 and at most
      :data:`MAX_FACTOR`, and a share (``share: true``) is of unit kind ``ratio`` with
      factor 1, so that it stays between 0 and 1.
    """
    if not isinstance(doc, dict):
        return []
    problems: list[Problem] = []

    def add(where: str, expected: str, found: Any) -> None:
        problems.append(Problem(file, None, where, expected, found))

    known = sorted(parts)
    for key in doc:
        if key not in known:
            add(str(key), f"one of the parts {known}", "an unknown key")

    def items(part: str, parent: Any = doc, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        value = parent.get(part) if isinstance(parent, dict) else None
        out = []
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                out.append((f"{prefix}{part}[{i}]", item))
        return out

    def known_keys(part: str, where: str, item: dict[str, Any]) -> None:
        for key in item:
            if key not in ITEM_KEYS[part]:
                add(
                    f"{where}.{key}", f"one of the keys {sorted(ITEM_KEYS[part])}", "an unknown key"
                )

    def once(part: str, label: str, keys: list[tuple[str, Any]]) -> None:
        first: dict[Any, str] = {}
        for where, value in keys:
            if not isinstance(value, str | tuple) or value in ("", ()):
                continue
            if value in first:
                add(
                    where, f"each {label} listed once in {part}", f"{value!r}, as in {first[value]}"
                )
            else:
                first[value] = where

    for part in ITEM_KEYS:
        if part.startswith("capacity") or part in OBJECT_PARTS:
            continue
        for where, item in items(part):
            known_keys(part, where, item)
    for part in OBJECT_PARTS:
        if part != "capacity" and isinstance(doc.get(part), dict):
            known_keys(part, part, doc[part])
    capacity = doc.get("capacity")
    if isinstance(capacity, dict):
        known_keys("capacity", "capacity", capacity)
        for where, item in items("measures", capacity, "capacity."):
            known_keys("capacity.measures", where, item)
        once(
            "capacity.measures",
            "measure",
            [
                (f"{w}.measure", it.get("measure"))
                for w, it in items("measures", capacity, "capacity.")
            ],
        )
        scopes = capacity.get("scopes")
        if isinstance(scopes, list):
            once(
                "capacity.scopes",
                "scope",
                [(f"capacity.scopes[{i}]", v) for i, v in enumerate(scopes)],
            )
    once(
        "partial_counts",
        "figure id",
        [(f"{w}.figure_id", it.get("figure_id")) for w, it in items("partial_counts")],
    )
    for part in ("ratio_measures", "coverage_measures"):
        once(part, "measure", [(f"{w}.measure", it.get("measure")) for w, it in items(part)])
    for part in ("outcomes", "benchmark_measures"):
        pairs = []
        for w, it in items(part):
            outcome, measure = it.get("outcome"), it.get("measure")
            if isinstance(outcome, str) and isinstance(measure, str):
                pairs.append((f"{w}.measure", (outcome, measure)))
        once(part, "measure of an outcome", pairs)
    for part in ("national_definitions", "national_counts", "examples"):
        once(part, "key", [(f"{w}.key", it.get("key")) for w, it in items(part)])
    once(
        "reported_growth",
        "rate",
        [(f"{w}.indicator", it.get("indicator")) for w, it in items("reported_growth")],
    )
    for part in ("benchmark_regions", "enterprise_scopes", "growth_levels"):
        values = doc.get(part)
        if isinstance(values, list):
            once(part, "code", [(f"{part}[{i}]", v) for i, v in enumerate(values)])
    for where, item in items("ratio_measures"):
        factor = item.get("factor", 1.0)
        number = (
            factor if isinstance(factor, int | float) and not isinstance(factor, bool) else None
        )
        if number is not None and not (math.isfinite(number) and 0 < number <= MAX_FACTOR):
            add(
                f"{where}.factor",
                f"a finite number above 0 and at most {MAX_FACTOR:g} (a scale such as 1, 100 "
                "or 1000)",
                repr(factor),
            )
        if item.get("share") is True:
            if item.get("unit_kind") not in (None, "ratio"):
                add(
                    f"{where}.unit_kind",
                    "'ratio' for a share (share: true)",
                    repr(item["unit_kind"]),
                )
            if number is not None and 0 < number <= MAX_FACTOR and number != 1:
                add(
                    f"{where}.factor",
                    "1 for a share (share: true), which lies between 0 and 1",
                    repr(factor),
                )
    return problems
