"""Turn the analysis notebooks into self-contained HTML briefs for policy readers.

``build_briefs`` executes every notebook afresh (:mod:`.execute`: papermill, kernel
``python3``, working folder = the notebooks folder), optionally against another data
package, renders one HTML page per notebook plus an ``index.html`` (:mod:`.render` and
the templates) and puts the set in place of the output folder (:mod:`.publish`). A brief
hides code and prompts, embeds its images, loads nothing from the network, prints
cleanly, opens with a cover (title, build date, package and data versions, git commit)
and ends with the sources of the figures it shows.

A brief opens with its title and the key findings its notebook computes (the output of
the cell tagged ``key-findings``), shows the prose, tables and charts with codes folded away,
and ends with a guide to reading it, a glossary, the figures it shows (as a table and a
CSV download) and their sources. A cell that writes to stderr fails the build.

The output folder is replaced only when every brief has been built: a failed or
interrupted build (Ctrl-C or SIGTERM) leaves the previous set untouched and no temporary
folder behind. A folder holding anything the last build did not write (a user's notes,
or a file changed since) is never replaced; the error names what is there.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dangjian_analysis.briefs.buildinfo import BuildInfo, build_date, git_commit
from dangjian_analysis.briefs.execute import (
    KERNEL,
    LIMITS_HEADING,
    NOTEBOOK_GLOB,
    BriefBuildError,
    check_notebook,
    execute_notebooks,
    find_notebooks,
    injected_index,
    notebook_summary,
    notebook_title,
    read_notebook,
    sigterm_as_interrupt,
)
from dangjian_analysis.briefs.figures import figure_rows, figures_data_uri
from dangjian_analysis.briefs.front import answer_html, write_data_download
from dangjian_analysis.briefs.glossary import GLOSSARY, GLOSSARY_ZH, link_first_mentions
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
from dangjian_analysis.briefs.publish import (
    INDEX,
    MARKER,
    check_offline,
    output_lock,
    output_path,
    recover,
    staging_folder,
    swap_in,
    write_marker,
)
from dangjian_analysis.briefs.render import (
    KeyFindingsBox,
    RenderError,
    check_no_stderr,
    describe_images,
    exporter,
    fold_coded_outputs,
    fragments,
    lift_key_findings,
    split_title,
    template_root,
)
from dangjian_analysis.briefs.sources import CitedSource, cited_sources, figure_ids_in_outputs
from dangjian_analysis.briefs.zh import ZhText, ZhTextError, english_fingerprint, read_zh_text

if TYPE_CHECKING:
    import jinja2
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

    from dangjian_analysis.package.schema import DataPackage

__all__ = [
    "INDEX",
    "KERNEL",
    "LIMITS_HEADING",
    "MARKER",
    "NOTEBOOK_GLOB",
    "Brief",
    "BriefBuildError",
    "BuildResult",
    "build_briefs",
    "check_notebook",
    "find_notebooks",
    "notebook_summary",
    "notebook_title",
    "template_root",
    "write_marker",
]

# Older names of the publishing steps, kept for callers of this module.
_swap_in = swap_in
_recover = recover
_output_lock = output_lock


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
class BuildResult:
    """What :func:`build_briefs` produced."""

    out: Path
    build: BuildInfo
    briefs: list[Brief] = field(default_factory=list)
    seconds: float = 0.0


# --- the build ----------------------------------------------------------------------------


def _require_notebook_tools() -> None:
    """Fail with an installable hint when the ``notebooks`` extra is missing."""
    import importlib.util

    missing = [
        name
        for name in ("nbclient", "nbconvert", "nbformat", "ipykernel", "tqdm", "jinja2")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise BriefBuildError(
            f"building briefs needs {', '.join(missing)}: "
            "pip install 'dangjian-analysis[notebooks]'"
        )


def build_briefs(
    out: str | Path = "build/briefs",
    *,
    notebooks: str | Path = "notebooks",
    data: str | Path | None = None,
    names: Sequence[str] = (),
    progress: bool = True,
    timeout: int = 600,
    jobs: int | None = None,
    language: str = "en",
) -> BuildResult:
    """Execute the notebooks and write one self-contained HTML brief each, plus an index.

    Args:
        out: output folder (default ``build/briefs``). It is replaced as a whole when
            every brief has been built; a folder not built by this function, or holding
            files it did not write, is never replaced.
        notebooks: folder of the notebooks (``NN_name.ipynb``); it is also the working
            folder of the kernel.
        data: data package to run the notebooks against (default: the bundled one); it
            is validated first and injected as ``DATA_DIR`` after each notebook's
            ``parameters`` cell.
        names: notebooks to build, by stem or number prefix (default: all).
        progress: show a progress bar on stderr.
        timeout: seconds a single cell may run.
        jobs: notebooks executed at the same time, each in its own kernel (default: the
            number of CPUs).
        language: the ``lang`` of the pages.

    Returns:
        The output folder, the cover facts and one :class:`Brief` per notebook.

    Raises:
        BriefBuildError: one line naming the notebook (and cell) or the folder at fault.
        KeyboardInterrupt: on Ctrl-C, once the kernels are shut down and the temporary
            folder removed; ``out`` is left as it was.

    """
    _require_notebook_tools()
    started = time.perf_counter()
    folder = Path(notebooks).absolute()
    paths = find_notebooks(folder, names)
    package = _data_package(data)
    data_dir = package.folder.absolute()
    tables = _package_tables(package)
    loaded = _load_notebooks(paths)
    build = _build_info(package, data_dir, folder)
    out = output_path(out)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(loaded)))
    with sigterm_as_interrupt():
        staging = staging_folder(out)
        try:
            executed = _execute_all(
                loaded, folder, data_dir, timeout=timeout, workers=workers, progress=progress
            )
            page = _PageMaker(tables=tables, build=build, language=language, cwd=folder)
            briefs = [page.brief(staging, path, executed[path.stem]) for path, _ in loaded]
            _write_front(
                staging,
                briefs,
                build,
                page.fragments,
                package,
                figure_count=len(tables.figures),
                source_count=len(tables.sources),
            )
            write_marker(staging, _marker_record(briefs, build))
            swap_in(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BuildResult(out=out, build=build, briefs=briefs, seconds=time.perf_counter() - started)


def _execute_all(
    loaded: Sequence[tuple[Path, NotebookNode]],
    folder: Path,
    data_dir: Path,
    *,
    timeout: int,
    workers: int,
    progress: bool,
) -> dict[str, NotebookNode]:
    """Execute every notebook under a progress bar; return them by name."""
    from tqdm import tqdm

    executed: dict[str, NotebookNode] = {}
    lock = threading.Lock()
    with tqdm(
        total=len(loaded), desc="briefs", unit="notebook", file=sys.stderr, disable=not progress
    ) as bar:

        def done(path: Path, nb: NotebookNode) -> None:
            with lock:
                executed[path.stem] = nb
                bar.set_postfix_str(path.stem)
                bar.update(1)

        execute_notebooks(
            loaded,
            cwd=folder,
            parameters={"DATA_DIR": str(data_dir)},
            timeout=timeout,
            workers=workers,
            on_done=done,
        )
    return executed


def _package_tables(package: DataPackage) -> _PackageTables:
    """Read the tables of the data package that the briefs draw on."""
    from dangjian_analysis.package.validation import read_table

    return _PackageTables(
        figures=read_table(package, "figures").rows,
        sources=read_table(package, "sources").rows,
        regions=read_table(package, "regions").rows,
        indicators=read_table(package, "indicators").rows,
        scopes=read_table(package, "scopes").rows,
    )


def _load_notebooks(paths: Sequence[Path]) -> list[tuple[Path, NotebookNode]]:
    """Read and check every notebook before any is executed."""
    loaded = []
    for path in paths:
        nb = read_notebook(path)
        check_notebook(nb, path.name)
        loaded.append((path, nb))
    return loaded


def _build_info(package: DataPackage, data_dir: Path, folder: Path) -> BuildInfo:
    """Collect the cover facts: date, package and data versions, git commit."""
    import hashlib

    from dangjian_analysis.package.paths import default_data_dir
    from dangjian_analysis.package.version import package_version

    descriptor = package.descriptor
    figures = next(
        (r.get("path") for r in descriptor.get("resources", []) if r.get("name") == "figures"),
        "figures.csv",
    )
    digest = hashlib.sha256((data_dir / str(figures)).read_bytes()).hexdigest()[:12]
    licences = descriptor.get("licenses") or []
    licence = ", ".join(
        f"{item.get('title') or item.get('name')} ({item.get('name')})"
        if item.get("title") and item.get("name")
        else str(item.get("name") or item.get("title") or "")
        for item in licences
        if isinstance(item, dict)
    )
    try:
        bundled = data_dir.resolve() == default_data_dir().resolve()
    except OSError:  # no bundled package (DataPackageNotFoundError is an OSError)
        bundled = False
    return BuildInfo(
        date=build_date(),
        package_version=package_version(),
        data_version=package.version,
        data_title=str(descriptor.get("title", "")),
        data_folder=data_dir,
        commit=git_commit(folder),
        data_name=str(descriptor.get("name", "")),
        figures_hash=digest,
        bundled=bundled,
        data_licence=licence or "no licence stated",
        base_url=os.environ.get("DANGJIAN_BRIEFS_URL", "") or str(descriptor.get("homepage", "")),
    )


@dataclass
class _PageMaker:
    """Renders executed notebooks into pages; what every page of one build shares."""

    tables: _PackageTables
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
        return _write_brief(self, staging, path, nb, title, summary, injected)

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
            cite=self.cite(content.title, f"{'zh/' if zh else ''}{file}", language),
            links=links,
            other_data=not self.build.bundled,
        )
        return html if zh else link_first_mentions(html, GLOSSARY, target="glossary.html")

    def zh_fallback(self, status: str, file: str, fingerprint: str) -> str:
        """Return the notice of a Chinese brief without current Chinese text."""
        return zh_fallback_html(status, f"../{file}", fingerprint)


def _write_brief(
    job: _PageMaker,
    staging: Path,
    path: Path,
    nb: NotebookNode,
    title: str,
    summary: str,
    injected: int | None,
) -> Brief:
    """Render executed ``nb`` into the brief, its annex and its Chinese twin."""
    tables = job.tables
    key, subtitle = _prepare(nb, path.name, title, injected)
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
    annex = _render_brief(
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

    zh = _zh_text(path)
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


def _zh_text(path: Path) -> ZhText | None:
    try:
        return read_zh_text(path)
    except ZhTextError as exc:
        raise BriefBuildError(str(exc)) from None


#: Words of the index and glossary pages, in each language.
_FRONT = {
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


def _size_words(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1_000_000 else f"{size / 1e6:.1f} MB"


def _write_front(
    folder: Path,
    briefs: list[Brief],
    build: BuildInfo,
    fragments: jinja2.Environment,
    package: DataPackage,
    figure_count: int,
    source_count: int,
) -> None:
    """Write the index and the glossary in both languages, and the data download."""
    from markupsafe import Markup

    download = write_data_download(package.folder, package.descriptor, folder)
    size = _size_words((folder / download).stat().st_size)
    for language, sub in (("en", ""), ("zh", "zh/")):
        words = _FRONT[language]
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
            answer=Markup(answer_html(briefs, language)),
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


def _marker_record(briefs: list[Brief], build: BuildInfo) -> dict[str, Any]:
    return {
        "built": build.date,
        "package_version": build.package_version,
        "data_version": build.data_version,
        "commit": build.commit,
        "briefs": [b.file for b in briefs],
    }


@dataclass(frozen=True)
class _PackageTables:
    """The data package's tables a brief draws on, as rows of text."""

    figures: list[dict[str, str]]
    sources: list[dict[str, str]]
    regions: list[dict[str, str]]
    indicators: list[dict[str, str]]
    scopes: list[dict[str, str]]


