"""Check the structure of a ``datapackage.json`` before anything relies on it.

The descriptor is input like the tables: a researcher edits it by hand. Two layers of
checks, both returning :class:`~dangjian_analysis.package.errors.Problem` objects that
name the place in the descriptor (``resources[4] (figures).schema.fields[2] (region_id)``):

1. :func:`structure_problems`: the parts of the Frictionless Data Package, Tabular Data
   Resource, Table Schema and CSV Dialect specifications this package reads. A
   ``resources`` array of objects, each with a ``name``, a ``path`` to a file inside the
   package folder and an inline ``schema`` whose ``fields`` have a ``name`` and a type the
   package reads; ``primaryKey`` and ``foreignKeys`` naming existing fields and resources;
   constraints the validator checks, with valid values (a ``pattern`` must compile); a
   dialect and encoding the CSV reader supports. A resource of ``format`` ``json`` (the
   analysis settings, :mod:`dangjian_analysis.package.settings`) needs only a name and a
   path; its content is checked where it is read.
2. :func:`rule_problems`: the package's own rules. Each table the package reads declares
   at least the fields of the bundled package, with the same types, primary key and
   foreign keys, since the loaders and analyses read them; ``unitKinds`` maps each unit
   kind to an object with its base ``unit``.

:func:`normalized` then writes single names as one-element lists (``"primaryKey":
"figure_id"`` becomes ``["figure_id"]``), as the specifications allow either.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from dangjian_analysis.package.errors import Problem
from dangjian_analysis.package.paths import DESCRIPTOR

__all__ = [
    "CONSTRAINTS",
    "FIELD_TYPES",
    "normalized",
    "rule_problems",
    "structure_problems",
]

#: The Table Schema field types the validator checks and the loaders type.
FIELD_TYPES = ("string", "number", "integer", "date")
#: The constraints the validator checks.
CONSTRAINTS = (
    "required",
    "unique",
    "pattern",
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
)
_FORMATS = {
    "string": ("default", "uri"),
    "number": ("default",),
    "integer": ("default",),
    "date": ("default",),
}
_ENCODINGS = ("utf-8", "utf8", "utf-8-sig")
_DIALECT_CHARS = ("delimiter", "quoteChar", "escapeChar")
_DIALECT_FLAGS = ("doubleQuote", "skipInitialSpace", "caseSensitiveHeader")
_DIALECT_OTHER = ("header", "lineTerminator", "csvddfVersion")
_LINE_TERMINATORS = ("\n", "\r\n", "\r")


def _kind(value: Any) -> str:
    """Describe a JSON value for a message: ``an object``, ``text 'x'``, ``the number 3``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return f"text {value!r}" if value else "empty text"
    if isinstance(value, int | float):
        return f"the number {value}"
    return type(value).__name__


def _names(value: Any) -> list[str] | None:
    """Return a field list given as a name or an array of names, else ``None``."""
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return list(value)
    return None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, location: str | None, expected: str, found: str) -> None:
        self.problems.append(Problem(DESCRIPTOR, None, None, expected, found, location=location))


def _where(base: str, index: int, item: Any) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    label = f" ({name})" if isinstance(name, str) and name else ""
    return f"{base}[{index}]{label}"


