"""dangjian-analysis: curated data on party organizations in China's non-public enterprises.

The public API is re-exported here and loaded lazily: ``import dangjian_analysis`` does
not import pandas, matplotlib or statsmodels until a function that needs them is used.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("dangjian-analysis")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

# Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "DataValidationError": "dangjian_analysis.errors",
    "DataPackageNotFoundError": "dangjian_analysis.errors",
    "Problem": "dangjian_analysis.errors",
    "Quantity": "dangjian_analysis.quantity",
    "QuantityParseError": "dangjian_analysis.quantity",
    "parse_quantity": "dangjian_analysis.quantity",
    "parse_chinese_numeral": "dangjian_analysis.quantity",
    "default_data_dir": "dangjian_analysis.paths",
    "resolve_data_dir": "dangjian_analysis.paths",
    "read_datapackage": "dangjian_analysis.schema",
    "data_version": "dangjian_analysis.schema",
    "validate": "dangjian_analysis.validation",
    "load_sources": "dangjian_analysis.loaders",
    "load_regions": "dangjian_analysis.loaders",
    "load_indicators": "dangjian_analysis.loaders",
    "load_scopes": "dangjian_analysis.loaders",
    "load_figures": "dangjian_analysis.loaders",
    "normalize_text": "dangjian_analysis.textnorm",
    "verify_sources": "dangjian_analysis.provenance",
    "build_briefs": "dangjian_analysis.briefs",
    "BriefBuildError": "dangjian_analysis.briefs",
    "external_resources": "dangjian_analysis.offline",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from dangjian_analysis.briefs import BriefBuildError, build_briefs
    from dangjian_analysis.errors import DataPackageNotFoundError, DataValidationError, Problem
    from dangjian_analysis.loaders import (
        load_figures,
        load_indicators,
        load_regions,
        load_scopes,
        load_sources,
    )
    from dangjian_analysis.offline import external_resources
    from dangjian_analysis.paths import default_data_dir, resolve_data_dir
    from dangjian_analysis.provenance import verify_sources
    from dangjian_analysis.quantity import (
        Quantity,
        QuantityParseError,
        parse_chinese_numeral,
        parse_quantity,
    )
    from dangjian_analysis.schema import data_version, read_datapackage
    from dangjian_analysis.textnorm import normalize_text
    from dangjian_analysis.validation import validate


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dangjian_analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public API."""
    return sorted(__all__)
