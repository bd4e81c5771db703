"""Load the tables of a data package as pandas DataFrames with stable dtypes.

Column dtypes follow the schema in ``datapackage.json``: ``number`` fields become
``float64`` (empty cells are NaN), ``date`` fields ``datetime64[ns]`` (empty cells are
NaT), ``integer`` fields nullable ``Int64`` and every other field pandas' ``str`` dtype
(empty cells are missing). Each loader validates the whole package first unless asked
not to, so a researcher's own package is checked before it is analysed. Tables are read by
:func:`~dangjian_analysis.package.tables.read_table`, the reader the validator checks, so
the cells loaded are the cells validated.

:func:`load_package` is the usual entry point: it validates once and returns every table
together with the package's analysis settings, which the analysis functions take as their
``settings`` argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dangjian_analysis.package.schema import UNIT_PROPERTY, DataPackage, read_datapackage
from dangjian_analysis.package.settings import AnalysisSettings, read_analysis_settings
from dangjian_analysis.package.tables import read_table
from dangjian_analysis.package.validation import validate as _validate

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LoadedPackage",
    "load_estimates",
    "load_figures",
    "load_indicators",
    "load_package",
    "load_publications",
    "load_regions",
    "load_scopes",
    "load_sources",
    "load_table",
]


def _package(path: str | Path | None, validate: bool) -> DataPackage:
    return _validate(path) if validate else read_datapackage(path)


def load_table(name: str, path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load resource ``name`` of the package at ``path`` (default: the bundled package).

    The frame's ``attrs`` hold ``data_version``.

    Raises:
        DataPackageNotFoundError: when ``path`` holds no data package.
        DataValidationError: when ``validate`` is true and the package is invalid.

    """
    return _frame(_package(path, validate), name)


def _frame(package: DataPackage, name: str) -> pd.DataFrame:
    """Read resource ``name`` of an already opened package with schema-typed columns."""
    import pandas as pd

    fields = package.fields(name)
    table = read_table(package, name)
    frame = pd.DataFrame(
        {col: pd.Series(table.columns[col], dtype=object) for col in table.header}
    )
    for fld in fields:
        col = fld["name"]
        ftype = fld.get("type", "string")
        blank = frame[col] == ""
        if ftype == "number":
            frame[col] = pd.to_numeric(frame[col].mask(blank), errors="raise").astype("float64")
        elif ftype == "integer":
            frame[col] = pd.to_numeric(frame[col].mask(blank), errors="raise").astype("Int64")
        elif ftype == "date":
            frame[col] = pd.to_datetime(frame[col].mask(blank), format="%Y-%m-%d").astype(
                "datetime64[ns]"
            )
        else:
            frame[col] = frame[col].mask(blank).astype("str")
    frame.attrs["data_version"] = package.version
    return frame