def structure_problems(descriptor: dict[str, Any]) -> list[Problem]:
    """Check the structure of a parsed descriptor (a JSON object); return the problems.

    The checks stop short of the tables: they make sure that the validator and the
    loaders can rely on every part of the descriptor they read.
    """
    out = _Collector()
    resources = descriptor.get("resources")
    if resources is None:
        out.add(None, "a 'resources' array", "none")
        return out.problems
    if not isinstance(resources, list):
        out.add("resources", "an array of resource objects", _kind(resources))
        return out.problems
    if not resources:
        out.add("resources", "at least one resource", "an empty array")
        return out.problems

    # Field names by resource name; None for a resource whose schema is unusable.
    fields_of: dict[str, list[str] | None] = {}
    documents: set[str] = set()  # JSON resources: not tables, so no foreign key targets
    schemas: list[tuple[str, dict[str, Any]]] = []
    for index, res in enumerate(resources):
        where = _where("resources", index, res)
        if not isinstance(res, dict):
            out.add(where, "a resource object", _kind(res))
            continue
        name = res.get("name")
        if not isinstance(name, str) or not name:
            out.add(where, "a 'name' (text)", "none" if name is None else _kind(name))
        elif name in fields_of or name in documents:
            out.add(where, "a resource name used once", f"{name!r} again")
        if res.get("format") == "json":  # a JSON document, e.g. the analysis settings
            _check_path(out, where, res, "a JSON file")
            if isinstance(name, str) and name:
                documents.add(name)
            continue
        _check_path(out, where, res)
        _check_format(out, where, res)
        schema = res.get("schema")
        new_name = isinstance(name, str) and bool(name) and name not in fields_of
        if not isinstance(schema, dict):
            found = "none" if schema is None else _kind(schema)
            out.add(where, "a 'schema' object (inline Table Schema)", found)
            if new_name:
                fields_of[name] = None
            continue
        names = _check_fields(out, f"{where}.schema", schema)
        if new_name:
            fields_of[name] = names
            schemas.append((f"{where}.schema", schema | {"_resource": name}))
    for where, schema in schemas:
        _check_keys(out, where, schema, fields_of)
    unit_kinds = descriptor.get("unitKinds")
    if unit_kinds is not None:
        if not isinstance(unit_kinds, dict):
            out.add("unitKinds", "an object of unit kinds", _kind(unit_kinds))
        else:
            for kind, spec in unit_kinds.items():
                if not isinstance(spec, dict) or not isinstance(spec.get("unit"), str):
                    out.add(f"unitKinds.{kind}", "an object with a 'unit' (text)", _kind(spec))
    version = descriptor.get("version")
    if version is not None and not isinstance(version, str):
        out.add("version", 'a version as text, e.g. "1.2.0"', _kind(version))
    return out.problems


def _check_path(out: _Collector, where: str, res: dict[str, Any], kind: str = "a CSV file") -> None:
    path = res.get("path")
    expected = f"a 'path': the name of {kind} inside the package folder"
    if not isinstance(path, str) or not path:
        out.add(where, expected, "none" if path is None else _kind(path))
        return
    parts = re.split(r"[/\\]", path)
    if "://" in path or path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        out.add(where, expected + " (a relative path)", repr(path))
    elif ".." in parts:
        out.add(where, expected + " (no '..')", repr(path))


def _check_format(out: _Collector, where: str, res: dict[str, Any]) -> None:
    fmt = res.get("format")
    if fmt is not None and fmt != "csv":
        out.add(where, "'format' csv (the only format this package reads)", _kind(fmt))
    encoding = res.get("encoding")
    if encoding is not None and (
        not isinstance(encoding, str) or encoding.lower() not in _ENCODINGS
    ):
        out.add(where, "'encoding' utf-8 (the only encoding this package reads)", _kind(encoding))
    dialect = res.get("dialect")
    if dialect is None:
        return
    if not isinstance(dialect, dict):
        out.add(f"{where}.dialect", "a CSV dialect object", _kind(dialect))
        return
    for key, value in dialect.items():
        at = f"{where}.dialect.{key}"
        if key in _DIALECT_CHARS:
            if key == "escapeChar" and value is None:
                continue
            if not isinstance(value, str) or len(value) != 1 or value in "\r\n":
                out.add(at, "one character (not a line break)", _kind(value))
        elif key in _DIALECT_FLAGS:
            if not isinstance(value, bool):
                out.add(at, "true or false", _kind(value))
        elif key == "header":
            if value is not True:
                out.add(at, "true (every table starts with its header row)", _kind(value))
        elif key == "lineTerminator":
            if value not in _LINE_TERMINATORS:
                out.add(at, 'a line break: "\\n", "\\r\\n" or "\\r"', _kind(value))
        elif key not in _DIALECT_OTHER:
            supported = ", ".join((*_DIALECT_CHARS, *_DIALECT_FLAGS, *_DIALECT_OTHER))
            out.add(at, f"a dialect property this package reads ({supported})", repr(key))
    chars = [dialect.get(k) for k in ("delimiter", "quoteChar")]
    if chars[0] is not None and chars[0] == chars[1]:
        out.add(
            f"{where}.dialect", "a delimiter that differs from the quote character", repr(chars[0])
        )


