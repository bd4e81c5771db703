"""The curators' analysis decisions of a data package, read from its ``analysis.json``.

Which figures count only part of their scope, which ratios are derived, which coverage
measures and outcomes are compared across regions and in what order of preference, which
scopes are about enterprises, how the national context is split into definitions, and
what the capacity chart shows: these are choices about one data package, so they live in
the package (the ``analysis`` resource of ``datapackage.json``), not in code. A
researcher's own package carries its own file; ``dangjian validate`` checks that every
code and figure id in it exists in the package's tables.

The settings travel in the open: :func:`~dangjian_analysis.package.loaders.load_package`
returns them beside the tables (``load_package(path).settings``) and every analysis
function that needs them takes them as its ``settings`` argument; no function looks them
up from a table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dangjian_analysis.package.errors import DataValidationError, Problem
from dangjian_analysis.package.schema import DataPackage, read_datapackage, read_package_text
from dangjian_analysis.package.settings_document import document_problems

__all__ = [
    "GROWTH_SUFFIXES",
    "MONEY_UNITS",
    "SETTINGS_FILE",
    "SETTINGS_PARTS",
    "SETTINGS_RESOURCE",
    "AnalysisSettings",
    "CapacityMeasure",
    "Example",
    "NationalDefinition",
    "RatioMeasure",
    "check_settings",
    "read_analysis_settings",
]

#: Name of the resource in ``datapackage.json`` that holds the analysis settings.
SETTINGS_RESOURCE = "analysis"

#: Its usual file name.
SETTINGS_FILE = "analysis.json"

#: Money units a capacity measure may be shown in, with their size in yuan.
MONEY_UNITS: dict[str, float] = {"元": 1.0, "万元": 1e4, "亿元": 1e8}

#: The parts of ``analysis.json``, in file order, with what each holds (for the docs).
SETTINGS_PARTS: dict[str, str] = {
    "partial_counts": "figures (`figure_id`) that count only part of the population their "
    "scope names, with the `reason`: left out of derived ratios by default",
    "ratio_measures": "derived ratios: `measure`, `label`, `numerators` and `denominators` "
    "(indicator codes), `unit_kind`, `factor`, optional `caveat`, and `share` (true for a "
    "share of a population, whose upper bound stops at 100%)",
    "coverage_measures": "coverage measures compared across regions, in order of preference: "
    "`measure` (an indicator or a ratio measure), `label` shown to readers, "
    "`share_of_firms` (false for a measure that is not a share of firms)",
    "outcomes": "outcome measures (`outcome`, `measure`, `label`), in order of preference "
    "within each outcome; growth measures end in `_growth_1y` (as printed) or `_cagr` "
    "(compound annual growth)",
    "benchmark_measures": "measures broader than an outcome's own (`outcome`, `measure`, "
    "`label`) that may stand as a province's or prefecture's benchmark when it has none of "
    "the outcome's own measures",
    "benchmark_regions": "regions (`region_id`) whose figures serve as benchmarks for the "
    "regions they contain (a province for its counties), not as regions of the "
    "cross-section",
    "enterprise_scopes": "scopes under which a coverage figure is about enterprises (with "
    "every scope nested in them)",
    "national_definitions": "definitions of national coverage: `key`, `label`, `short`, "
    "`population`, the `indicator` and `scope` of their figures, whether they form the "
    "party-statistics `series`, and the `regional` measures and scopes that share them",
    "national_counts": "national counts, in the same form as the definitions",
    "capacity": "the capacity chart: its `scopes`, its `measures` (`measure`, `label`, "
    "optional `money_unit`: 元, 万元 or 亿元) and the `people` (indicator codes) whose "
    "counts are party-work capacity",
    "reported_growth": "growth rates as printed (`indicator`) and the level indicator each "
    "is growth of (`level`): they become the `<level>_growth_1y` measures",
    "growth_levels": "level indicators whose compound annual growth (`<level>_cagr`) is "
    "computed between two periods",
    "implied_denominators": "the coverage `rates` whose denominator can be recovered from a "
    "`counts` indicator of enterprises with a party organization (count ÷ rate)",
    "examples": "cases the notebooks single out (`key`, `region_id`, optional `measures`, "
    "`scope`, `value`): a rate printed beside the counts it can be checked against, a "
    "coverage claimed in words, a region's change over time",
}

#: Suffixes of the growth measures derived from a level indicator: one-year growth as
#: printed (``output_value_growth_1y``) and compound annual growth (``output_value_cagr``).
GROWTH_SUFFIXES = ("_growth_1y", "_cagr")


@dataclass(frozen=True)
class RatioMeasure:
    """A derived ratio: a numerator indicator over a denominator indicator, times a factor.

    ``share`` marks a ratio whose numerator counts part of the denominator's population
    (enterprises with an organization among the enterprises): it cannot exceed 1, so its
    upper bound is capped at 1 when the numerator's scope lies within the denominator's.
    """

    name: str
    label_en: str
    numerators: tuple[str, ...]
    denominators: tuple[str, ...]
    unit_kind: str
    factor: float = 1.0
    caveat: str = ""
    share: bool = False


@dataclass(frozen=True)
class NationalDefinition:
    """One definition of a national series: which figures carry it and how to name it.

    Attributes:
        key: short identifier.
        label: plain-language description, for tables and notes.
        short: legend label (Chinese and English).
        population: the units the figures count or divide by, in plain words.
        indicator, scope: the codes of the national figures of this definition.
        series: whether the definition belongs to the party-statistics series (drawn as a
            line, split where the definition changes) or stands apart (drawn as points).
        regional: the ``(measure, scope)`` pairs of regional measures with the same
            definition (a measure is an indicator code or a derived measure).

    """

    key: str
    label: str
    short: str
    population: str
    indicator: str
    scope: str
    series: bool
    regional: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CapacityMeasure:
    """A derived measure shown in the capacity chart, with its label and money unit."""

    measure: str
    label: str
    money_unit: str | None = None

    @property
    def scale(self) -> float:
        """Yuan per unit shown (1 for measures that are not money)."""
        return MONEY_UNITS[self.money_unit] if self.money_unit else 1.0


@dataclass(frozen=True)
class Example:
    """A case a notebook singles out: a region, and the measures, scope or value it is about.

    ``key`` names the case (a notebook asks for it by key); ``measures`` are indicator codes
    or derived measures, ``scope`` a scope code, ``value`` a number the case is about (a
    coverage claimed in words, as a share).
    """

    key: str
    region_id: str
    measures: tuple[str, ...] = ()
    scope: str | None = None
    value: float | None = None


@dataclass(frozen=True, eq=True)
class AnalysisSettings:
    """The analysis decisions of one data package (see the module docstring)."""

    partial_counts: Mapping[str, str] = field(default_factory=dict)
    ratio_measures: tuple[RatioMeasure, ...] = ()
    coverage_measures: Mapping[str, str] = field(default_factory=dict)
    not_shares_of_firms: frozenset[str] = frozenset()
    outcomes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    enterprise_scopes: tuple[str, ...] = ()
    benchmark_measures: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    benchmark_regions: tuple[str, ...] = ()
    national_definitions: tuple[NationalDefinition, ...] = ()
    national_counts: tuple[NationalDefinition, ...] = ()
    capacity_scopes: tuple[str, ...] = ()
    capacity_measures: tuple[CapacityMeasure, ...] = ()
    capacity_people: tuple[str, ...] = ()
    reported_growth: Mapping[str, str] = field(default_factory=dict)
    growth_levels: tuple[str, ...] = ()
    implied_rates: tuple[str, ...] = ()
    implied_counts: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    source: str = ""
    #: The parts the document holds, and every ratio measure it names (read or malformed),
    #: so that checks of the codes do not report follow-ons of a malformed part.
    parts: frozenset[str] = frozenset()
    declared_measures: frozenset[str] = frozenset()

    __hash__ = None  # type: ignore[assignment]  # holds dicts: compare, never hash

    @property
    def capacity_measure_names(self) -> tuple[str, ...]:
        """The capacity measures, in display order."""
        return tuple(m.measure for m in self.capacity_measures)

    @property
    def money_measures(self) -> tuple[str, ...]:
        """The capacity measures shown in a money unit (output or tax per firm), in order."""
        return tuple(m.measure for m in self.capacity_measures if m.money_unit)

    @property
    def ratio_measure_names(self) -> tuple[str, ...]:
        """The names of the ratio measures, in file order."""
        return tuple(m.name for m in self.ratio_measures)

    @property
    def reported_coverage_measures(self) -> tuple[str, ...]:
        """The coverage measures printed as rates (indicators, not ratio measures), in order."""
        ratios = set(self.ratio_measure_names)
        return tuple(m for m in self.coverage_measures if m not in ratios)

    @property
    def derived_coverage_measures(self) -> tuple[str, ...]:
        """The coverage measures derived from counts (ratio measures), in order."""
        ratios = set(self.ratio_measure_names)
        return tuple(m for m in self.coverage_measures if m in ratios)

    def example(self, key: str) -> Example | None:
        """Return the example called ``key``, or ``None`` when the package names none."""
        return next((e for e in self.examples if e.key == key), None)

    def __deepcopy__(self, memo: dict[int, Any]) -> AnalysisSettings:
        """Return the object itself: settings are never changed after reading."""
        return self


class _Reader:
    """Read one JSON document into settings, collecting every problem with its path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, where: str, expected: str, found: Any) -> None:
        shown = found if isinstance(found, str) and found.startswith("<") else repr(found)
        self.problems.append(Problem(self.file, None, where, expected, shown))

    def get(self, obj: Mapping[str, Any], key: str, where: str, kind: type, default: Any) -> Any:
        if key not in obj:
            if default is _REQUIRED:
                self.problem(f"{where}{key}", f"a {kind.__name__}", "<missing>")
                return None
            return default
        value = obj[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is str and not value.strip()):
            wanted = {float: "a number", bool: "true or false"}.get(
                kind, f"a non-empty {kind.__name__}"
            )
            self.problem(f"{where}{key}", wanted, value)
            return None
        return value

    def strings(self, obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = self.get(obj, key, where, list, _REQUIRED)
        if value is None:
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                out.append(item)
            else:
                self.problem(f"{where}{key}[{i}]", "a non-empty string", item)
        return tuple(out)

    def items(
        self, obj: Mapping[str, Any], key: str, *, report: bool = True
    ) -> list[tuple[str, dict[str, Any]]]:
        value = obj.get(key) if not report else self.get(obj, key, "", list, [])
        out = []
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                out.append((f"{key}[{i}].", item))
            elif report:
                self.problem(f"{key}[{i}]", "a JSON object", item)
        return out


_REQUIRED = object()


def _national(reader: _Reader, doc: Mapping[str, Any], key: str) -> tuple[NationalDefinition, ...]:
    out = []
    for where, item in reader.items(doc, key):
        regional = []
        for j, pair in enumerate(reader.get(item, "regional", where, list, []) or []):
            if isinstance(pair, dict) and all(
                isinstance(pair.get(k), str) and pair[k] for k in ("measure", "scope")
            ):
                regional.append((pair["measure"], pair["scope"]))
            else:
                reader.problem(f"{where}regional[{j}]", "an object with measure and scope", pair)
        values = [reader.get(item, k, where, str, _REQUIRED) for k in _NATIONAL_TEXT]
        series = reader.get(item, "series", where, bool, _REQUIRED)
        if None not in values and series is not None:
            out.append(NationalDefinition(*values, series=series, regional=tuple(regional)))
    return tuple(out)


_NATIONAL_TEXT = ("key", "label", "short", "population", "indicator", "scope")


def _outcome_lists(
    reader: _Reader, doc: Mapping[str, Any], key: str
) -> dict[str, dict[str, str]]:
    """Read a list of ``{outcome, measure, label}`` items into measures by outcome, in order."""
    out: dict[str, dict[str, str]] = {}
    for where, item in reader.items(doc, key):
        keys = ("outcome", "measure", "label")
        values = [reader.get(item, k, where, str, _REQUIRED) for k in keys]
        if None not in values:
            out.setdefault(values[0], {})[values[1]] = values[2]
    return out


def parse_settings(doc: Any, file: str = SETTINGS_FILE) -> tuple[AnalysisSettings, list[Problem]]:
    """Turn a parsed ``analysis.json`` into settings and the structural problems found."""
    reader = _Reader(file)
    if not isinstance(doc, dict):
        reader.problem("", "a JSON object", f"<{type(doc).__name__}>")
        return AnalysisSettings(source=file), reader.problems
    partial = {}
    for where, item in reader.items(doc, "partial_counts"):
        fid = reader.get(item, "figure_id", where, str, _REQUIRED)
        reason = reader.get(item, "reason", where, str, _REQUIRED)
        if fid is not None and reason is not None:
            partial[fid] = reason
    ratios = []
    for where, item in reader.items(doc, "ratio_measures"):
        name = reader.get(item, "measure", where, str, _REQUIRED)
        label = reader.get(item, "label", where, str, _REQUIRED)
        numerators = reader.strings(item, "numerators", where)
        denominators = reader.strings(item, "denominators", where)
        kind = reader.get(item, "unit_kind", where, str, _REQUIRED)
        factor = reader.get(item, "factor", where, float, 1.0)
        caveat = reader.get(item, "caveat", where, str, "")
        share = reader.get(item, "share", where, bool, False)
        if None not in (name, label, kind, factor, caveat, share) and numerators and denominators:
            ratios.append(
                RatioMeasure(name, label, numerators, denominators, kind, factor, caveat, share)
            )
    coverage = {}
    not_shares = set()
    for where, item in reader.items(doc, "coverage_measures"):
        measure = reader.get(item, "measure", where, str, _REQUIRED)
        label = reader.get(item, "label", where, str, _REQUIRED)
        share = reader.get(item, "share_of_firms", where, bool, True)
        if measure is not None and label is not None:
            coverage[measure] = label
            if share is False:
                not_shares.add(measure)
    outcomes = _outcome_lists(reader, doc, "outcomes")
    benchmark_measures = _outcome_lists(reader, doc, "benchmark_measures")
    capacity = reader.get(doc, "capacity", "", dict, {}) or {}
    measures = []
    for where, item in reader.items(capacity, "measures"):
        measure = reader.get(item, "measure", f"capacity.{where}", str, _REQUIRED)
        label = reader.get(item, "label", f"capacity.{where}", str, _REQUIRED)
        unit = reader.get(item, "money_unit", f"capacity.{where}", str, None)
        if unit is not None and unit not in MONEY_UNITS:
            reader.problem(f"capacity.{where}money_unit", f"one of {sorted(MONEY_UNITS)}", unit)
            unit = None
        if measure is not None and label is not None:
            measures.append(CapacityMeasure(measure, label, unit))
    reported_growth = {}
    for where, item in reader.items(doc, "reported_growth"):
        rate = reader.get(item, "indicator", where, str, _REQUIRED)
        level = reader.get(item, "level", where, str, _REQUIRED)
        if rate is not None and level is not None:
            reported_growth[rate] = level
    implied = reader.get(doc, "implied_denominators", "", dict, {}) or {}
    examples = []
    for where, item in reader.items(doc, "examples"):
        key = reader.get(item, "key", where, str, _REQUIRED)
        region = reader.get(item, "region_id", where, str, _REQUIRED)
        listed = reader.strings(item, "measures", where) if "measures" in item else ()
        scope = reader.get(item, "scope", where, str, None)
        value = reader.get(item, "value", where, float, None)
        if key is not None and region is not None:
            examples.append(Example(key, region, listed, scope, value))
    settings = AnalysisSettings(
        partial_counts=partial,
        ratio_measures=tuple(ratios),
        coverage_measures=coverage,
        not_shares_of_firms=frozenset(not_shares),
        outcomes=outcomes,
        benchmark_measures=benchmark_measures,
        benchmark_regions=reader.strings(doc, "benchmark_regions", "")
        if "benchmark_regions" in doc
        else (),
        enterprise_scopes=reader.strings(doc, "enterprise_scopes", "")
        if "enterprise_scopes" in doc
        else (),
        national_definitions=_national(reader, doc, "national_definitions"),
        national_counts=_national(reader, doc, "national_counts"),
        capacity_scopes=reader.strings(capacity, "scopes", "capacity.")
        if "scopes" in capacity
        else (),
        capacity_measures=tuple(measures),
        capacity_people=reader.strings(capacity, "people", "capacity.")
        if "people" in capacity
        else (),
        reported_growth=reported_growth,
        growth_levels=reader.strings(doc, "growth_levels", "") if "growth_levels" in doc else (),
        implied_rates=reader.strings(implied, "rates", "implied_denominators.")
        if "rates" in implied
        else (),
        implied_counts=reader.strings(implied, "counts", "implied_denominators.")
        if "counts" in implied
        else (),
        examples=tuple(examples),
        source=file,
        parts=frozenset(doc),
        declared_measures=frozenset(
            item["measure"]
            for _, item in reader.items(doc, "ratio_measures", report=False)
            if isinstance(item.get("measure"), str) and item["measure"].strip()
        ),
    )
    return settings, reader.problems + document_problems(doc, file, parts=SETTINGS_PARTS)


def check_settings(
    settings: AnalysisSettings,
    *,
    figure_ids: set[str],
    region_ids: set[str],
    indicators: set[str],
    scopes: set[str],
    unit_kinds: set[str],
    file: str = SETTINGS_FILE,
) -> list[Problem]:
    """Check that every code and id named in the settings exists in the package's tables."""
    problems: list[Problem] = []

    def need(where: str, code: str, known: set[str], what: str) -> None:
        if code not in known:
            problems.append(Problem(file, None, where, f"a {what}", repr(code)))

    for fid in settings.partial_counts:
        need("partial_counts.figure_id", fid, figure_ids, "figure id of figures.csv")
    ratio_names = set(settings.declared_measures)
    for i, m in enumerate(settings.ratio_measures):
        where = f"ratio_measures[{i}]."
        ratio_names.add(m.name)
        if m.name in indicators:
            problems.append(
                Problem(file, None, f"{where}measure", "a name that is not an indicator code "
                        "(a measure names one thing)", repr(m.name))
            )
        for code in (*m.numerators, *m.denominators):
            need(f"{where}numerators/denominators", code, indicators, "code of indicators.csv")
        need(f"{where}unit_kind", m.unit_kind, unit_kinds, "unit kind of datapackage.json")
    # The growth measures the settings derive: <level>_growth_1y of a rate printed in
    # reported_growth, <level>_cagr of a level in growth_levels. A package whose outcomes
    # name others (one written before those parts existed) is told so, not left without.
    one_year, compound = GROWTH_SUFFIXES
    growth = {f"{level}{one_year}" for level in settings.reported_growth.values()}
    growth |= {f"{level}{compound}" for level in settings.growth_levels}
    measures = indicators | ratio_names | growth
    for i, measure in enumerate(settings.coverage_measures):
        need(f"coverage_measures[{i}].measure", measure, indicators | ratio_names,
             "code of indicators.csv or a ratio measure")
    for key in ("outcomes", "benchmark_measures"):
        for outcome, wanted in getattr(settings, key).items():
            for measure in wanted:
                need(f"{key}[{outcome}].measure", measure, measures,
                     "indicator, ratio measure or growth measure (<level>_growth_1y of "
                     "reported_growth, <level>_cagr of growth_levels)")
    for outcome in settings.benchmark_measures:
        if settings.parts and "outcomes" not in settings.parts:
            problems.append(
                Problem(file, None, "outcomes", "the part 'outcomes' (benchmark_measures name "
                        f"the outcome {outcome!r})", "<missing>")
            )
            break
        need(f"benchmark_measures[{outcome}].outcome", outcome, set(settings.outcomes),
             "outcome listed under 'outcomes'")
    for i, region in enumerate(settings.benchmark_regions):
        need(f"benchmark_regions[{i}]", region, region_ids, "region id of regions.csv")
    for i, scope in enumerate(settings.enterprise_scopes):
        need(f"enterprise_scopes[{i}]", scope, scopes, "code of scopes.csv")
    for key in ("national_definitions", "national_counts"):
        for i, d in enumerate(getattr(settings, key)):
            need(f"{key}[{i}].indicator", d.indicator, indicators, "code of indicators.csv")
            need(f"{key}[{i}].scope", d.scope, scopes, "code of scopes.csv")
            for measure, scope in d.regional:
                need(f"{key}[{i}].regional.measure", measure, indicators | ratio_names,
                     "code of indicators.csv or a ratio measure")
                need(f"{key}[{i}].regional.scope", scope, scopes, "code of scopes.csv")
    for i, scope in enumerate(settings.capacity_scopes):
        need(f"capacity.scopes[{i}]", scope, scopes, "code of scopes.csv")
    for i, m in enumerate(settings.capacity_measures):
        need(f"capacity.measures[{i}].measure", m.measure, ratio_names, "a ratio measure")
    for i, code in enumerate(settings.capacity_people):
        need(f"capacity.people[{i}]", code, indicators, "code of indicators.csv")
    for i, (rate, level) in enumerate(settings.reported_growth.items()):
        need(f"reported_growth[{i}].indicator", rate, indicators, "code of indicators.csv")
        need(f"reported_growth[{i}].level", level, indicators, "code of indicators.csv")
    for key, codes in (
        ("growth_levels", settings.growth_levels),
        ("implied_denominators.rates", settings.implied_rates),
        ("implied_denominators.counts", settings.implied_counts),
    ):
        for i, code in enumerate(codes):
            need(f"{key}[{i}]", code, indicators, "code of indicators.csv")
    keys: set[str] = set()
    for i, e in enumerate(settings.examples):
        where = f"examples[{i}]."
        if e.key in keys:
            problems.append(
                Problem(file, None, f"{where}key", "a key not used before", repr(e.key))
            )
        keys.add(e.key)
        need(f"{where}region_id", e.region_id, region_ids, "region id of regions.csv")
        for measure in e.measures:
            need(f"{where}measures", measure, measures,
                 "indicator, ratio measure or growth measure (<level>_growth_1y of "
                 "reported_growth, <level>_cagr of growth_levels)")
        if e.scope is not None:
            need(f"{where}scope", e.scope, scopes, "code of scopes.csv")
    return problems


def settings_path(package: DataPackage) -> Path | None:
    """Return the settings file of a package, or ``None`` when it declares none."""
    for res in package.descriptor.get("resources", []):
        if isinstance(res, dict) and res.get("name") == SETTINGS_RESOURCE:
            return package.folder / str(res.get("path", SETTINGS_FILE))
    return None


def load_settings_document(package: DataPackage) -> tuple[AnalysisSettings, list[Problem]]:
    """Read and parse the package's settings file (structure only)."""
    path = settings_path(package)
    if path is None:
        return AnalysisSettings(), []
    name = path.name
    try:
        text = read_package_text(package.folder, str(path.relative_to(package.folder)),
                                 "the file named by the 'analysis' resource")
    except DataValidationError as exc:  # missing, not a regular file, not UTF-8
        return AnalysisSettings(source=name), [replace(p, file=name) for p in exc.problems]
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return AnalysisSettings(source=name), [
            Problem(name, None, None, "valid JSON", f"{exc.msg} at line {exc.lineno}")
        ]
    return parse_settings(doc, name)


_CACHE: dict[tuple[str, int, int], AnalysisSettings] = {}


def read_analysis_settings(path: str | Path | None = None) -> AnalysisSettings:
    """Read the analysis settings of the package at ``path`` (default: the bundled one).

    Only the file's structure is checked here; ``dangjian validate`` (and every loader,
    which validates first) also checks the codes and ids against the tables.

    Raises:
        DataValidationError: the package declares no settings, or they are malformed.

    """
    package = read_datapackage(path)
    file = settings_path(package)
    if file is None:
        raise DataValidationError(
            str(package.folder),
            [
                Problem(
                    "datapackage.json", None, None,
                    f"a resource named {SETTINGS_RESOURCE!r} (the analysis settings, "
                    f"{SETTINGS_FILE}; copy the bundled one and adapt it)",
                    "none",
                )
            ],
        )
    stat = file.stat() if file.exists() else None
    key = (str(file), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)
    if key not in _CACHE:
        settings, problems = load_settings_document(package)
        if problems:
            raise DataValidationError(str(package.folder), problems)
        _CACHE[key] = settings
    return _CACHE[key]
