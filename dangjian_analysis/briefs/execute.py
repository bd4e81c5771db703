"""Choose, check and execute the notebooks that become briefs.

Notebooks are ``NN_name.ipynb`` files. Each is read and checked before any runs (a
``parameters`` cell, a ``key-findings`` cell, a section "What this can and cannot tell
us"), then executed with papermill: papermill injects ``DATA_DIR`` after the
``parameters`` cell (as a cell tagged ``injected-parameters``) and runs the notebook on
the ``python3`` kernel with the notebooks folder as working folder. Several notebooks run
at once, each in a thread of its own with its own kernel.

An interrupt (Ctrl-C, or SIGTERM turned into one by :func:`sigterm_as_interrupt`) stops
every kernel at once: the builder keeps track of the kernels it starts (through the
kernel manager class it gives papermill) and kills their processes, so that the running
cells end and nothing is left behind.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dangjian_analysis.briefs.render import has_key_findings_cell
from dangjian_analysis.report.findings import KEY_FINDINGS_TAG

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "INJECTED_TAG",
    "KERNEL",
    "LIMITS_HEADING",
    "NOTEBOOK_GLOB",
    "PARAMETERS_TAG",
    "BriefBuildError",
    "Terminated",
    "check_notebook",
    "execute_notebooks",
    "find_notebooks",
    "notebook_summary",
    "notebook_title",
    "read_notebook",
    "sigterm_as_interrupt",
]

#: Notebooks that become briefs: two-digit number, underscore, name.
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
#: The heading every notebook must have; its section is the brief's statement of limits.
LIMITS_HEADING = "What this can and cannot tell us"
#: The Jupyter kernel the notebooks run on.
KERNEL = "python3"
#: The tag of the cell that sets the notebook's parameters (papermill's convention).
PARAMETERS_TAG = "parameters"
#: The tag papermill gives the cell it inserts after the ``parameters`` cell.
INJECTED_TAG = "injected-parameters"

#: Seconds to wait for the kernels to end after an interrupt.
_SHUTDOWN_SECONDS = 15.0
#: Seconds between two looks at the running notebooks (and at a pending Ctrl-C).
_POLL_SECONDS = 0.2
_LIMITS = re.compile(
    r"^\s{0,3}#{1,6}\s+" + re.escape(LIMITS_HEADING) + r"\s*#*\s*$", re.IGNORECASE | re.MULTILINE
)
_H1 = re.compile(r"^\s{0,3}#\s+(?P<text>.+?)\s*#*\s*$")


class BriefBuildError(RuntimeError):
    """The briefs could not be built; the message is one line naming what went wrong."""


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM); handled like Ctrl-C."""


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``).

    The build then cleans up as after Ctrl-C: kernels stopped, temporary folder removed,
    the output folder as it was. Outside the main thread the block changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise Terminated("terminated (SIGTERM)")

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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


def cell_source(cell: dict[str, Any]) -> str:
    """Return a cell's source as one string."""
    value = cell.get("source", "")
    return "".join(value) if isinstance(value, list) else str(value)


def cell_tags(cell: dict[str, Any]) -> list[str]:
    """Return a cell's tags."""
    return list(cell.get("metadata", {}).get("tags", []))


