"""The figure style: bundled CJK font, theme settings, and a check that Chinese renders."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from dangjian_analysis.report.style import (
    CJK_FONT_FAMILY,
    MARKER_SEQUENCE,
    cjk_font_family,
    cjk_font_path,
    style_rc,
    use_style,
)

CHINESE = "党组织覆盖率 桐城"
GLYPH_MISSING = r"Glyph .* missing"


@pytest.fixture(autouse=True)
def _restore_settings():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def draw_chinese() -> Figure:
    """Draw a small figure with Chinese in the title, tick labels and a text; fail on tofu."""
    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [-1, 1])
    ax.set_title(CHINESE)
    ax.set_xticks([0, 1], ["桐城", "永川"])
    ax.text(0.5, 0, "覆盖率 −5%")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING, category=UserWarning)
        fig.canvas.draw()
    return fig


def test_font_file_comes_from_the_installed_package():
    path = cjk_font_path()
    package_dir = Path(importlib.util.find_spec("noto_cjk_sans_otc").origin).parent
    assert path.parent == package_dir
    assert path.name == "NotoSansCJK-Regular.ttc"
    assert path.stat().st_size > 10_000_000


def test_family_is_findable_after_use_style():
    assert use_style() == CJK_FONT_FAMILY == cjk_font_family() == "Noto Sans CJK SC"
    found = findfont(FontProperties(family=cjk_font_family()), fallback_to_default=False)
    assert Path(found).name == "NotoSansCJK-Regular.ttc"


def test_findfont_without_fallback_raises_for_an_absent_family():
    # The check above can fail: an unknown family is an error, not a silent fallback.
    with pytest.raises(ValueError, match="Failed to find font"):
        findfont(FontProperties(family="No Such Font 12345"), fallback_to_default=False)


def test_registration_is_idempotent():
    from matplotlib import font_manager

    cjk_font_family()
    before = len(font_manager.fontManager.ttflist)
    cjk_font_family()
    use_style()
    assert len(font_manager.fontManager.ttflist) == before


def test_use_style_settings():
    sns.set_theme(font="serif")  # a previous theme must not leak through
    use_style()
    rc = matplotlib.rcParams
    assert rc["font.family"] == ["Noto Sans CJK SC", "DejaVu Sans"]
    assert rc["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert rc["axes.unicode_minus"] is False
    assert tuple(rc["figure.figsize"]) == (7.5, 4.8)
    assert rc["figure.dpi"] == 100
    assert rc["savefig.dpi"] == 150
    assert rc["savefig.format"] == "png"
    colours = [to_hex(c["color"]) for c in rc["axes.prop_cycle"]]
    assert colours[:3] == ["#0173b2", "#de8f05", "#029e73"]  # seaborn colorblind


def test_no_setting_asks_for_a_bold_weight():
    """The bundled font has only the regular weight: a bold title makes matplotlib log
    "findfont: Failed to find font weight bold", which lands in the notebooks' stderr."""
    use_style()
    weights = {k: v for k, v in matplotlib.rcParams.items() if k.endswith("weight")}
    assert weights and all(v in ("normal", 400) for v in weights.values()), weights
    assert style_rc()["axes.titleweight"] == "normal"


def test_chinese_renders_with_the_style():
    use_style()
    draw_chinese()


def test_missing_glyph_check_bites_with_a_latin_only_font():
    use_style()
    matplotlib.rcParams["font.family"] = ["DejaVu Sans"]
    with pytest.raises(UserWarning, match=GLYPH_MISSING):
        draw_chinese()


def test_marker_sequence_has_distinct_shapes():
    assert MARKER_SEQUENCE[:4] == ("o", "s", "D", "^")
    assert len(set(MARKER_SEQUENCE)) == len(MARKER_SEQUENCE)


SCRIPT = textwrap.dedent(
    """
    import warnings
    from pathlib import Path
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from dangjian_analysis.report.style import cjk_font_path, use_style

    # A machine without system CJK fonts: forget every CJK face matplotlib found.
    font_manager.fontManager.ttflist = [
        f for f in font_manager.fontManager.ttflist if "CJK" not in f.name
    ]

    def draw():
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.add_subplot().set_title("党组织覆盖率 桐城")
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=r"Glyph .* missing", category=UserWarning)
            fig.canvas.draw()

    try:
        draw()
    except UserWarning:
        print("tofu without the style")
    use_style()
    draw()
    found = font_manager.findfont(
        font_manager.FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False
    )
    print(Path(found) == cjk_font_path())
    """
)


def test_bundled_font_alone_suffices(tmp_path):
    env = {"MPLCONFIGDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split("\n")[:2] == ["tofu without the style", "True"]


def test_style_and_plots_modules_import_lightly():
    code = (
        "import sys, dangjian_analysis.report.style, dangjian_analysis.report.plots;"
        "print(','.join(m for m in ('matplotlib', 'seaborn', 'pandas', 'numpy')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == ""


def test_symbols_missing_from_the_cjk_font_fall_back_without_warning():
    """Superscript digits (used to number plot notes) are not in Noto Sans CJK: the
    fallback to DejaVu Sans must find them, glyph by glyph."""
    import warnings

    import matplotlib.pyplot as plt

    use_style()
    fig, ax = plt.subplots()
    ax.set_title("覆盖率 ⁴⁵⁶⁷⁸⁹ ¹²³")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        fig.canvas.draw()
    plt.close(fig)


def test_theme_is_seaborns_whitegrid_without_importing_seaborn():
    from dangjian_analysis.report.style import COLORS, THEME_RC

    expected = {**sns.axes_style("whitegrid"), **sns.plotting_context("notebook")}
    for key in ("font.family", "font.sans-serif", "image.cmap"):  # fonts are ours; no cmaps
        expected.pop(key)
    assert THEME_RC == expected
    assert list(COLORS) == sns.color_palette("colorblind").as_hex()
    code = (
        "import sys; from dangjian_analysis.report.style import use_style; use_style();"
        "print('seaborn' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"]
