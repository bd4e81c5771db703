"""The three pages of one executed notebook: the brief, its annex and its Chinese twin.

:class:`PageMaker` holds what every page of a build shares (the package's tables, the
cover facts, the exporter and templates); :func:`write_pages` reshapes one executed
notebook (:func:`prepare_notebook`) and writes ``NN_name.html``, ``annex/NN_name.html``
and ``zh/NN_name.html`` into the build's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dangjian_analysis.briefs.buildinfo import BuildInfo
from dangjian_analysis.briefs.execute import (
    LIMITS_HEADING,
    BriefBuildError,
    injected_index,
    notebook_summary,
    notebook_title,
)
from dangjian_analysis.briefs.figures import figure_rows, figures_data_uri
from dangjian_analysis.briefs.glossary import GLOSSARY, link_first_mentions
from dangjian_analysis.briefs.pages import (
    LABELS,
    BriefContent,
    BriefContentError,
    brief_outputs,
    limits_markdown,
    markdown_html,
    source_entries,
    zh_fallback_html,
    zh_key_findings_html,
)
from dangjian_analysis.briefs.publish import check_offline
from dangjian_analysis.briefs.render import (
    KeyFindingsBox,
    RenderError,
    check_no_stderr,
    describe_images,
    drop_table_codes,
    exporter,
    fold_coded_outputs,
    fragments,
    lift_key_findings,
    split_title,
)
from dangjian_analysis.briefs.sources import CitedSource, cited_sources, figure_ids_in_outputs
from dangjian_analysis.briefs.zh import ZhText, ZhTextError, english_fingerprint, read_zh_text

if TYPE_CHECKING:
    import jinja2
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

__all__ = [
    "Brief",
    "PackageTables",
    "PageMaker",
    "chinese_text",
    "prepare_notebook",
    "render_annex",
    "write_pages",
]


@dataclass(frozen=True)
class Brief:
    """One built brief.

    Attributes:
        name: the notebook's file stem, e.g. ``01_data_overview``.
        file: the HTML file name in the output folder.
        title: the brief's title.
        summary: the one-line summary (Markdown) shown in the index.
        headline: the headline of the brief's key findings.
        figure_ids: ids of data-package figures found in the notebook's outputs.
        source_ids: ids of the sources of those figures, in ``sources.csv`` order.
        size: size of the HTML file in bytes.
        title_zh: the Chinese title, empty without a Chinese text.
        summary_zh: the Chinese one-line summary.
        zh_status: ``current`` (the Chinese text says what the English says),
            ``stale`` (it was written for other findings) or ``missing``.
        fingerprint: the fingerprint of the English findings and limits
            (:func:`~dangjian_analysis.briefs.zh.english_fingerprint`).

    """

    name: str
    file: str
    title: str
    summary: str
    headline: str
    figure_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    size: int
    title_zh: str = ""
    summary_zh: str = ""
    zh_status: str = "missing"
    fingerprint: str = ""



@dataclass(frozen=True)
class PackageTables:
    """The data package's tables a brief draws on, as rows of text."""

    figures: list[dict[str, str]]
    sources: list[dict[str, str]]
    regions: list[dict[str, str]]
    indicators: list[dict[str, str]]
    scopes: list[dict[str, str]]


def prepare_notebook(
    nb: NotebookNode, name: str, title: str, injected: int | None
) -> tuple[KeyFindingsBox, str]:
    """Check and reshape executed ``nb`` for its brief; return the key findings and subtitle.

    Fails when a cell wrote to stderr or the key findings are missing; lifts the key
    findings out of the notebook, leaves out the codes kept under reader tables, folds
    outputs that still show internal codes into data blocks and leaves one ``<h1>`` (the
    cover's).
    """
    try:
        check_no_stderr(nb, name, injected)
        key = lift_key_findings(nb, name, injected)
    except RenderError as exc:
        raise BriefBuildError(str(exc)) from None
    describe_images(nb)
    subtitle = split_title(nb, title)
    drop_table_codes(nb)
    fold_coded_outputs(nb)
    return key, subtitle


