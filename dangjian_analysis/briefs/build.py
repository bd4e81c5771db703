"""Turn the analysis notebooks into self-contained HTML briefs for policy readers.

``build_briefs`` executes every notebook afresh (kernel ``python3``, working folder = the
notebooks folder), optionally against another data package, and exports one HTML file
per notebook plus an ``index.html``. A brief hides code and prompts, embeds its images,
loads nothing from the network, prints cleanly, opens with a cover (title, build date,
package and data versions, git commit) and ends with the sources of the figures it shows.

A brief opens with its title and the key findings its notebook computes (the output of
the cell tagged ``key-findings``), shows the prose, tables and charts with codes folded away,
and ends with a guide to reading it, a glossary, the figures it shows (as a table and a
CSV download) and their sources. A cell that writes to stderr fails the build.


The output folder is replaced only when every brief has been built: a failed or
interrupted build leaves the previous set untouched. A folder holding anything the last
build did not write (a user's notes) is never replaced; the error names what is there.
Builds into the same folder take turns at the replacement (a lock file beside it), and a
replacement cut short (the process killed between its two renames) is put right by the
next build.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import glob
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dangjian_analysis.briefs.buildinfo import BuildInfo, build_date, git_commit
from dangjian_analysis.briefs.figures import figure_rows, figures_data_uri
from dangjian_analysis.briefs.glossary import GLOSSARY, link_first_mentions
from dangjian_analysis.briefs.offline import external_resources
from dangjian_analysis.briefs.render import (
    KeyFindingsBox,
    RenderError,
    check_no_stderr,
    describe_images,
    fold_coded_outputs,
    has_key_findings_cell,
    lift_key_findings,
    split_title,
)
from dangjian_analysis.briefs.sources import CitedSource, cited_sources, figure_ids_in_outputs
from dangjian_analysis.report.findings import KEY_FINDINGS_TAG

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
    "inject_parameters",
    "notebook_summary",
    "notebook_title",
]

#: Notebooks that become briefs: two-digit number, underscore, name.
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
#: The heading every notebook must have; its section is the brief's statement of limits.
LIMITS_HEADING = "What this can and cannot tell us"
#: The Jupyter kernel the notebooks run on.
KERNEL = "python3"
#: Name of the index page in the output folder.
INDEX = "index.html"
#: File that marks a folder as built by :func:`build_briefs` (and so safe to replace).
MARKER = ".dangjian-briefs.json"

_T = TypeVar("_T")
#: Seconds to wait for the kernels to shut down after Ctrl-C.
_SHUTDOWN_SECONDS = 15.0
_PARAMETERS_TAG = "parameters"
_INJECTED_TAG = "injected-parameters"
_LIMITS = re.compile(
    r"^\s{0,3}#{1,6}\s+" + re.escape(LIMITS_HEADING) + r"\s*#*\s*$", re.IGNORECASE | re.MULTILINE
)
_H1 = re.compile(r"^\s{0,3}#\s+(?P<text>.+?)\s*#*\s*$")


class BriefBuildError(RuntimeError):
    """The briefs could not be built; the message is one line naming what went wrong."""


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


# --- choosing and reading notebooks -------------------------------------------------------


def find_notebooks(folder: str | Path, names: Sequence[str] = ()) -> list[Path]:
    """Return the notebooks of ``folder`` matching :data:`NOTEBOOK_GLOB`, sorted by name.

    ``names`` selects some of them, each by file stem (``01_data_overview``), file name
    (``01_data_overview.ipynb``) or number prefix (``01``); the notebooks are returned in
    folder order whatever the order of ``names``.

    Raises:
        BriefBuildError: when ``folder`` is not a folder, holds no notebook, or a name
            matches no notebook.

    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BriefBuildError(
            f"no notebooks folder at {folder}: run from the repository root or pass --notebooks DIR"
        )
    found = sorted(folder.glob(NOTEBOOK_GLOB))
    if not found:
        raise BriefBuildError(f"no notebooks ({NOTEBOOK_GLOB}) in {folder}")
    if not names:
        return found
    chosen: set[Path] = set()
    for name in names:
        key = name.removesuffix(".ipynb")
        matches = [p for p in found if p.stem == key or p.stem.split("_", 1)[0] == key]
        if not matches:
            available = ", ".join(p.stem for p in found)
            raise BriefBuildError(
                f"no notebook named {name!r} in {folder} (available: {available})"
            )
        chosen.update(matches)
    return [p for p in found if p in chosen]


