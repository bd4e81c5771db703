from __future__ import annotations

import subprocess
import sys

import pytest

import dangjian_analysis


def test_import_does_not_load_heavy_libraries():
    code = (
        "import sys, dangjian_analysis;"
        "heavy = [m for m in ('pandas', 'numpy', 'matplotlib', 'seaborn', 'statsmodels', 'scipy',"
        " 'opencc') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == ""


def test_public_api_resolves():
    for name in dangjian_analysis.__all__:
        assert getattr(dangjian_analysis, name) is not None


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dangjian_analysis.nope  # noqa: B018
