"""Read a Frictionless data package descriptor and answer questions about its schema."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dangjian_analysis.package.descriptor import normalized, rule_problems, structure_problems
from dangjian_analysis.package.errors import DataPackageNotFoundError, DataValidationError, Problem
from dangjian_analysis.package.paths import DESCRIPTOR, default_data_dir, resolve_data_dir
from dangjian_analysis.text.files import (
    NotRegularFileError,
    TextDecodeError,
    decode_utf8,
    path_kind,
    read_regular_file,
)

__all__ = [
    "OPTIONAL_RESOURCE_NAMES",
    "RESOURCE_NAMES",
    "UNIT_PROPERTY",
    "DataPackage",
    "data_version",
    "decode_package_text",
    "read_datapackage",
    "read_package_bytes",
    "read_package_text",
]

#: The tables every data package of this schema holds, in load order.
RESOURCE_NAMES = ("sources", "regions", "indicators", "scopes", "figures")

#: Tables a data package may hold: published firm-level estimates and their publications
#: (:mod:`dangjian_analysis.package.estimates`). When present they are read and checked
#: like the others.
OPTIONAL_RESOURCE_NAMES = ("publications", "estimates")

#: The custom field property that carries a numeric field's unit. The Frictionless standard
#: has no unit property; this package uses this one, and only this one, everywhere.
UNIT_PROPERTY = "unit"


@dataclass(frozen=True)
class DataPackage:
    """A parsed ``datapackage.json`` and the folder it sits in."""

    folder: Path
    descriptor: dict[str, Any]

    @property
    def version(self) -> str:
        """The data version (``version`` in the descriptor)."""
        return str(self.descriptor.get("version", ""))

    @property
    def resource_names(self) -> list[str]:
        """The names of the tables the package holds: the five it must hold, then any other.

        Resources that are not tables (the analysis settings, a JSON document) are not
        listed.
        """
        names = [r["name"] for r in self.descriptor["resources"] if "schema" in r]
        others = [n for n in names if n not in RESOURCE_NAMES]
        return [*RESOURCE_NAMES, *others]

    @property
    def unit_kinds(self) -> dict[str, dict[str, str]]:
        """The package-level table of unit kinds and their base units."""
        return dict(self.descriptor.get("unitKinds", {}))

    def resource(self, name: str) -> dict[str, Any]:
        """Return the resource descriptor called ``name``.

        Raises:
            DataValidationError: when the descriptor has no such resource.

        """
        for res in self.descriptor.get("resources", []):
            if res.get("name") == name:
                return res
        raise DataValidationError(
            str(self.folder),
            [Problem(DESCRIPTOR, None, None, f"a resource named {name!r}", "none")],
        )

    def fields(self, name: str) -> list[dict[str, Any]]:
        """Return the field descriptors of resource ``name``."""
        return list(self.resource(name)["schema"]["fields"])

    def path(self, name: str) -> Path:
        """Return the path of resource ``name``'s data file."""
        return self.folder / self.resource(name)["path"]

    def unit_of(self, resource: str, field: str) -> Any:
        """Return the ``unit`` property of a field, or ``None`` when it has none."""
        for fld in self.fields(resource):
            if fld["name"] == field:
                return fld.get(UNIT_PROPERTY)
        raise KeyError(f"{resource} has no field {field!r}")


def read_datapackage(path: str | Path | None = None) -> DataPackage:
    """Read the descriptor of the data package at ``path`` (default: the bundled one).

    The descriptor is UTF-8 JSON (a byte order mark is allowed, as in the tables). Its
    structure is checked first (:func:`~dangjian_analysis.package.descriptor.structure_problems`),
    then the package's own rules: the five tables (and the optional ones it declares), each
    declaring at least the bundled package's fields, types and keys
    (:func:`~dangjian_analysis.package.descriptor.rule_problems`).

    Raises:
        DataPackageNotFoundError: when there is no descriptor at ``path``.
        DataValidationError: when the descriptor is not UTF-8, not valid JSON, not a JSON
            object, breaks the structure the package reads or lacks a table or field;
            each problem names the place in the descriptor.

    """
    folder = resolve_data_dir(path)
    descriptor = _parse(folder)
    problems = structure_problems(descriptor)
    if problems:
        raise DataValidationError(str(folder), problems)
    descriptor = normalized(descriptor)
    reference = None if folder.resolve() == _bundled_folder() else _reference()
    present = {res.get("name") for res in descriptor["resources"]}
    optional = tuple(name for name in OPTIONAL_RESOURCE_NAMES if name in present)
    problems = rule_problems(descriptor, reference, RESOURCE_NAMES + optional)
    if problems:
        raise DataValidationError(str(folder), problems)
    return DataPackage(folder, descriptor)


