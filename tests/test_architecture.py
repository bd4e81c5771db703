"""The package's structure: layers, one list of public names, no private reach-ins."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dangjian_analysis

from conftest import ROOT

PACKAGE = ROOT / "dangjian_analysis"
STUB = PACKAGE / "__init__.pyi"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _stub_exports() -> dict[str, str]:
    """Names imported in the stub, read with the parser (independently of __init__.py)."""
    exports: dict[str, str] = {}
    for node in ast.parse(STUB.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1, ast.unparse(node)
            for alias in node.names:
                assert alias.asname is None, ast.unparse(node)
                exports[alias.name] = f"dangjian_analysis.{node.module}"
        else:
            assert isinstance(node, ast.AnnAssign), f"unexpected statement: {ast.unparse(node)}"
    return exports


def test_the_stub_is_the_one_list_of_public_names():
    assert dangjian_analysis._EXPORTS == _stub_exports()
    assert set(dangjian_analysis.__all__) == {"__version__", *_stub_exports()}


def test_every_public_name_lives_in_the_module_the_stub_names():
    for name, module in _stub_exports().items():
        obj = getattr(dangjian_analysis, name)
        home = getattr(obj, "__module__", None)
        if home is not None and home.startswith("dangjian_analysis"):
            assert home == module, f"{name} is defined in {home}, the stub says {module}"


def test_no_module_imports_private_names_of_another():
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "dangjian_analysis"
            ):
                offenders += [
                    f"{path.relative_to(ROOT)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert offenders == []


def test_no_module_imports_the_package_root():
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "dangjian_analysis":
                offenders.append(str(path.relative_to(ROOT)))
            if isinstance(node, ast.Import) and any(
                a.name == "dangjian_analysis" for a in node.names
            ):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _notebook_imports(path: Path) -> list[str]:
    modules = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        source = "\n".join(
            line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom):
                modules.append(node.module or "")
            elif isinstance(node, ast.Import):
                modules += [a.name for a in node.names]
    return modules


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=str)
def test_notebooks_use_only_the_public_api(notebook):
    ours = [m for m in _notebook_imports(notebook) if m.startswith("dangjian_analysis")]
    assert ours, "the notebook does not use the package"
    assert set(ours) == {"dangjian_analysis"}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        for name in re.findall(r"\bdj\.(\w+)", source):
            assert name in dangjian_analysis.__all__, f"dj.{name} is not exported"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_the_layer_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_a_wrong_way_import_breaks_the_contracts(tmp_path):
    copy = tmp_path / "dangjian_analysis"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    module = copy / "analysis" / "derived.py"
    module.write_text(
        module.read_text(encoding="utf-8")
        + "\n\nfrom dangjian_analysis.report.present import show_derived  # noqa\n",
        encoding="utf-8",
    )
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "dangjian_analysis.analysis.derived -> dangjian_analysis.report.present" in (
        result.stdout
    )


def documentation() -> dict[str, str]:
    """The README and every page of docs/, by path."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in pages}


def test_every_public_name_is_documented_in_the_readme_or_docs():
    text = "\n".join(documentation().values())
    undocumented = [
        name for name in dangjian_analysis.__all__ if not re.search(rf"`{name}\b", text)
    ]
    assert undocumented == []


def test_the_documentation_check_reads_the_docs_pages():
    pages = documentation()
    assert "README.md" in pages and "docs/api.md" in pages
    # A name documented only on a docs page counts.
    assert re.search(r"`load_figures\b", pages["docs/api.md"])
