"""Put a finished set of briefs in place of the output folder, losing nothing.

The briefs are written to a temporary folder beside the output folder
(``.NAME.building-PID-*``); :func:`swap_in` replaces the output folder by it only when
every page has been written. The folder it replaces must have been written by an earlier
build: the marker file :data:`MARKER` of each build records every file it wrote with the
SHA-256 of its content, and a file that is not recorded, or no longer matches its
record, belongs to someone else. The build then refuses, naming the files, and the
folder stays as it is. A marker copied or forged to list a user's file therefore does
not expose it: its content would have to match the recorded hash.

Builds into the same folder take turns at the replacement (a lock file beside it), and a
replacement cut short (the process killed between its two renames) is put right by the
next build.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dangjian_analysis.briefs.execute import BriefBuildError
from dangjian_analysis.briefs.offline import external_resources

__all__ = [
    "INDEX",
    "MARKER",
    "check_offline",
    "check_output",
    "file_hashes",
    "output_lock",
    "output_path",
    "recover",
    "staging_folder",
    "swap_in",
    "write_marker",
]

#: Name of the index page in the output folder.
INDEX = "index.html"
#: File that marks a folder as built by the briefs builder (and so safe to replace).
MARKER = ".dangjian-briefs.json"
#: How long a build waits for another to finish its replacement of the same folder.
LOCK_SECONDS = 60.0


def check_offline(html: str, name: str) -> None:
    """Refuse a page that would load anything from outside itself."""
    found = external_resources(html)
    if found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise BriefBuildError(
            f"{name}: the brief would load resources from outside itself: "
            f"{'; '.join(found[:3])}{more}"
        )


# --- the marker ----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """Return ``{relative path: SHA-256}`` of every regular file under ``folder``.

    Paths use ``/``; the marker itself is left out.
    """
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            relative = path.relative_to(folder).as_posix()
            if relative != MARKER:
                found[relative] = _sha256(path)
    return found


def write_marker(folder: Path, record: Mapping[str, Any]) -> None:
    """Write the marker of a finished build into ``folder``.

    ``record`` holds what the build was (date, versions, briefs); the marker adds
    ``files``, the SHA-256 of every file now in ``folder``.
    """
    content = {**record, "files": file_hashes(folder)}
    (folder / MARKER).write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def _recorded_files(out: Path) -> dict[str, str] | None:
    """Return the files and hashes ``out``'s marker records, None without a marker.

    An unreadable marker, or one without hashes, records nothing.
    """
    marker = out / MARKER
    if not marker.is_file() or marker.is_symlink():
        return None
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def _foreign_entries(out: Path, recorded: Mapping[str, str]) -> list[str]:
    """Name what in ``out`` the last build did not write, as it is now.

    A top-level file is named as is; a top-level folder as ``name/`` when it holds
    nothing the build wrote, else each foreign file in it by its relative path.
    """
    foreign: list[str] = []

    def ours(path: Path) -> bool:
        if path.is_symlink() or not path.is_file():
            return False
        relative = path.relative_to(out).as_posix()
        expected = recorded.get(relative)
        return expected is not None and _sha256(path) == expected

    for entry in sorted(out.iterdir()):
        if entry.name == MARKER and entry.is_file() and not entry.is_symlink():
            continue
        if entry.is_dir() and not entry.is_symlink():
            inside = sorted(entry.rglob("*"))
            files = [p for p in inside if not p.is_dir() or p.is_symlink()]
            mine = [p for p in files if ours(p)]
            if not mine:
                foreign.append(entry.name + "/")
                continue
            foreign += [p.relative_to(out).as_posix() for p in files if not ours(p)]
            # A folder with nothing in it is not the build's either.
            foreign += [
                p.relative_to(out).as_posix() + "/"
                for p in inside
                if p.is_dir() and not p.is_symlink() and not any(p.iterdir())
            ]
        elif not ours(entry):
            foreign.append(entry.name)
    return foreign


def check_output(out: Path) -> None:
    """Refuse an ``out`` that is a file, or holds anything the last build did not write.

    The folder is replaced as a whole, so a file a user put into it (or changed since the
    build) would be lost: the error names such files (up to five) instead.

    Raises:
        BriefBuildError: naming the files that would be lost.

    """
    if out.exists() and not out.is_dir():
        raise BriefBuildError(f"output folder {out} exists and is not a folder")
    if not out.is_dir():
        return
    if not any(out.iterdir()):
        return
    recorded = _recorded_files(out)
    if recorded is None:
        raise BriefBuildError(
            f"output folder {out} is not empty and was not built by 'dangjian briefs'; "
            "refusing to replace it (choose another --out or remove it)"
        )
    foreign = _foreign_entries(out, recorded)
    if foreign:
        listed = ", ".join(foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise BriefBuildError(
            f"output folder {out} holds files that 'dangjian briefs' did not write: "
            f"{listed}{more}; refusing to replace it (move them elsewhere or choose "
            "another --out)"
        )


# --- the output folder ---------------------------------------------------------------------


def output_path(out: str | Path) -> Path:
    """Return the absolute output folder; a symbolic link stands for the folder it points to."""
    out = Path(out).absolute()
    if out.is_symlink():  # replace the folder it points to, not the link
        out = out.resolve()
    return out


def staging_folder(out: Path) -> Path:
    """Check that ``out`` may be (re)placed and create the temporary folder beside it."""
    check_output(out)
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
def output_lock(out: Path, timeout: float = LOCK_SECONDS) -> Iterator[None]:
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


def recover(out: Path) -> None:
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


def swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging``; the old folder is removed only once the new one is in.

    Under the lock beside ``out``: recover from a replacement cut short, check ``out``
    again (a user may have put a file into it during the build), then rename ``out`` to
    ``.NAME.old`` and ``staging`` to ``out``, and remove the old folder. An exception or
    interrupt between the two renames puts the old folder back.

    Raises:
        BriefBuildError: when ``out`` may not be replaced (see :func:`check_output`).

    """
    with output_lock(out):
        recover(out)
        check_output(out)
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