def _source(cell: dict[str, Any]) -> str:
    value = cell.get("source", "")
    return "".join(value) if isinstance(value, list) else str(value)


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _markdown_cells(nb: NotebookNode) -> list[str]:
    return [_source(c) for c in nb.cells if c.get("cell_type") == "markdown"]


def notebook_title(nb: NotebookNode, fallback: str) -> str:
    """Return ``metadata["title"]``, else the first ``# `` heading, else ``fallback``."""
    title = str(nb.metadata.get("title", "")).strip()
    if title:
        return title
    for text in _markdown_cells(nb):
        for line in text.splitlines():
            match = _H1.match(line)
            if match:
                return match.group("text")
    return fallback


def notebook_summary(nb: NotebookNode) -> str:
    """Return the one-line summary of a notebook, as Markdown.

    ``metadata["dangjian"]["summary"]`` when present, else the first paragraph (not a
    heading) of the first Markdown cell, its lines joined; empty when there is neither.
    """
    meta = nb.metadata.get("dangjian", {})
    if isinstance(meta, dict) and str(meta.get("summary", "")).strip():
        return " ".join(str(meta["summary"]).split())
    cells = _markdown_cells(nb)
    if not cells:
        return ""
    for paragraph in re.split(r"\n\s*\n", cells[0]):
        lines = [ln.strip() for ln in paragraph.strip().splitlines() if ln.strip()]
        lines = [ln for ln in lines if not ln.startswith("#")]
        if lines:
            return " ".join(lines)
    return ""


def check_notebook(nb: NotebookNode, name: str) -> None:
    """Check that notebook ``name`` can become a brief.

    It needs a code cell tagged ``parameters`` (where ``DATA_DIR`` is set), a code cell
    tagged ``key-findings`` (whose result is ``dj.key_findings(...)``) and a Markdown
    heading "What this can and cannot tell us".

    Raises:
        BriefBuildError: naming the notebook and what it lacks.

    """
    if not any(c.get("cell_type") == "code" and _PARAMETERS_TAG in _tags(c) for c in nb.cells):
        raise BriefBuildError(
            f"{name}: no code cell tagged {_PARAMETERS_TAG!r} (it must set DATA_DIR)"
        )
    if not has_key_findings_cell(nb):
        raise BriefBuildError(
            f"{name}: no code cell tagged {KEY_FINDINGS_TAG!r}; every brief opens with the "
            "key findings its notebook computes (dj.key_findings(headline, points))"
        )
    if not any(_LIMITS.search(text) for text in _markdown_cells(nb)):
        raise BriefBuildError(
            f"{name}: no section headed {LIMITS_HEADING!r}; every brief must state what "
            "its figures can and cannot tell us"
        )


def inject_parameters(nb: NotebookNode, data_dir: str | Path) -> int:
    """Insert a cell tagged ``injected-parameters`` setting ``DATA_DIR`` after ``parameters``.

    This is papermill's convention: the notebook's own defaults stay visible in the
    ``parameters`` cell and the values used for this run follow it. ``nb`` is changed in
    place; the index of the inserted cell is returned.

    Raises:
        BriefBuildError: when no code cell is tagged ``parameters``.

    """
    import nbformat

    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code" and _PARAMETERS_TAG in _tags(cell):
            source = (
                "# Parameters injected by 'dangjian briefs'\n"
                f"DATA_DIR = {json.dumps(str(data_dir), ensure_ascii=False)}\n"
            )
            injected = nbformat.v4.new_code_cell(source, metadata={"tags": [_INJECTED_TAG]})
            nb.cells.insert(index + 1, injected)
            return index + 1
    raise BriefBuildError(f"no code cell tagged {_PARAMETERS_TAG!r} to inject DATA_DIR after")


def _read_notebook(path: Path) -> NotebookNode:
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.reader.NotJSONError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BriefBuildError(f"{path.name}: not a readable notebook: {message}") from None


# --- executing ----------------------------------------------------------------------------


def _first_line(text: str, limit: int = 80) -> str:
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def _failure(exc: BaseException) -> str:
    """Describe why a cell or the kernel failed, in one line."""
    ename = getattr(exc, "ename", None)
    if ename:
        evalue = str(getattr(exc, "evalue", "") or "")
        first = evalue.strip().splitlines()[0] if evalue.strip() else ""
        return f"{ename}: {first}" if first else str(ename)
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


