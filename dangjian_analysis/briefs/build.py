"""Turn the analysis notebooks into self-contained HTML briefs for policy readers.

``build_briefs`` executes every notebook afresh (:mod:`.execute`: papermill, kernel
``python3``, working folder = the notebooks folder), optionally against another data
package, renders the pages of each notebook (:mod:`.notebook_pages`, with :mod:`.render`,
:mod:`.pages` and the templates) and the index, glossary and data download
(:mod:`.front`), and puts the set in place of the output folder (:mod:`.publish`). A brief
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
    notebook_summary,
    notebook_title,
    read_notebook,
    sigterm_as_interrupt,
)
from dangjian_analysis.briefs.front import write_front
from dangjian_analysis.briefs.notebook_pages import Brief, PackageTables, PageMaker
from dangjian_analysis.briefs.publish import (
    INDEX,
    MARKER,
    output_lock,
    output_path,
    recover,
    staging_folder,
    swap_in,
    write_marker,
)
from dangjian_analysis.briefs.render import (
    template_root,
)

if TYPE_CHECKING:
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
        for name in ("papermill", "nbconvert", "nbformat", "ipykernel", "tqdm", "jinja2")
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
    progress: bool | None = None,
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
        progress: show a progress bar on stderr (default: when stderr is a terminal).
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
    if progress is None:
        progress = sys.stderr.isatty()
    with sigterm_as_interrupt():
        staging = staging_folder(out)
        try:
            executed = _execute_all(
                loaded, folder, data_dir, timeout=timeout, workers=workers, progress=progress
            )
            page = PageMaker(tables=tables, build=build, language=language, cwd=folder)
            briefs = [page.brief(staging, path, executed[path.stem]) for path, _ in loaded]
            write_front(
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


def _package_tables(package: DataPackage) -> PackageTables:
    """Read the tables of the data package that the briefs draw on."""
    from dangjian_analysis.package.validation import read_table

    return PackageTables(
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
        bundled = _same_files(data_dir, default_data_dir())
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


def _same_files(folder: Path, bundled: Path) -> bool:
    """Whether ``folder`` is the bundled data package or an unchanged copy of it.

    A copy counts as the bundled package only when it holds the same files with the same
    bytes; a single changed, added or missing file makes it another package.
    """
    if folder.resolve() == bundled.resolve():
        return True

    def files(root: Path) -> dict[str, Path]:
        return {
            p.relative_to(root).as_posix(): p
            for p in root.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
        }

    ours, theirs = files(folder), files(bundled)
    return ours.keys() == theirs.keys() and all(
        ours[name].read_bytes() == theirs[name].read_bytes() for name in ours
    )


def _marker_record(briefs: list[Brief], build: BuildInfo) -> dict[str, Any]:
    return {
        "built": build.date,
        "package_version": build.package_version,
        "data_version": build.data_version,
        "commit": build.commit,
        "briefs": [b.file for b in briefs],
    }


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


