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
from dangjian_analysis.briefs.glossary import GLOSSARY, link_first_mentions
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
    markdown_inline,
    split_title,
    template_root,
)
from dangjian_analysis.briefs.sources import CitedSource, cited_sources, figure_ids_in_outputs

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

    """

    name: str
    file: str
    title: str
    summary: str
    headline: str
    figure_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    size: int


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
            _write_index(staging, briefs, build, page.fragments, language)
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
    from dangjian_analysis.package.version import package_version

    return BuildInfo(
        date=build_date(),
        package_version=package_version(),
        data_version=package.version,
        data_title=str(package.descriptor.get("title", "")),
        data_folder=data_dir,
        commit=git_commit(folder),
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


def _write_brief(
    job: _PageMaker,
    staging: Path,
    path: Path,
    nb: NotebookNode,
    title: str,
    summary: str,
    injected: int | None,
) -> Brief:
    """Render executed ``nb`` into the staging folder; return what was written."""
    tables = job.tables
    key, subtitle = _prepare(nb, path.name, title, injected)
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
    html = _render_brief(
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
    check_offline(html, path.name)
    target = staging / f"{path.stem}.html"
    target.write_text(html, encoding="utf-8")
    return Brief(
        name=path.stem,
        file=target.name,
        title=title,
        summary=summary,
        headline=key.headline,
        figure_ids=tuple(figure_ids),
        source_ids=tuple(s.source_id for s in sources),
        size=target.stat().st_size,
    )


def _write_index(
    folder: Path,
    briefs: list[Brief],
    build: BuildInfo,
    fragments: jinja2.Environment,
    language: str,
) -> None:
    from markupsafe import Markup

    entries = [
        {
            "name": b.name,
            "file": b.file,
            "title": b.title,
            "summary_html": Markup(markdown_inline(b.summary)) if b.summary else "",
            "headline": b.headline,
        }
        for b in briefs
    ]
    figure_count = len({f for b in briefs for f in b.figure_ids})
    source_count = len({s for b in briefs for s in b.source_ids})
    bottom_line = (
        f"{len(briefs)} brief{'s' if len(briefs) != 1 else ''}, showing {figure_count} of the "
        f"published figure{'s' if figure_count != 1 else ''} from {source_count} "
        f"source{'s' if source_count != 1 else ''}. What each finds, in one line:"
    )
    html = fragments.get_template("briefs_index.html.j2").render(
        briefs=entries,
        build=build,
        heading="dangjian-analysis briefs",
        bottom_line=bottom_line,
        lang=language,
    )
    check_offline(html, INDEX)
    (folder / INDEX).write_text(html, encoding="utf-8")


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
        notebook=f"{name}.ipynb",
    )
    cited = fragments.get_template("sources.html.j2").render(sources=sources, build=build)
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