async def _execute(
    nb: NotebookNode,
    name: str,
    cwd: Path,
    injected: int,
    timeout: int,
    clients: list[Any] | None = None,
) -> None:
    """Execute ``nb`` in place; on failure raise naming the notebook and the failing cell.

    The client is added to ``clients``, so that an interrupt can ask for its kernel to be
    stopped at once rather than after its running cell.
    """
    from nbclient import NotebookClient

    current: dict[str, int | None] = {"index": None}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=on_cell_start,
        # The kernel's own log stays quiet unless something is wrong (its start-up notices
        # would interleave with the progress bar); cell output is captured as usual.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    if clients is not None:
        clients.append(client)
    try:
        await client.async_execute()
    except asyncio.CancelledError:
        if client.km is None:
            # nbclient has shut the kernel down already; its exit-time clean-up would fail.
            atexit.unregister(client._cleanup_kernel)
        raise
    except Exception as exc:
        if client.km is None:
            atexit.unregister(client._cleanup_kernel)
        index = current["index"]
        if index is None:
            where = f"kernel {KERNEL!r} failed before running a cell"
        elif index == injected:
            where = "the injected parameters cell failed"
        else:
            original = index if index < injected else index - 1
            line = _first_line(_source(nb.cells[index]))
            where = f"cell {original} ({line!r}) failed"
        raise BriefBuildError(f"{name}: {where}: {_failure(exc)}") from exc


def _stop_at_once(clients: list[Any]) -> None:
    """Make the kernels of ``clients`` stop immediately when they are shut down."""
    for client in clients:
        client.shutdown_kernel = "immediate"


def _run(
    coroutine: Coroutine[Any, Any, _T], on_interrupt: Callable[[], None] | None = None
) -> _T:
    """Run ``coroutine`` to completion on an event loop of its own, in a worker thread.

    The caller's thread only waits, so Ctrl-C (``KeyboardInterrupt``) reaches it as usual,
    also when it has an event loop running (a notebook calling :func:`build_briefs`). On an
    interrupt the coroutine is cancelled, which shuts its kernels down, and the
    ``KeyboardInterrupt`` is raised again once they are gone (or after
    :data:`_SHUTDOWN_SECONDS`). ``on_interrupt`` is called first, on the loop's thread.
    """
    ready = threading.Event()
    running: dict[str, Any] = {}

    async def main() -> _T:
        running["loop"] = asyncio.get_running_loop()
        running["task"] = asyncio.current_task()
        ready.set()
        return await coroutine

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefs")
    future = pool.submit(asyncio.run, main())
    try:
        return future.result()
    except KeyboardInterrupt:
        if ready.wait(_SHUTDOWN_SECONDS):

            def cancel() -> None:
                if on_interrupt is not None:
                    on_interrupt()
                running["task"].cancel()

            running["loop"].call_soon_threadsafe(cancel)
            with contextlib.suppress(BaseException):
                future.result(timeout=_SHUTDOWN_SECONDS)
        raise
    finally:
        pool.shutdown(wait=False)


# --- rendering ----------------------------------------------------------------------------


def template_root() -> Path:
    return Path(str(resources.files("dangjian_analysis.briefs") / "templates"))


def _fragments() -> jinja2.Environment:
    """Return the autoescaping Jinja environment for the cover, the sources and the index."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_root() / "brief"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _exporter(language: str) -> HTMLExporter:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "brief"
    config.HTMLExporter.extra_template_basedirs = [str(template_root())]
    config.HTMLExporter.theme = "light"
    config.HTMLExporter.language_code = language
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = ("remove-cell",)
    config.TagRemovePreprocessor.remove_all_outputs_tags = ("remove-output",)
    config.TagRemovePreprocessor.remove_input_tags = ("remove-input",)
    return HTMLExporter(config=config)


def _markdown_inline(text: str) -> str:
    """Render one paragraph of Markdown to HTML without the enclosing ``<p>``."""
    from nbconvert.filters.markdown import markdown2html

    html = markdown2html(text).strip()
    if html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    return html


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


def _check_offline(html: str, name: str) -> None:
    found = external_resources(html)
    if found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise BriefBuildError(
            f"{name}: the brief would load resources from outside itself: "
            f"{'; '.join(found[:3])}{more}"
        )


# --- data and output folder ---------------------------------------------------------------


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


def _built_files(out: Path) -> set[str] | None:
    """Return the names the build recorded in ``out``'s marker, or None without a marker."""
    marker = out / MARKER
    if not marker.is_file():
        return None
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {MARKER}
    briefs = record.get("briefs") if isinstance(record, dict) else None
    names = {b for b in briefs if isinstance(b, str)} if isinstance(briefs, list) else set()
    return names | {MARKER, INDEX}


