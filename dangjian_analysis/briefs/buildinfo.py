"""What a brief's cover states about its own making: date, versions and commit."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["UNVERSIONED", "BuildInfo", "build_date", "git_commit"]

#: What the cover says when the notebooks are not in a git checkout.
UNVERSIONED = "unversioned"


@dataclass(frozen=True)
class BuildInfo:
    """The facts printed on every brief's cover and on the index page.

    Attributes:
        date: build date, ``YYYY-MM-DD``.
        package_version: ``dangjian_analysis.__version__``.
        data_version: ``version`` of the data package the notebooks ran against.
        data_title: ``title`` of that data package (may be empty).
        data_folder: the data package folder.
        commit: short git commit of the checkout, with ``+modified`` when tracked files
            differ from it, or ``"unversioned"`` outside git.
        data_name: ``name`` of the data package.
        figures_hash: the first 12 hex digits of the SHA-256 of its ``figures.csv``.
        bundled: whether the data package is the one bundled with dangjian-analysis.
        data_licence: the data package's licence (name and title).
        base_url: where the briefs are published (``DANGJIAN_BRIEFS_URL``, else the data
            package's ``homepage``), or empty.

    """

    date: str
    package_version: str
    data_version: str
    data_title: str
    data_folder: Path
    commit: str
    data_name: str = ""
    figures_hash: str = ""
    bundled: bool = True
    data_licence: str = ""
    base_url: str = ""


def build_date() -> str:
    """Return today's date (UTC) as ``YYYY-MM-DD``.

    When ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds convention), that moment is
    used instead, so a rebuild of the same commit gives the same files.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH is not a Unix timestamp: {epoch!r}") from None
    else:
        moment = dt.datetime.now(tz=dt.UTC)
    return moment.date().isoformat()


def _git(folder: Path, *args: str) -> str | None:
    """Run ``git -C folder args``; return its stdout, or None when git fails or is absent."""
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def git_commit(folder: str | Path) -> str:
    """Return the short commit of the git checkout holding ``folder``.

    ``+modified`` is appended when tracked files differ from that commit (untracked files
    do not count). Outside a git checkout, or without git, the answer is
    :data:`UNVERSIONED`.
    """
    folder = Path(folder)
    sha = _git(folder, "rev-parse", "--short", "HEAD")
    if not sha or not sha.strip():
        return UNVERSIONED
    status = _git(folder, "status", "--porcelain", "--untracked-files=no")
    dirty = bool(status and status.strip())
    return sha.strip() + ("+modified" if dirty else "")
