"""The installed package's version, read from its metadata where it is needed."""

from __future__ import annotations

import functools

__all__ = ["UNKNOWN_VERSION", "package_version"]

#: The version reported by a source tree that was never installed.
UNKNOWN_VERSION = "0+unknown"


@functools.cache
def package_version() -> str:
    """Return the installed version of ``dangjian-analysis`` (``0+unknown`` if not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dangjian-analysis")
    except PackageNotFoundError:
        return UNKNOWN_VERSION