def _check_output(out: Path) -> None:
    """Refuse an ``out`` that is a file, or holds anything the last build did not write.

    The folder is replaced as a whole, so a file a user put into it would be lost: the
    error names such files (up to five) instead.
    """
    if out.exists() and not out.is_dir():
        raise BriefBuildError(f"output folder {out} exists and is not a folder")
    if not out.is_dir():
        return
    entries = sorted(out.iterdir())
    if not entries:
        return
    built = _built_files(out)
    if built is None:
        raise BriefBuildError(
            f"output folder {out} is not empty and was not built by 'dangjian briefs'; "
            "refusing to replace it (choose another --out or remove it)"
        )
    foreign = [p.name + ("/" if p.is_dir() else "") for p in entries if p.name not in built]
    foreign += [p.name + "/" for p in entries if p.name in built and p.is_dir()]
    if foreign:
        listed = ", ".join(foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise BriefBuildError(
            f"output folder {out} holds files that 'dangjian briefs' did not write: "
            f"{listed}{more}; refusing to replace it (move them elsewhere or choose "
            "another --out)"
        )


def _staging_folder(out: Path) -> Path:
    """Check that ``out`` may be (re)placed and create the temporary folder beside it."""
    _check_output(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent)
        )
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BriefBuildError(f"cannot write to output folder {out}: {reason}") from None
    staging.chmod(0o755)
    return staging


