"""The figure style: seaborn's whitegrid look, with a text font that covers Chinese.

Chinese labels need a font with CJK glyphs. The project depends on the PyPI package
``noto-cjk-sans-otc``, which ships Noto Sans CJK (SIL Open Font License 1.1); the font file
is found through :mod:`importlib.resources` and registered with matplotlib at run time, so
figures render the same on any machine that installed the project with pip, whatever fonts
the system has. matplotlib is imported inside the functions, not at import.

The look is seaborn's ``whitegrid`` style in its ``notebook`` context with the colour-blind
palette, written out as matplotlib settings (:data:`THEME_RC`, :data:`COLORS`): the figures
look as they did with ``sns.set_theme``, without importing seaborn (and scipy with it),
which took a third of a notebook's start-up. A test compares them with seaborn's own.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = [
    "CJK_FONT_FAMILY",
    "COLORS",
    "DPI",
    "FIGSIZE",
    "MARKER_SEQUENCE",
    "PALETTE",
    "SAVE_DPI",
    "THEME_RC",
    "cjk_font_family",
    "cjk_font_path",
    "style_rc",
    "use_style",
]

#: Package and file that hold the font (a collection of the Noto Sans CJK faces).
CJK_FONT_PACKAGE = "noto_cjk_sans_otc"
CJK_FONT_FILE = "NotoSansCJK-Regular.ttc"
#: The face used for text: Simplified Chinese glyph forms.
CJK_FONT_FAMILY = "Noto Sans CJK SC"

#: Figure size in inches and resolution: on screen (notebooks) and in saved PNGs (briefs).
FIGSIZE = (7.5, 4.8)
DPI = 100
SAVE_DPI = 150

#: seaborn's colour-blind-safe palette (Okabe-Ito style colours).
PALETTE = "colorblind"
#: Its colours, in order (``seaborn.color_palette("colorblind").as_hex()``).
COLORS: tuple[str, ...] = (
    "#0173b2",
    "#de8f05",
    "#029e73",
    "#d55e00",
    "#cc78bc",
    "#ca9161",
    "#fbafe4",
    "#949494",
    "#ece133",
    "#56b4e9",
)

#: seaborn 0.13's ``axes_style("whitegrid")`` and ``plotting_context("notebook")`` as
#: matplotlib settings (fonts are set by :func:`style_rc`; seaborn's own colour map, which
#: the figures do not use, is left out).
THEME_RC: dict[str, Any] = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.spines.bottom": True,
    "axes.spines.left": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "figure.facecolor": "white",
    "grid.color": ".8",
    "grid.linestyle": "-",
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.direction": "out",
    "xtick.top": False,
    "ytick.color": ".15",
    "ytick.direction": "out",
    "ytick.left": False,
    "ytick.right": False,
    "axes.labelsize": 12,
    "axes.linewidth": 1.25,
    "axes.titlesize": 12,
    "font.size": 12,
    "grid.linewidth": 1,
    "legend.fontsize": 11,
    "legend.title_fontsize": 12,
    "lines.linewidth": 1.5,
    "lines.markersize": 6,
    "patch.linewidth": 1,
    "xtick.labelsize": 11,
    "xtick.major.size": 6,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4,
    "xtick.minor.width": 1,
    "ytick.labelsize": 11,
    "ytick.major.size": 6,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4,
    "ytick.minor.width": 1,
}

#: Marker shapes given to groups of points (coverage definitions), in order.
MARKER_SEQUENCE = ("o", "s", "D", "^", "v", "P", "X", "*")


def cjk_font_path() -> Path:
    """Return the path of the bundled Noto Sans CJK font file.

    Raises:
        FileNotFoundError: the font package is missing or holds no such file (reinstall
            the project's dependencies).

    """
    try:
        resource = files(CJK_FONT_PACKAGE).joinpath(CJK_FONT_FILE)
    except ModuleNotFoundError as exc:
        raise FileNotFoundError(
            f"the font package {CJK_FONT_PACKAGE!r} is not installed "
            "(pip install noto-cjk-sans-otc)"
        ) from exc
    path = Path(str(resource))
    if not path.is_file():
        raise FileNotFoundError(f"font file {CJK_FONT_FILE} not found in {CJK_FONT_PACKAGE}")
    return path


def cjk_font_family() -> str:
    """Register the bundled CJK font with matplotlib (once) and return its family name.

    After this call ``matplotlib.font_manager.findfont(FontProperties(family=name),
    fallback_to_default=False)`` finds the font on any machine.
    """
    from matplotlib import font_manager

    path = cjk_font_path()

    def families() -> set[str]:
        return {e.name for e in font_manager.fontManager.ttflist if Path(e.fname) == path}

    registered = families()
    if not registered:
        font_manager.fontManager.addfont(str(path))
        registered = families()
    if CJK_FONT_FAMILY not in registered:
        raise RuntimeError(
            f"{path} does not provide the family {CJK_FONT_FAMILY!r} "
            f"(found: {', '.join(sorted(registered)) or 'none'})"
        )
    return CJK_FONT_FAMILY


def style_rc() -> dict[str, Any]:
    """Return the matplotlib settings applied on top of the seaborn theme.

    The CJK family comes first in ``font.family`` and ``font.sans-serif``; DejaVu Sans
    (matplotlib's own font) follows as a fallback for symbols the CJK font lacks, such as
    superscript digits. The families are listed in ``font.family`` itself because
    matplotlib falls back glyph by glyph only across the families listed there: the
    generic ``sans-serif`` resolves to a single font.
    """
    return {
        "font.family": [cjk_font_family(), "DejaVu Sans"],
        "font.sans-serif": [cjk_font_family(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "figure.figsize": FIGSIZE,
        "figure.dpi": DPI,
        "savefig.dpi": SAVE_DPI,
        "savefig.format": "png",
        "savefig.bbox": "tight",
        "axes.titlelocation": "left",
        # Titles stand out by size, not weight: the bundled font has only the regular
        # weight, and asking for bold makes matplotlib log a findfont warning.
        "axes.titleweight": "normal",
        "axes.titlesize": "large",
        "figure.titleweight": "normal",
        "figure.titlesize": "large",
        # SVG copies of a chart (the briefs ask the kernel for them) keep their text as
        # text, and carry no random ids.
        "svg.fonttype": "none",
        "svg.hashsalt": "dangjian-analysis",
    }


def use_style() -> str:
    """Apply the project's figure style and return the CJK font family it uses.

    Sets seaborn's ``whitegrid`` theme in the ``notebook`` context with the colour-blind
    palette (:data:`THEME_RC`, :data:`COLORS`), then :func:`style_rc`. Changes
    matplotlib's global settings, like ``sns.set_theme``.
    """
    import matplotlib as mpl
    from cycler import cycler

    rc = style_rc()
    mpl.rcParams.update(THEME_RC)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(COLORS))
    mpl.rcParams.update(rc)
    return rc["font.sans-serif"][0]
