"""Locate the bundled data package, or a researcher's own."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from dangjian_analysis.package.errors import DataPackageNotFoundError

__all__ = ["DESCRIPTOR", "default_data_dir", "resolve_data_dir"]

#: File name of a Frictionless data package descriptor.
DESCRIPTOR = "datapackage.json"


def _bundled_dir() -> Path | None:
    """Return the data folder inside an installed wheel (``dangjian_analysis/data``), if present."""
    candidate = resources.files("dangjian_analysis") / "data"
    if candidate.is_dir() and (candidate / DESCRIPTOR).is_file():
        return Path(str(candidate))
    return None


def _source_tree_dir() -> Path | None:
    """Return the top-level ``data/`` folder of a source checkout (editable installs)."""
    candidate = Path(__file__).resolve().parents[2] / "data"
    if (candidate / DESCRIPTOR).is_file():
        return candidate
    return None


def default_data_dir() -> Path:
    """Return the folder of the data package that ships with this package.

    An installed wheel carries the package as ``dangjian_analysis/data`` and it is read
    through :mod:`importlib.resources`; in a source checkout (an editable install) the
    top-level ``data/`` folder is used instead.

    Raises:
        DataPackageNotFoundError: when neither location holds a ``datapackage.json``.

    """
    found = _bundled_dir() or _source_tree_dir()
    if found is None:
        raise DataPackageNotFoundError(
            "the bundled data package is missing: neither dangjian_analysis/data nor the "
            "source tree's data/ folder holds a datapackage.json"
        )
    return found


def resolve_data_dir(path: str | Path | None = None) -> Path:
    """Return the data package folder for ``path``, or the bundled one when ``path`` is None.

    ``path`` may name the folder or its ``datapackage.json``.

    Raises:
        DataPackageNotFoundError: when ``path`` does not exist or holds no descriptor.

    """
    if path is None:
        return default_data_dir()
    folder = Path(path)
    if folder.name == DESCRIPTOR and folder.is_file():
        return folder.parent
    if not folder.exists():
        raise DataPackageNotFoundError(f"data package folder {folder} does not exist")
    if not (folder / DESCRIPTOR).is_file():
        raise DataPackageNotFoundError(f"{folder} holds no {DESCRIPTOR}: not a data package")
    return folder
