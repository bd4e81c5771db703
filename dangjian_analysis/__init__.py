"""dangjian-analysis: curated data on party organizations in China's non-public enterprises.

The public API is listed once, in ``__init__.pyi`` beside this file (the stub that type
checkers read), and loaded lazily: ``import dangjian_analysis`` imports none of the
package's modules, nor pandas, matplotlib or statsmodels, until a name that needs them is
used. The layers behind it (``text``, ``package``, ``analysis``, ``report``, ``curate``,
``briefs``) are described in ``docs/architecture.md``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

_STUB = Path(__file__).with_name("__init__.pyi")


def _read_exports(stub: Path) -> dict[str, str]:
    """Map each name imported in the stub (``from .mod import a, b``) to its module.

    The stub holds only such imports (a test checks it), so the names can be read with a
    pattern instead of a parser, which keeps ``import dangjian_analysis`` fast.
    """
    import re

    exports: dict[str, str] = {}
    pattern = re.compile(r"^from \.([\w.]+) import (?:\(([^()]*)\)|(.*)$)", re.M)
    for module, grouped, single in pattern.findall(stub.read_text(encoding="utf-8")):
        for name in (grouped or single).split(","):
            if name.strip():
                exports[name.strip()] = f"{__name__}.{module}"
    return exports


_EXPORTS = _read_exports(_STUB)

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name == "__version__":
        from dangjian_analysis.package.version import package_version

        value: Any = package_version()
    else:
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public API."""
    return sorted(__all__)