def _check_fields(out: _Collector, where: str, schema: dict[str, Any]) -> list[str]:
    """Check ``schema.fields``; return the field names found."""
    fields = schema.get("fields")
    names: list[str] = []
    if not isinstance(fields, list) or not fields:
        found = "none" if fields is None else _kind(fields)
        out.add(where, "a non-empty 'fields' array", found)
        return names
    for index, fld in enumerate(fields):
        at = _where(f"{where}.fields", index, fld)
        if not isinstance(fld, dict):
            out.add(at, "a field object", _kind(fld))
            continue
        name = fld.get("name")
        if not isinstance(name, str) or not name:
            out.add(at, "a 'name' (text)", "none" if name is None else _kind(name))
        elif name in names:
            out.add(at, "a field name used once in the schema", f"{name!r} again")
        else:
            names.append(name)
        ftype = fld.get("type", "string")
        if ftype not in FIELD_TYPES:
            types = ", ".join(FIELD_TYPES)
            out.add(at, f"a 'type' this package reads ({types})", _kind(ftype))
            continue
        fmt = fld.get("format", "default")
        if fmt not in _FORMATS[ftype]:
            formats = " or ".join(_FORMATS[ftype])
            out.add(at, f"'format' {formats} for a {ftype} field", _kind(fmt))
        _check_constraints(out, at, ftype, fld.get("constraints"))
    missing = schema.get("missingValues")
    if missing is not None and missing != [""]:
        out.add(
            where,
            "'missingValues' [\"\"] (an empty cell is the only missing value)",
            _kind(missing) if not isinstance(missing, list) else repr(missing),
        )
    return names


def _check_constraints(out: _Collector, where: str, ftype: str, cons: Any) -> None:
    if cons is None:
        return
    at = f"{where}.constraints"
    if not isinstance(cons, dict):
        out.add(at, "a constraints object", _kind(cons))
        return
    for key, value in cons.items():
        here = f"{at}.{key}"
        if key not in CONSTRAINTS:
            out.add(here, f"a constraint this package checks ({', '.join(CONSTRAINTS)})", repr(key))
        elif key in ("required", "unique"):
            if not isinstance(value, bool):
                out.add(here, "true or false", _kind(value))
        elif key == "pattern":
            if not isinstance(value, str):
                out.add(here, "a regular expression (text)", _kind(value))
                continue
            try:
                re.compile(value)
            except re.error as exc:
                out.add(here, "a valid regular expression", f"{value!r} ({exc})")
        elif key == "enum":
            if not isinstance(value, list) or not value:
                out.add(here, "a non-empty array of allowed values", _kind(value))
            elif not all(isinstance(v, str) for v in value):
                out.add(here, "allowed values written as text, as in the CSV", repr(value))
        elif key in ("minLength", "maxLength"):
            if not _is_count(value):
                out.add(here, "a whole number >= 0", _kind(value))
        elif ftype not in ("number", "integer"):
            out.add(
                here, f"no {key} on a {ftype} field (number and integer fields only)", _kind(value)
            )
        elif not _is_number(value):
            out.add(here, "a number", _kind(value))


