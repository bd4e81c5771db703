"""dangjian-analysis: curated data on party organizations in China's non-public enterprises.

The public API is listed once, in ``__init__.pyi`` beside this file (the stub that type
checkers read), and loaded lazily by ``lazy_loader.attach_stub``: ``import
dangjian_analysis`` imports none of the package's modules, nor pandas, matplotlib or
statsmodels, until a name that needs them is used. The layers behind it (``text``,
``package``, ``analysis``, ``report``, ``curate``, ``briefs``) are described in
``docs/architecture.md``.
"""

from __future__ import annotations

from typing import Any

import lazy_loader

_load, _dir, _names = lazy_loader.attach_stub(__name__, __file__)

__all__ = sorted(["__version__", *_names])


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, then keep it."""
    if name == "__version__":
        from dangjian_analysis.package.version import package_version

        value: Any = package_version()
    elif name in _names:
        value = _load(name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public API."""
    return list(__all__)