def _markdown_cells(nb: NotebookNode) -> list[str]:
    return [cell_source(c) for c in nb.cells if c.get("cell_type") == "markdown"]


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
    if not any(
        c.get("cell_type") == "code" and PARAMETERS_TAG in cell_tags(c) for c in nb.cells
    ):
        raise BriefBuildError(
            f"{name}: no code cell tagged {PARAMETERS_TAG!r} (it must set DATA_DIR)"
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


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook file; a file that is not one gives a one-line error."""
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.reader.NotJSONError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BriefBuildError(f"{path.name}: not a readable notebook: {message}") from None


def injected_index(nb: NotebookNode) -> int | None:
    """Return the index of the cell papermill injected into executed ``nb``, if any."""
    for index, cell in enumerate(nb.cells):
        if INJECTED_TAG in cell_tags(cell):
            return index
    return None


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


@dataclass
class _Kernels:
    """The kernels one build started, so that an interrupt can stop them all at once."""

    managers: list[Any] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def manager_class(self) -> type:
        """Return a kernel manager class that records each manager it makes here."""
        from jupyter_client.manager import AsyncKernelManager

        kernels = self

        class TrackedKernelManager(AsyncKernelManager):  # type: ignore[misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                if kernels.stopping.is_set():
                    raise KeyboardInterrupt("the build was interrupted")
                super().__init__(*args, **kwargs)
                with kernels.lock:
                    kernels.managers.append(self)

        return TrackedKernelManager

    def kill_all(self) -> None:
        """Kill the process of every kernel still running; start no more."""
        self.stopping.set()
        with self.lock:
            managers = list(self.managers)
        for manager in managers:
            process = getattr(getattr(manager, "provisioner", None), "process", None)
            if process is not None:
                with contextlib.suppress(OSError):
                    process.kill()


def _execute_one(
    nb: NotebookNode,
    name: str,
    cwd: Path,
    parameters: dict[str, Any],
    timeout: int,
    kernels: _Kernels,
) -> NotebookNode:
    """Execute ``nb`` with papermill; on failure raise naming the notebook and the cell.

    Cell numbers in messages are those of the notebook file (the injected cell is not
    counted).
    """
    import papermill

    current: dict[str, int | None] = {"index": None}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    try:
        return papermill.execute_notebook(
            nb,
            None,
            parameters=parameters,
            kernel_name=KERNEL,
            language="python",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            # Given to nbclient: the kernel's working folder (papermill's own ``cwd``
            # changes the working folder of the whole process), a hook naming the running
            # cell, the kernel managers the build can stop, and a kernel log kept quiet:
            # jupyter_client interrupts a kernel before shutting it down, which an idle
            # kernel logs as an error ("KeyboardInterrupt caught in kernel") on the
            # terminal. A failing cell is reported from its outputs, not from this log.
            resources={"metadata": {"path": str(cwd)}},
            on_cell_start=on_cell_start,
            kernel_manager_class=kernels.manager_class(),
            extra_arguments=[
                "--IPKernelApp.log_level=CRITICAL",
                "--InlineBackend.figure_formats=png",
                "--InlineBackend.figure_formats=svg",
            ],
        )
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        if kernels.stopping.is_set():
            raise KeyboardInterrupt("the build was interrupted") from None
        index = getattr(exc, "cell_index", None)
        if index is None:
            index = current["index"]
        if index is None:
            where = f"kernel {KERNEL!r} failed before running a cell"
        else:
            where = _cell_named(nb, index)
        raise BriefBuildError(f"{name}: {where}: {_failure(exc)}") from exc


def _cell_named(original: NotebookNode, index: int) -> str:
    """Name cell ``index`` of the executed notebook by its number in the notebook file.

    papermill's executed notebook has the injected cell right after ``parameters``.
    """
    parameters = next(
        (i for i, c in enumerate(original.cells) if PARAMETERS_TAG in cell_tags(c)), None
    )
    if parameters is not None and index == parameters + 1:
        return "the injected parameters cell failed"
    number = index if parameters is None or index <= parameters else index - 1
    line = _first_line(cell_source(original.cells[number])) if number < len(original.cells) else ""
    return f"cell {number} ({line!r}) failed"


def execute_notebooks(
    loaded: Sequence[tuple[Path, NotebookNode]],
    *,
    cwd: Path,
    parameters: dict[str, Any],
    timeout: int,
    workers: int,
    on_done: Callable[[Path, NotebookNode], None],
) -> None:
    """Execute the notebooks ``workers`` at a time and call ``on_done`` with each result.

    ``on_done`` runs in the worker's thread as soon as its notebook has run. Once one
    notebook fails no more are started; the first failure in folder order is raised.
    On an interrupt every kernel is killed and the ``KeyboardInterrupt`` raised again
    once the workers have ended (or after a few seconds).

    Raises:
        BriefBuildError: naming the first notebook (and cell) that failed.

    """
    kernels = _Kernels()
    failed = threading.Event()

    def work(path: Path, nb: NotebookNode) -> None:
        if failed.is_set() or kernels.stopping.is_set():
            return
        try:
            executed = _execute_one(nb, path.name, cwd, parameters, timeout, kernels)
            on_done(path, executed)
        except BaseException:
            failed.set()
            raise

    pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=max(1, workers), thread_name_prefix="briefs"
    )
    futures: list[concurrent.futures.Future[None]] = []
    try:
        for path, nb in loaded:  # within the try: an interrupt may come as they start
            futures.append(pool.submit(work, path, nb))
        # Waited for in short steps: Ctrl-C may reach a worker thread rather than the main
        # thread, and Python raises KeyboardInterrupt in the main thread only when it next
        # runs; a wait without a timeout would last until the running cells end.
        pending = set(futures)
        while pending:
            _, pending = concurrent.futures.wait(pending, timeout=_POLL_SECONDS)
    except KeyboardInterrupt:
        # The kernels are killed on purpose: nbclient's "Kernel died" message (logged
        # through papermill's logger) would only repeat the interrupt.
        papermill_log = logging.getLogger("papermill")
        level = papermill_log.level
        papermill_log.setLevel(logging.CRITICAL)
        try:
            kernels.kill_all()
            for future in futures:
                future.cancel()
            concurrent.futures.wait(futures, timeout=_SHUTDOWN_SECONDS)
            pool.shutdown(wait=False, cancel_futures=True)
        finally:
            papermill_log.setLevel(level)
        raise
    pool.shutdown(wait=True)
    for future in futures:  # the first failure in folder order
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]