def _check_keys(
    out: _Collector, where: str, schema: dict[str, Any], fields_of: dict[str, list[str] | None]
) -> None:
    own = fields_of[schema["_resource"]] or []
    if "primaryKey" in schema:
        pk = _names(schema["primaryKey"])
        if pk is None:
            out.add(
                f"{where}.primaryKey",
                "a field name or an array of field names",
                _kind(schema["primaryKey"]),
            )
        else:
            for name in pk:
                if name not in own:
                    out.add(f"{where}.primaryKey", "names of fields of this schema", repr(name))
    fks = schema.get("foreignKeys")
    if fks is None:
        return
    if not isinstance(fks, list):
        out.add(f"{where}.foreignKeys", "an array of foreign keys", _kind(fks))
        return
    for index, fk in enumerate(fks):
        at = f"{where}.foreignKeys[{index}]"
        if not isinstance(fk, dict):
            out.add(at, "a foreign key object", _kind(fk))
            continue
        cols = _names(fk.get("fields"))
        if cols is None:
            out.add(
                at, "'fields': a field name or an array of field names", _kind(fk.get("fields"))
            )
        else:
            for name in cols:
                if name not in own:
                    out.add(f"{at}.fields", "names of fields of this schema", repr(name))
        ref = fk.get("reference")
        if not isinstance(ref, dict):
            out.add(at, "a 'reference' object (resource and fields)", _kind(ref))
            continue
        target = ref.get("resource", "")
        if not isinstance(target, str):
            out.add(
                f"{at}.reference.resource", 'a resource name ("" for this resource)', _kind(target)
            )
            continue
        target = target or schema["_resource"]
        if target not in fields_of:
            known = ", ".join(fields_of)
            out.add(
                f"{at}.reference.resource", f"a resource of this package ({known})", repr(target)
            )
            continue
        ref_cols = _names(ref.get("fields"))
        if ref_cols is None:
            out.add(
                f"{at}.reference",
                "'fields': a field name or an array of field names",
                _kind(ref.get("fields")),
            )
            continue
        target_fields = fields_of[target]
        for name in ref_cols:
            if target_fields is not None and name not in target_fields:
                out.add(
                    f"{at}.reference.fields", f"names of fields of resource {target!r}", repr(name)
                )
        if cols is not None and len(cols) != len(ref_cols):
            out.add(at, "as many fields as the reference names", f"{len(cols)} and {len(ref_cols)}")


def normalized(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a structurally valid descriptor with field lists always as arrays."""
    out = copy.deepcopy(descriptor)
    for res in out["resources"]:
        schema = res.get("schema")
        if schema is None:  # a JSON document (format json) has no table schema
            continue
        if "primaryKey" in schema:
            schema["primaryKey"] = _names(schema["primaryKey"])
        for fk in schema.get("foreignKeys", []):
            fk["fields"] = _names(fk["fields"])
            fk["reference"]["fields"] = _names(fk["reference"]["fields"])
            fk["reference"].setdefault("resource", "")
    return out


def _fk_text(resource: str, fk: dict[str, Any]) -> str:
    target = fk["reference"].get("resource") or resource
    return f"{resource}.{','.join(fk['fields'])} -> {target}.{','.join(fk['reference']['fields'])}"


def rule_problems(
    descriptor: dict[str, Any], reference: dict[str, Any] | None, names: tuple[str, ...]
) -> list[Problem]:
    """Check the package's own rules on a normalized descriptor.

    Every resource in ``names`` must exist. When ``reference`` (the bundled package's
    normalized descriptor) is given, each of them must declare at least the reference's
    fields with the same types, its primary key and its foreign keys.
    """
    out = _Collector()
    index = {res["name"]: (i, res) for i, res in enumerate(descriptor["resources"])}
    ref_index = {
        res.get("name"): res
        for res in (reference or {}).get("resources", [])
        if isinstance(res, dict)
    }
    for name in names:
        if name not in index:
            out.add(None, f"a resource named {name!r}", "none")
            continue
        i, res = index[name]
        where = f"resources[{i}] ({name}).schema"
        ref = ref_index.get(name)
        if ref is None:
            continue
        own = {f["name"]: f.get("type", "string") for f in res["schema"]["fields"]}
        for fld in ref["schema"]["fields"]:
            ftype = fld.get("type", "string")
            if fld["name"] not in own:
                out.add(
                    f"{where}.fields",
                    f"a field {fld['name']!r} of type {ftype!r} (this package reads it)",
                    "none",
                )
            elif own[fld["name"]] != ftype:
                out.add(
                    f"{where}.fields",
                    f"field {fld['name']!r} of type {ftype!r} (this package reads it so)",
                    f"type {own[fld['name']]!r}",
                )
        ref_pk = ref["schema"].get("primaryKey")
        if ref_pk and res["schema"].get("primaryKey") != ref_pk:
            out.add(
                f"{where}.primaryKey",
                f"{ref_pk} (rows are looked up by it)",
                repr(res["schema"].get("primaryKey")) if "primaryKey" in res["schema"] else "none",
            )
        declared = {_fk_text(name, fk) for fk in res["schema"].get("foreignKeys", [])}
        for fk in ref["schema"].get("foreignKeys", []):
            text = _fk_text(name, fk)
            if text not in declared:
                out.add(f"{where}.foreignKeys", f"a foreign key {text}", "none")
    return out.problems