def render_annex(
    nb: NotebookNode,
    *,
    name: str,
    title: str,
    subtitle: str,
    key: KeyFindingsBox,
    build: BuildInfo,
    sources: list[CitedSource],
    figures: list[dict[str, str]],
    exporter: HTMLExporter,
    fragments: jinja2.Environment,
    cwd: Path,
) -> str:
    """Render the annex: the whole executed notebook with cover, appendix and sources."""
    from markupsafe import Markup

    nb.metadata["title"] = title
    cover = fragments.get_template("cover.html.j2").render(
        title=title,
        subtitle=subtitle,
        key_findings=Markup(key.html),
        build=build,
        brief_file=f"{name}.html",
        other_data=not build.bundled,
    )
    cited = fragments.get_template("sources.html.j2").render(
        sources=sources, build=build, notebook=f"{name}.ipynb"
    )
    appendix = fragments.get_template("appendix.html.j2").render(
        glossary=GLOSSARY,
        figures=figures,
        csv_uri=figures_data_uri(figures) if figures else "",
        csv_name=f"{name}-figures.csv",
    )
    res = {
        "metadata": {"name": name, "path": str(cwd)},
        "brief": {
            "cover_html": Markup(cover),
            "appendix_html": Markup(appendix),
            "sources_html": Markup(cited),
        },
    }
    html, _ = exporter.from_notebook_node(nb, resources=res)
    return link_first_mentions(html)




@dataclass
class PageMaker:
    """Renders executed notebooks into pages; what every page of one build shares."""

    tables: PackageTables
    build: BuildInfo
    language: str
    cwd: Path
    exporter: HTMLExporter = field(init=False)
    fragments: jinja2.Environment = field(init=False)
    known_ids: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.exporter = exporter(self.language)
        self.fragments = fragments()
        self.known_ids = {row["figure_id"] for row in self.tables.figures}

    def brief(self, staging: Path, path: Path, nb: NotebookNode) -> Brief:
        """Render executed ``nb`` into ``staging``; return what was written."""
        title = notebook_title(nb, path.stem)
        summary = notebook_summary(nb)
        injected = injected_index(nb)
        return write_pages(self, staging, path, nb, title, summary, injected)

    def cite(self, title: str, relative: str, language: str = "en") -> dict[str, str]:
        """Return what the "Cite this" block says of the page ``relative`` to the index."""
        build = self.build
        address = f"{build.base_url.rstrip('/')}/{relative}" if build.base_url else relative
        data = f"{build.data_name} {build.data_version}".strip()
        if language == "zh":
            text = (
                f"dangjian-analysis（{build.date[:4]}）：《{title}》，dangjian-analysis 政策简报，"
                f"版本 {build.package_version}；数据：{data}（数字指纹 {build.figures_hash}）；"
                f"{build.date}；{address}"
            )
        else:
            text = (
                f"dangjian-analysis ({build.date[:4]}). {title}. dangjian-analysis briefs, "
                f"version {build.package_version}; data: {data} (figures {build.figures_hash}). "
                f"{build.date}. {address}"
            )
        return {
            "text": text,
            "package_version": build.package_version,
            "data_name": build.data_name,
            "data_version": build.data_version,
            "figures_hash": build.figures_hash,
            "date": build.date,
            "address": address,
            "licence": build.data_licence,
        }

    def brief_page(
        self,
        content: BriefContent,
        file: str,
        language: str,
        sources: list[CitedSource],
        rows: list[dict[str, str]],
        *,
        fallback: str = "",
    ) -> str:
        """Render the short brief ``file`` in ``language`` (``en`` or ``zh``)."""
        from markupsafe import Markup

        zh = language == "zh"
        up = "../" if zh else ""
        links = {
            "index": "index.html",
            "twin": f"../{file}" if zh else f"zh/{file}",
            "annex": f"{up}annex/{file}",
            "annex_label": "附录（英文）" if zh else f"annex/{file}",
            "glossary": "glossary.html",
        }
        html = self.fragments.get_template("brief_page.html.j2").render(
            lang=language,
            lang_attr="zh-Hans" if zh else "en",
            L=LABELS[language],
            title=content.title,
            key_html=Markup(content.key_html),
            outputs=[Markup(o) for o in content.outputs],
            limits_html=Markup(content.limits_html),
            fallback_html=Markup(fallback),
            sources=[] if fallback else source_entries(sources, rows, language),
            fallback_page=bool(fallback),
            cite=self.cite(content.title, f"{'zh/' if zh else ''}{file}", language),
            links=links,
            other_data=not self.build.bundled,
        )
        return html if zh else link_first_mentions(html, GLOSSARY, target="glossary.html")

    def zh_fallback(self, status: str, file: str, fingerprint: str) -> str:
        """Return the notice of a Chinese brief without current Chinese text."""
        return zh_fallback_html(status, f"../{file}", fingerprint)


