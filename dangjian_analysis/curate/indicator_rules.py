"""Suggest an indicator for an extracted figure from the words printed around it.

The rules live in one table shipped with the package, ``extract_rules.csv``, with the
columns ``keyword``, ``unit_kind``, ``indicator``, ``priority`` and ``note``:

- ``keyword``: Simplified characters looked for near the figure; ``A+B`` needs both
  ``A`` and ``B`` (``产值+增长``);
- ``unit_kind``: the indicator's unit kind; a rule applies only to figures whose printed
  unit fits it (a percentage fits ``ratio`` and ``growth_rate``, ``名`` fits ``persons``,
  a number with no unit such as ``26万`` fits any kind that is not a ratio);
- ``indicator``: the code suggested (a code of ``indicators.csv``);
- ``priority``: an integer; between keywords printed at the same distance from the
  figure, the higher priority wins (a specific keyword such as ``新党员`` over a general
  one such as ``党员``);
- ``note``: why the rule is there.

Among the rules that apply, a keyword printed after the figure (in the clause that follows
it) wins over one printed before it: the noun right after a number names what it counts.
After the figure, the keywords of the first run of touching keywords (the noun:
``企业党组织``, ``示范党组织``) count as equally near and the highest priority among them
wins; a keyword further on loses to them (``3个园区建立党支部`` counts parks). Before the
figure, the keywords ending fewer than :data:`NEAR` characters from it count as equally
near and the highest priority among them wins (``走访企业`` over ``企业``, ``新党员`` over
``党员``); otherwise the nearest keyword wins. When the best rules disagree (same place,
same distance, same priority, different indicators) no indicator is suggested: an empty
suggestion is better than a wrong one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from dangjian_analysis.package.errors import DataValidationError, Problem
from dangjian_analysis.package.schema import read_datapackage
from dangjian_analysis.text.quantity import unit_kind_compatible

__all__ = ["NEAR", "RULES_FILE", "RULE_COLUMNS", "IndicatorRule", "IndicatorRules", "load_rules"]

#: File name of the rules table inside the package.
RULES_FILE = "extract_rules.csv"

#: Columns of the rules table, in order.
RULE_COLUMNS = ("keyword", "unit_kind", "indicator", "priority", "note")

#: Keywords ending fewer than this many characters from a figure count as equally near it.
NEAR = 5

@dataclass(frozen=True)
class IndicatorRule:
    """One row of the rules table."""

    keyword: str
    unit_kind: str
    indicator: str
    priority: int
    note: str

    @property
    def parts(self) -> tuple[str, ...]:
        """The words that must all be printed near the figure."""
        return tuple(self.keyword.split("+"))


def _distance(word: str, before: str, after: str) -> tuple[str, int] | None:
    """Where ``word`` is printed: ``("after", n)`` or ``("before", n)``, ``n`` characters away.

    The words printed right after a figure name what it counts (``3个园区``), so a word
    found there is preferred to one found before the figure.
    """
    found = after.find(word)
    if found != -1:
        return "after", found
    found = before.rfind(word)
    if found != -1:
        return "before", len(before) - found - len(word)
    return None


@dataclass(frozen=True)
class IndicatorRules:
    """The rules table, ready to suggest indicators."""

    rules: tuple[IndicatorRule, ...]

    @cached_property
    def words(self) -> frozenset[str]:
        """Every keyword (each part of ``A+B`` keywords) of the table."""
        return frozenset(part for rule in self.rules for part in rule.parts)

    def _first_run_end(self, after: str) -> int:
        """Return where the first run of touching keywords after a figure ends (0: none).

        ``企业党组织书记培训基地`` is one run: its words touch or overlap. The run stands
        for the noun the figure counts; its first word need not be the one that matters.
        """
        spans = []
        for word in self.words:
            i = after.find(word)
            while i != -1:
                spans.append((i, i + len(word)))
                i = after.find(word, i + 1)
        spans.sort()
        if not spans:
            return 0
        end = spans[0][1]
        for lo, hi in spans[1:]:
            if lo > end:
                break
            end = max(end, hi)
        return end

    def suggest(self, before: str, after: str, unit_kind: str | None) -> tuple[str, str]:
        """Suggest an indicator for a figure; return ``(indicator, keyword)`` or ``("", "")``.

        ``before`` is the normalized text printed before the figure (its end touching the
        figure), ``after`` the text printed after it, ``unit_kind`` the kind of the
        figure's printed unit (``None`` when it has none).
        """
        run_end = self._first_run_end(after)
        scored: list[tuple[int, int, int, int, IndicatorRule]] = []
        for rule in self.rules:
            if not unit_kind_compatible(unit_kind, rule.unit_kind):
                continue
            found = [_distance(part, before, after) for part in rule.parts]
            if any(f is None for f in found):
                continue
            places = [f for f in found if f is not None]
            tier = 0 if any(side == "after" for side, _ in places) else 1
            distance = min(d for _, d in places)
            if tier == 0:  # the words of the noun right after the figure count alike
                bucket = 0 if distance < run_end else distance
            else:  # before the figure, all words ending within NEAR count alike
                bucket = 0 if distance < NEAR else distance
            scored.append((tier, bucket, -rule.priority, distance, rule))
        if not scored:
            return "", ""
        scored.sort(key=lambda item: item[:4])
        best = scored[0]
        rivals = {item[4].indicator for item in scored if item[:4] == best[:4]}
        if len(rivals) > 1:
            return "", ""
        return best[4].indicator, best[4].keyword


def _parse(text: str, file: str) -> IndicatorRules:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != RULE_COLUMNS:
        found = rows[0] if rows else "an empty file"
        raise DataValidationError(
            file, [Problem(file, 0, None, f"columns {list(RULE_COLUMNS)}", str(found))]
        )
    problems: list[Problem] = []
    rules = []
    seen: set[tuple[str, str]] = set()
    unit_kinds = tuple(read_datapackage().unit_kinds)
    for number, cells in enumerate(rows[1:], start=1):
        if len(cells) != len(RULE_COLUMNS):
            problems.append(
                Problem(file, number, None, f"{len(RULE_COLUMNS)} cells", f"{len(cells)} cells")
            )
            continue
        row = dict(zip(RULE_COLUMNS, cells, strict=True))
        key = f"keyword={row['keyword']}"
        if not row["keyword"] or any(not part for part in row["keyword"].split("+")):
            problems.append(
                Problem(
                    file,
                    number,
                    "keyword",
                    "one or more words joined by '+'",
                    repr(row["keyword"]),
                    key,
                )
            )
        if row["unit_kind"] not in unit_kinds:
            problems.append(
                Problem(
                    file,
                    number,
                    "unit_kind",
                    f"one of {list(unit_kinds)} (the unit kinds of datapackage.json)",
                    repr(row["unit_kind"]),
                    key,
                )
            )
        if not row["indicator"]:
            problems.append(Problem(file, number, "indicator", "an indicator code", "''", key))
        try:
            priority = int(row["priority"])
        except ValueError:
            problems.append(
                Problem(file, number, "priority", "an integer", repr(row["priority"]), key)
            )
            continue
        if (row["keyword"], row["unit_kind"]) in seen:
            problems.append(
                Problem(
                    file,
                    number,
                    "keyword",
                    "one rule per keyword and unit kind",
                    f"{row['keyword']!r} ({row['unit_kind']}) again",
                    key,
                )
            )
        seen.add((row["keyword"], row["unit_kind"]))
        rules.append(
            IndicatorRule(row["keyword"], row["unit_kind"], row["indicator"], priority, row["note"])
        )
    if problems:
        raise DataValidationError(file, problems)
    return IndicatorRules(tuple(rules))


@lru_cache(maxsize=1)
def _bundled() -> IndicatorRules:
    text = (resources.files("dangjian_analysis.curate") / RULES_FILE).read_text(encoding="utf-8")
    return _parse(text, RULES_FILE)


def load_rules(path: str | Path | None = None) -> IndicatorRules:
    """Load the keyword rules from ``path`` (default: the table shipped with the package).

    Raises:
        DataValidationError: naming the row and column of every malformed rule.

    """
    if path is None:
        return _bundled()
    path = Path(path)
    return _parse(path.read_text(encoding="utf-8-sig"), str(path))
