"""The front pages of a set of briefs: index, glossary and the whole data as one download.

The index and the glossary exist in English and in Chinese (``zh/``).

The index answers the project's question on its first screen (``id="answer"``): what
regional reports can and cannot say, and where the firm-level evidence is. The answer
states no number: the numbers are in the briefs it links to, computed by their notebooks.

The download is one zip file beside the index, ``<package name>-<version>.zip``: every
table of the data package as CSV, its ``datapackage.json``, its Markdown documents and a
data dictionary (``data-dictionary.csv``: table, column, type, description) made from the
descriptor. It is written with fixed timestamps, so the same data give the same file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "DICTIONARY",
    "answer_html",
    "data_dictionary",
    "write_data_download",
]

#: Name of the data dictionary inside the download.
DICTIONARY = "data-dictionary.csv"
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def data_dictionary(descriptor: Mapping[str, Any]) -> str:
    """Return the data dictionary of a package descriptor as CSV text.

    One row per column of each table: ``table``, ``file``, ``column``, ``type``,
    ``required``, ``description``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "file", "column", "type", "required", "description"])
    for resource in descriptor.get("resources", []):
        schema = resource.get("schema", {})
        for field in schema.get("fields", []):
            required = field.get("constraints", {}).get("required", False)
            writer.writerow(
                [
                    resource.get("name", ""),
                    resource.get("path", ""),
                    field.get("name", ""),
                    field.get("type", "string"),
                    "yes" if required else "no",
                    " ".join(str(field.get("description", field.get("title", ""))).split()),
                ]
            )
    return buffer.getvalue()


def write_data_download(folder: Path, descriptor: Mapping[str, Any], out: Path) -> str:
    """Write the whole data package as one zip file into ``out``; return its file name.

    Holds every resource file the descriptor lists, ``datapackage.json``, the package's
    Markdown documents and :data:`DICTIONARY`, under a folder named like the zip.
    """
    name = str(descriptor.get("name") or "data-package")
    version = str(descriptor.get("version") or "")
    stem = f"{name}-{version}" if version else name
    files: list[Path] = [folder / "datapackage.json"]
    files += [folder / str(r["path"]) for r in descriptor.get("resources", []) if "path" in r]
    files += sorted(p for p in folder.glob("*.md") if p.is_file())
    files += sorted(p for p in folder.glob("*.json") if p.name != "datapackage.json")
    seen: set[str] = set()
    target = out / f"{stem}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            if path.name in seen or not path.is_file():
                continue
            seen.add(path.name)
            info = zipfile.ZipInfo(f"{stem}/{path.name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
        info = zipfile.ZipInfo(f"{stem}/{DICTIONARY}", date_time=_FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data_dictionary(descriptor).encode("utf-8"))
    return target.name


def _link(briefs: Sequence[Any], prefix: str, text: str) -> str:
    """Return a link to the brief numbered ``prefix``, or empty when the build lacks it."""
    for brief in briefs:
        if brief.name.split("_", 1)[0] == prefix:
            return f'<a href="{brief.file}">{text}</a>'
    return ""


def answer_html(briefs: Sequence[Any], language: str) -> str:
    """Return the index's answer paragraph (inner HTML) in ``language``.

    It links brief 03 (coverage against growth) and brief 07 (what firm-level studies
    find) when the build has them, and states no number.
    """
    regional = _link(briefs, "03", "brief 03" if language == "en" else "简报03")
    firm = _link(briefs, "07", "brief 07" if language == "en" else "简报07")
    design = _link(briefs, "08", "brief 08" if language == "en" else "简报08")
    if language == "zh":
        see = f"（见{regional}）" if regional else ""
        if firm:
            studies = (
                f"已发表的企业层面研究比较有无党组织的企业，其发现、研究设计与局限见{firm}"
                + (f"，一套可用自有企业数据运行的设计见{design}" if design else "")
                + "。"
            )
        else:
            studies = "已发表的企业层面研究尚未纳入本系列简报。"
        return (
            "地方报道能告诉我们一个县、区或园区上报了多少党组织、覆盖了多大比例的企业，"
            "但各地口径不一。它们不能告诉我们党组织覆盖率高的地方，产值或税收是否增长更快："
            "同时报道这两项的地区寥寥无几，口径又各不相同，"
            f"地区这么少，任何检验都无法判断两者有无关系{see}。"
            "要回答这个问题，需要逐家企业的数据，在前后时期比较有党组织和没有党组织的企业。"
            + studies
        )
    see = f" ({regional})" if regional else ""
    if firm:
        studies = (
            "Studies of individual firms compare firms with and without a party organization; "
            f"{firm} sets out what they report, how they were designed and where they fall short"
            + (f", and {design} a design to run on one's own firm data" if design else "")
            + "."
        )
    else:
        studies = "What published firm-level studies report is not yet part of these briefs."
    return (
        "Regional reports can tell us how many party organizations a county, district or "
        "park reports and what share of its firms they cover, each under its own "
        "definition. They cannot tell us whether places with more coverage see faster growth "
        "of output or tax: only a handful of regions report both, each measures them "
        "differently, and no test on so few regions can "
        f"detect a relationship either way{see}. Answering the question takes data on "
        "individual firms, comparing firms with and without a party organization over time. "
        + studies
    )