def write_pages(
    job: PageMaker,
    staging: Path,
    path: Path,
    nb: NotebookNode,
    title: str,
    summary: str,
    injected: int | None,
) -> Brief:
    """Render executed ``nb`` into the brief, its annex and its Chinese twin."""
    tables = job.tables
    key, subtitle = prepare_notebook(nb, path.name, title, injected)
    try:
        outputs = brief_outputs(nb, path.name)
    except BriefContentError as exc:
        raise BriefBuildError(str(exc)) from None
    limits = limits_markdown(nb, LIMITS_HEADING)
    fingerprint = english_fingerprint(key.html, limits)
    sources = cited_sources(nb, tables.figures, tables.sources)
    figure_ids = sorted(figure_ids_in_outputs(nb, job.known_ids))
    rows = figure_rows(
        figure_ids,
        figures=tables.figures,
        sources=tables.sources,
        regions=tables.regions,
        indicators=tables.indicators,
        scopes=tables.scopes,
    )
    file = f"{path.stem}.html"
    annex = render_annex(
        nb,
        name=path.stem,
        title=title,
        subtitle=subtitle,
        key=key,
        build=job.build,
        sources=sources,
        figures=rows,
        exporter=job.exporter,
        fragments=job.fragments,
        cwd=job.cwd,
    )
    check_offline(annex, path.name)
    (staging / "annex").mkdir(exist_ok=True)
    (staging / "annex" / file).write_text(annex, encoding="utf-8")

    english = BriefContent(
        title=title,
        key_html=key.html,
        outputs=tuple(outputs),
        limits_html=markdown_html(limits),
    )
    page = job.brief_page(english, file, "en", sources, rows)
    check_offline(page, f"{path.name} (brief)")
    target = staging / file
    target.write_text(page, encoding="utf-8")

    zh = chinese_text(path)
    status = "missing" if zh is None else ("current" if zh.translates == fingerprint else "stale")
    if zh is not None and status == "current":
        chinese = BriefContent(
            title=zh.title,
            key_html=zh_key_findings_html(zh),
            outputs=tuple(outputs),
            limits_html=markdown_html(zh.limits),
        )
        fallback = ""
    else:
        chinese = BriefContent(
            title=zh.title if zh else title, key_html="", outputs=(), limits_html=""
        )
        fallback = job.zh_fallback(status, file, fingerprint)
    zh_page = job.brief_page(chinese, file, "zh", sources, rows, fallback=fallback)
    check_offline(zh_page, f"{path.name} (Chinese brief)")
    (staging / "zh").mkdir(exist_ok=True)
    (staging / "zh" / file).write_text(zh_page, encoding="utf-8")
    return Brief(
        name=path.stem,
        file=file,
        title=title,
        summary=summary,
        headline=key.headline,
        figure_ids=tuple(figure_ids),
        source_ids=tuple(s.source_id for s in sources),
        size=target.stat().st_size,
        title_zh=zh.title if zh else "",
        summary_zh=zh.summary if zh else "",
        zh_status=status,
        fingerprint=fingerprint,
    )


def chinese_text(path: Path) -> ZhText | None:
    """Read the Chinese text beside notebook ``path``; a malformed one fails the build."""
    try:
        return read_zh_text(path)
    except ZhTextError as exc:
        raise BriefBuildError(str(exc)) from None


#: Words of the index and glossary pages, in each language.