def load_sources(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load ``sources.csv``: one row per source article."""
    return load_table("sources", path, validate=validate)


def load_regions(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load ``regions.csv``: one row per region."""
    return load_table("regions", path, validate=validate)


def load_indicators(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load ``indicators.csv``: indicator codes, unit kinds, definitions and comparability."""
    return load_table("indicators", path, validate=validate)


def load_scopes(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load ``scopes.csv``: whom figures are about."""
    return load_table("scopes", path, validate=validate)


def load_figures(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load ``figures.csv`` with each row's unit attached.

    Besides the columns of ``figures.csv`` the frame has ``unit_kind`` and ``base_unit``
    (the indicator's unit kind and that kind's base unit) and ``region_level`` (the
    ``level`` of the figure's region; ``national`` marks the national context).
    """
    return _figures(_package(path, validate))


def _figures(package: DataPackage) -> pd.DataFrame:
    """Read ``figures.csv`` of an opened package with each row's unit attached.

    Besides the columns of ``figures.csv`` the frame has ``unit_kind`` and ``base_unit``,
    resolved through the ``unit`` property of the ``value`` field (the indicator's unit
    kind and that kind's base unit from the package's ``unitKinds``), and ``region_level``,
    the ``level`` of the figure's region in ``regions.csv`` (``national`` marks the
    national context). ``value``, ``lower`` and ``upper`` are ``float64``.
    """
    figures = _frame(package, "figures")
    unit = package.unit_of("figures", "value")
    if isinstance(unit, dict):
        table, column = str(unit["unitKindFrom"]).split(".")
        lookup = _frame(package, table).set_index(unit["via"])[column]
        figures["unit_kind"] = figures[unit["via"]].map(lookup).astype("str")
    else:
        figures["unit_kind"] = str(unit)
    base = {kind: spec.get("unit", "") for kind, spec in package.unit_kinds.items()}
    figures["base_unit"] = figures["unit_kind"].map(base).astype("str")
    levels = _frame(package, "regions").set_index("region_id")["level"]
    figures["region_level"] = figures["region_id"].map(levels).astype("str")
    figures.attrs["data_version"] = package.version
    figures.attrs[UNIT_PROPERTY] = {"value": unit, "lower": unit, "upper": unit}
    return figures


@dataclass(frozen=True)
class LoadedPackage:
    """A data package loaded for analysis: its tables, its analysis settings, its identity.

    Attributes:
        path: the folder that holds ``datapackage.json``.
        name: the package's ``name`` in the descriptor.
        version: its data version.
        settings: its analysis settings (``analysis.json``): pass them to the analysis
            functions as ``settings=``.
        tables: every table of the package by resource name, each a frame as
            :func:`load_table` returns it (``figures`` as :func:`load_figures` does).

    """

    path: Path
    name: str
    version: str
    settings: AnalysisSettings
    tables: Mapping[str, pd.DataFrame]

    @property
    def figures(self) -> pd.DataFrame:
        """``figures.csv``, with units and region levels (see :func:`load_figures`)."""
        return self.tables["figures"]

    @property
    def sources(self) -> pd.DataFrame:
        """``sources.csv``: one row per source."""
        return self.tables["sources"]

    @property
    def regions(self) -> pd.DataFrame:
        """``regions.csv``: one row per region."""
        return self.tables["regions"]

    @property
    def indicators(self) -> pd.DataFrame:
        """``indicators.csv``: indicator codes, unit kinds and definitions."""
        return self.tables["indicators"]

    @property
    def scopes(self) -> pd.DataFrame:
        """``scopes.csv``: whom figures are about."""
        return self.tables["scopes"]


def load_package(path: str | Path | None = None, *, validate: bool = True) -> LoadedPackage:
    """Load the data package at ``path`` (default: the bundled one) for analysis.

    The package is validated once (unless ``validate`` is false), then every table is read
    and the analysis settings with them::

        data = dj.load_package(DATA_DIR)
        cross = dj.cross_section(data.figures, data.scopes, "output_growth",
                                 settings=data.settings)

    Raises:
        DataPackageNotFoundError: when ``path`` holds no data package.
        DataValidationError: when ``validate`` is true and the package is invalid, or when
            the package declares no analysis settings.

    """
    package = _package(path, validate)
    tables = {
        name: _figures(package) if name == "figures" else _frame(package, name)
        for name in package.resource_names
    }
    return LoadedPackage(
        path=package.folder,
        name=str(package.descriptor.get("name", "")),
        version=package.version,
        settings=read_analysis_settings(package.folder),
        tables=tables,
    )


def load_publications(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load ``publications.csv``: one row per publication with firm-level estimates.

    ``year`` is ``Int64``. The table is optional
    (:func:`~dangjian_analysis.package.estimates.has_published_estimates` tells whether a
    package holds it).

    Raises:
        DataValidationError: when the package is invalid or does not declare the table.

    """
    return load_table("publications", path, validate=validate)


def load_estimates(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load ``estimates.csv``: one row per published estimate.

    ``value`` and ``se`` are ``float64`` (NaN where only a direction or no standard error
    is printed), ``n_firms`` is ``Int64``, and ``significance_level`` becomes ``float64``
    (0.01, 0.05, 0.1; NaN when no level is given). The table is optional, like
    ``publications.csv``.

    Raises:
        DataValidationError: when the package is invalid or does not declare the table.

    """
    estimates = load_table("estimates", path, validate=validate)
    level = estimates["significance_level"]
    estimates["significance_level"] = level.where(level.notna(), None).astype("float64")
    return estimates