def decode_package_text(data: bytes, file: str, package: str) -> str:
    """Return the text of a package file in UTF-8; a leading byte order mark is dropped.

    ``file`` is the file's name within the package and ``package`` the package folder,
    both used in the error.

    Raises:
        DataValidationError: naming the file, the line and the first byte that is not
            UTF-8 (or saying that the file is UTF-16).

    """
    try:
        return decode_utf8(data)
    except TextDecodeError as exc:
        raise DataValidationError(
            package, [Problem(file, None, None, exc.expected, exc.found, line=exc.line)]
        ) from None


def read_package_text(folder: Path, file: str, what: str) -> str:
    """Read ``file`` of the package in ``folder`` as UTF-8 text (see :func:`decode_package_text`).

    The file is read by :func:`read_package_bytes`, with its rules and errors.
    """
    return decode_package_text(read_package_bytes(folder, file, what), file, str(folder))


def read_package_bytes(folder: Path, file: str, what: str) -> bytes:
    """Return the bytes of ``file`` of the package in ``folder``.

    Only a regular file inside the package folder is read: a device, a FIFO, a socket or a
    symbolic link loop is named as what it is, and a symbolic link that leads out of the
    folder is refused without reading (or printing) what it points to.

    Raises:
        DataValidationError: ``expected <what>, found <what is there>``: no such file, a
            folder, a FIFO (named pipe), a character device, a symbolic link loop, a
            symbolic link to a file outside the package folder, unreadable: <reason>.

    """
    path = folder / file
    found = path_kind(path)
    if found == "a regular file" and not _inside(path, folder):
        found = "a symbolic link to a file outside the package folder (not read)"
    if found != "a regular file":
        raise DataValidationError(str(folder), [Problem(file, None, None, what, found)])
    try:
        data = read_regular_file(path)
    except NotRegularFileError as exc:
        raise DataValidationError(
            str(folder), [Problem(file, None, None, what, exc.strerror or "not a regular file")]
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DataValidationError(
            str(folder), [Problem(file, None, None, what, f"unreadable: {reason}")]
        ) from None
    return data


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, with every symbolic link followed, lies inside ``folder``'s real path."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _parse(folder: Path) -> dict[str, Any]:
    """Read and parse ``datapackage.json`` in ``folder`` into a JSON object."""
    file = folder / DESCRIPTOR
    try:
        data = read_regular_file(file)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DataValidationError(
            str(folder), [Problem(DESCRIPTOR, None, None, "a readable file", reason)]
        ) from None
    text = decode_package_text(data, DESCRIPTOR, str(folder))
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataValidationError(
            str(folder),
            [Problem(DESCRIPTOR, None, None, "valid JSON", f"{exc.msg} at line {exc.lineno}")],
        ) from None
    if not isinstance(descriptor, dict):
        raise DataValidationError(
            str(folder),
            [Problem(DESCRIPTOR, None, None, "a JSON object", type(descriptor).__name__)],
        )
    return descriptor


@functools.cache
def _bundled_folder() -> Path | None:
    try:
        return default_data_dir().resolve()
    except DataPackageNotFoundError:
        return None


@functools.cache
def _reference() -> dict[str, Any] | None:
    """Return the bundled package's descriptor: the fields, types and keys the code reads."""
    folder = _bundled_folder()
    if folder is None:
        return None
    try:
        descriptor = _parse(folder)
    except DataValidationError:
        return None
    if structure_problems(descriptor):
        return None
    return normalized(descriptor)


def data_version(path: str | Path | None = None) -> str:
    """Return the data version of the package at ``path`` (default: the bundled one)."""
    return read_datapackage(path).version
