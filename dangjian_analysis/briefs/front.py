"""The front pages of a set of briefs: index, glossary and the whole data as one download.

The index and the glossary exist in English and in Chinese (``zh/``).

The index answers the project's question on its first screen (``id="answer"``): what
regional reports can and cannot say, and what firm-level studies report. Its only numbers
are the counts of the package's published estimates, computed from the rows; the other
numbers are in the briefs it links to, computed by their notebooks.

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
from typing import TYPE_CHECKING, Any

from dangjian_analysis.briefs.buildinfo import BuildInfo
from dangjian_analysis.briefs.glossary import GLOSSARY, GLOSSARY_ZH
from dangjian_analysis.briefs.publish import INDEX, check_offline

if TYPE_CHECKING:
    import jinja2

    from dangjian_analysis.package.schema import DataPackage

__all__ = [
    "DICTIONARY",
    "FRONT_WORDS",
    "answer_html",
    "data_dictionary",
    "size_words",
    "write_data_download",
    "write_front",
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


def answer_html(briefs: Sequence[Any], language: str, estimates: Any = None) -> str:
    """Return the index's answer paragraph (inner HTML) in ``language``.

    It links brief 03 (coverage against growth) and brief 07 (what firm-level studies
    find) when the build has them. With the package's published estimates (``estimates``,
    rows of :func:`~dangjian_analysis.package.loaders.load_estimates`) it says in one
    clause what they report, counted from the rows.
    """
    from dangjian_analysis.report.published import firm_level_counts

    counts = None if estimates is None else firm_level_counts(estimates)
    regional = _link(briefs, "03", "brief 03" if language == "en" else "简报03")
    firm = _link(briefs, "07", "brief 07" if language == "en" else "简报07")
    design = _link(briefs, "08", "brief 08" if language == "en" else "简报08")
    if language == "zh":
        see = f"（见{regional}）" if regional else ""
        if firm:
            found = (
                f"：{counts['publications']}篇文献的{counts['total']}个估计中，"
                f"{counts['higher']}个发现有党组织的企业相应指标更高，{counts['lower']}个更低，"
                f"{counts['none']}个未发现关系，涉及产值或税收的只有{counts['output_or_tax']}个，"
                f"{counts['cross_section']}个只是同一时点的横截面比较"
                if counts
                else ""
            )
            studies = (
                f"已发表的企业层面研究做的正是这种比较{found}。其发现、研究设计与局限见{firm}"
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
        found = (
            f": of {counts['total']} estimates in {counts['publications']} publications, "
            f"{counts['higher']} find higher outcomes in firms with a party organization, "
            f"{counts['lower']} lower and {counts['none']} no relationship; only "
            f"{counts['output_or_tax']} are on output or tax, and {counts['cross_section']} "
            "compare firms at one point in time"
            if counts
            else ""
        )
        studies = (
            f"Published firm-level studies make that comparison{found}. "
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


FRONT_WORDS = {
    "en": {
        "heading": (
            "Party organizations in China's private firms: what published figures can and "
            "cannot tell us"
        ),
        "glossary_heading": "Glossary: the terms of the briefs",
        "kicker": "dangjian-analysis · policy briefs",
        "answer_heading": "The answer in brief",
        "briefs_heading": "The briefs",
        "download": "Download all the data",
        "download_text": (
            "({figures} figures from {sources} sources: every table as CSV, the data "
            "dictionary and the curation notes; zip, {size})"
        ),
        "glossary": "Glossary",
        "glossary_text": "what party building, CPES, coverage rate and the other terms mean.",
        "built": "Built",
        "package": "Package",
        "data": "Data",
        "commit": "Commit",
        "all_briefs": "All briefs",
        "twin": "中文版",
        "twin_lang": "zh-Hans",
        "other_data": "Built from another data package",
    },
    "zh": {
        "heading": "中国民营企业中的党组织：已发表的数字能说明什么，不能说明什么",
        "glossary_heading": "术语表",
        "kicker": "dangjian-analysis · 政策简报",
        "answer_heading": "简要结论",
        "briefs_heading": "各篇简报",
        "download": "下载全部数据",
        "download_text": (
            "（{sources}个来源的{figures}个数字：全部表格（CSV）、数据字典和整理说明；"
            "zip文件，{size}）"
        ),
        "glossary": "术语表",
        "glossary_text": "党建、中国私营企业调查、覆盖率等术语的含义。",
        "built": "构建日期",
        "package": "软件版本",
        "data": "数据",
        "commit": "提交",
        "all_briefs": "全部简报",
        "twin": "English",
        "twin_lang": "en",
        "other_data": "本次构建使用的是另一个数据包",
    },
}


def size_words(size: int) -> str:
    """Return a file size for readers: KB below a megabyte, else MB."""
    return f"{size / 1024:.0f} KB" if size < 1_000_000 else f"{size / 1e6:.1f} MB"


def write_front(
    folder: Path,
    briefs: Sequence[Any],
    build: BuildInfo,
    fragments: jinja2.Environment,
    package: DataPackage,
    figure_count: int,
    source_count: int,
) -> None:
    """Write the index and the glossary in both languages, and the data download."""
    from markupsafe import Markup

    from dangjian_analysis.package.estimates import has_published_estimates
    from dangjian_analysis.package.loaders import load_estimates

    estimates = (
        load_estimates(package.folder, validate=False)
        if has_published_estimates(package.folder)
        else None
    )
    download = write_data_download(package.folder, package.descriptor, folder)
    size = size_words((folder / download).stat().st_size)
    for language, sub in (("en", ""), ("zh", "zh/")):
        words = FRONT_WORDS[language]
        zh = language == "zh"
        entries = [
            {
                "name": b.name,
                "file": b.file,
                "title": (b.title_zh or b.title) if zh else b.title,
                "headline": (b.summary_zh if b.zh_status == "current" else "")
                if zh
                else b.headline,
            }
            for b in briefs
        ]
        text = words["download_text"].format(
            figures=figure_count, sources=source_count, size=size
        )
        page = fragments.get_template("briefs_index.html.j2").render(
            briefs=entries,
            build=build,
            heading=words["heading"],
            answer=Markup(answer_html(briefs, language, estimates)),
            download={"href": ("../" if zh else "") + download, "text": text},
            twin="../index.html" if zh else "zh/index.html",
            T=words,
            lang_attr="zh-Hans" if zh else "en",
            other_data=not build.bundled,
        )
        check_offline(page, f"{sub}{INDEX}")
        (folder / sub).mkdir(exist_ok=True)
        (folder / sub / INDEX).write_text(page, encoding="utf-8")
        if zh:
            terms = [
                {
                    "anchor": t.anchor,
                    "term": GLOSSARY_ZH[t.anchor][0],
                    "other": t.term,
                    "other_lang": "en",
                    "text": GLOSSARY_ZH[t.anchor][1],
                }
                for t in GLOSSARY
            ]
        else:
            terms = [
                {
                    "anchor": t.anchor,
                    "term": t.term,
                    "other": t.zh,
                    "other_lang": "zh-Hans",
                    "text": t.text,
                }
                for t in GLOSSARY
            ]
        glossary = fragments.get_template("glossary_page.html.j2").render(
            heading=words["glossary_heading"],
            terms=terms,
            twin="../glossary.html" if zh else "zh/glossary.html",
            T=words,
            lang_attr="zh-Hans" if zh else "en",
        )
        check_offline(glossary, f"{sub}glossary.html")
        (folder / sub / "glossary.html").write_text(glossary, encoding="utf-8")