def _prepare(
    nb: NotebookNode, name: str, title: str, injected: int | None
) -> tuple[KeyFindingsBox, str]:
    """Check and reshape executed ``nb`` for its brief; return the key findings and subtitle.

    Fails when a cell wrote to stderr or the key findings are missing; lifts the key
    findings out of the notebook, folds outputs that show internal codes into data blocks
    and leaves one ``<h1>`` (the cover's).
    """
    try:
        check_no_stderr(nb, name, injected)
        key = lift_key_findings(nb, name, injected)
    except RenderError as exc:
        raise BriefBuildError(str(exc)) from None
    describe_images(nb)
    subtitle = split_title(nb, title)
    fold_coded_outputs(nb)
    return key, subtitle


def _render_brief(
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


def _data_package(data: str | Path | None) -> DataPackage:
    """Validate the data package; turn any problem into a one-line error."""
    from dangjian_analysis.package.errors import DataValidationError
    from dangjian_analysis.package.validation import validate

    try:
        return validate(data)
    except DataValidationError as exc:
        count = len(exc.problems)
        first = str(exc.problems[0]) if exc.problems else "invalid"
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        raise BriefBuildError(
            f"data package {exc.package} is invalid: {first}{more}; "
            f"'dangjian validate --data {exc.package}' lists every problem"
        ) from None