def _lock_file(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _old_folder(out: Path) -> Path:
    return out.parent / f".{out.name}.old"


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on the open file ``fd`` without waiting; tell if it was taken."""
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _output_lock(out: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the lock file ``.NAME.lock`` beside ``out``: one build at a time touches ``out``.

    The lock is the operating system's lock on the file (released when the process dies,
    so a killed build leaves no stale lock). The file is removed on release; a waiting
    build that finds the file it locked gone tries again with the new one.

    Raises:
        BriefBuildError: when another build holds the lock for ``timeout`` seconds.

    """
    path = _lock_file(out)
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if _try_lock(fd):
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            if current is not None and os.path.samestat(os.fstat(fd), current):
                break
        os.close(fd)
        if time.monotonic() > deadline:
            raise BriefBuildError(
                f"another 'dangjian briefs' has been replacing {out} for {timeout:.0f} s "
                f"(lock {path}); try again later"
            )
        time.sleep(0.02)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # before unlocking: a waiting build then locks a new file
        os.close(fd)  # releases the lock


def _process_alive(pid: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) is not a probe there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _recover(out: Path) -> None:
    """Finish or undo a replacement of ``out`` that was cut short (call with the lock held).

    A build stopped between its two renames left ``out`` missing and the previous build
    in ``.NAME.old``: it is put back. An ``.NAME.old`` beside an ``out`` is the previous
    build whose removal was cut short: it is removed. Folders ``.NAME.building-PID-*`` of
    processes that no longer run are removed too.
    """
    olds = [_old_folder(out), *sorted(out.parent.glob(f".{glob.escape(out.name)}.old-*"))]
    olds = [p for p in olds if p.is_dir() and not p.is_symlink()]
    if olds and not out.exists() and not out.is_symlink():
        newest = max(olds, key=lambda p: p.stat().st_mtime)
        os.replace(newest, out)
        olds.remove(newest)
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
    prefix = f".{out.name}.building-"
    for staging in out.parent.glob(f"{glob.escape(prefix)}*"):
        pid = staging.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging``; the old folder is removed only once the new one is in.

    Under the lock beside ``out``: recover from a replacement cut short, check ``out``
    again (a user may have put a file into it during the build), then rename ``out`` to
    ``.NAME.old`` and ``staging`` to ``out``, and remove the old folder. An exception or
    interrupt between the two renames puts the old folder back.

    Raises:
        BriefBuildError: when ``out`` may not be replaced (see :func:`_check_output`).

    """
    with _output_lock(out):
        _recover(out)
        _check_output(out)
        old = _old_folder(out)
        try:
            if out.exists():
                os.replace(out, old)
            os.replace(staging, out)
        except BaseException:
            if old.is_dir() and not out.exists():
                os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)


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
    known_ids = {row["figure_id"] for row in tables.figures}
    loaded = _load_notebooks(paths)
    build = _build_info(package, data_dir, folder)
    out = _output_path(out)
    staging = _staging_folder(out)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(loaded)))
    try:
        exporter = _exporter(language)
        fragments = _fragments()
        job = _BriefJob(
            folder=folder,
            data_dir=data_dir,
            staging=staging,
            tables=tables,
            known_ids=known_ids,
            build=build,
            exporter=exporter,
            fragments=fragments,
            timeout=timeout,
        )
        if progress is None:
            progress = sys.stderr.isatty()
        briefs = _run_notebooks(job, loaded, workers=workers, progress=progress)
        _write_index(staging, briefs, build, fragments, language)
        _write_marker(staging, briefs, build)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(out=out, build=build, briefs=briefs, seconds=time.perf_counter() - started)


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
        nb = _read_notebook(path)
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


def _output_path(out: str | Path) -> Path:
    """Return the absolute output folder; a symbolic link stands for the folder it points to."""
    out = Path(out).absolute()
    if out.is_symlink():  # replace the folder it points to, not the link
        out = out.resolve()
    return out


@dataclass
class _BriefJob:
    """What the notebooks of one build share, and what their runs report back."""

    folder: Path
    data_dir: Path
    staging: Path
    tables: _PackageTables
    known_ids: set[str]
    build: BuildInfo
    exporter: HTMLExporter
    fragments: jinja2.Environment
    timeout: int
    built: dict[str, Brief] = field(default_factory=dict)
    failed: list[BriefBuildError] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)


def _run_notebooks(
    job: _BriefJob, loaded: Sequence[tuple[Path, NotebookNode]], *, workers: int, progress: bool
) -> list[Brief]:
    """Execute and render every notebook under a progress bar; return the briefs in order."""
    from tqdm import tqdm

    with tqdm(
        total=len(loaded), desc="briefs", unit="notebook", file=sys.stderr, disable=not progress
    ) as bar:
        _run(
            _build_all(job, loaded, workers, bar),
            on_interrupt=lambda: _stop_at_once(job.clients),
        )
    return [job.built[path.stem] for path, _ in loaded]


async def _build_all(
    job: _BriefJob, loaded: Sequence[tuple[Path, NotebookNode]], workers: int, bar: Any
) -> None:
    """Build the notebooks ``workers`` at a time; raise the first failure in folder order."""
    limit = asyncio.Semaphore(workers)
    outcomes = await asyncio.gather(
        *(_build_one(job, path, nb, limit, bar) for path, nb in loaded), return_exceptions=True
    )
    # Report the first failure in folder order, whatever order they happened in.
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def _build_one(
    job: _BriefJob, path: Path, nb: NotebookNode, limit: asyncio.Semaphore, bar: Any
) -> None:
    """Execute one notebook and write its brief, unless another notebook has failed."""
    async with limit:
        if job.failed:  # one notebook failed: start no more, let running ones finish
            return
        bar.set_postfix_str(path.stem)
        title = notebook_title(nb, path.stem)
        summary = notebook_summary(nb)
        injected = inject_parameters(nb, job.data_dir)
        try:
            await _execute(nb, path.name, job.folder, injected, job.timeout, job.clients)
            job.built[path.stem] = _write_brief(job, path, nb, title, summary, injected)
        except BriefBuildError as exc:
            job.failed.append(exc)
            raise
        bar.update(1)


def _write_brief(
    job: _BriefJob, path: Path, nb: NotebookNode, title: str, summary: str, injected: int
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
        cwd=job.folder,
    )
    _check_offline(html, path.name)
    target = job.staging / f"{path.stem}.html"
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
            "summary_html": Markup(_markdown_inline(b.summary)) if b.summary else "",
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
    _check_offline(html, INDEX)
    (folder / INDEX).write_text(html, encoding="utf-8")


def _write_marker(folder: Path, briefs: list[Brief], build: BuildInfo) -> None:
    record = {
        "built": build.date,
        "package_version": build.package_version,
        "data_version": build.data_version,
        "commit": build.commit,
        "briefs": [b.file for b in briefs],
    }
    (folder / MARKER).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
