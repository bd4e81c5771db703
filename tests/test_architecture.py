"""The package's structure: layers, one list of public names, no private reach-ins."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Container
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
    assert set(dangjian_analysis.__all__) == {"__version__", *_stub_exports()}
    assert sorted(dir(dangjian_analysis)) == sorted(dangjian_analysis.__all__)
    # __init__.py reads the stub (lazy_loader.attach_stub) and names no public name itself.
    init = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    assert "attach_stub(__name__, __file__)" in init
    named = {
        node.value for node in ast.walk(ast.parse(init))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert not named & set(_stub_exports())


def test_public_names_load_on_first_use_from_their_module():
    code = (
        "import sys, dangjian_analysis as dj;"
        "before = sorted(m for m in sys.modules if m.startswith('dangjian_analysis.'));"
        "dj.parse_quantity;"
        "after = sorted(m for m in sys.modules if m.startswith('dangjian_analysis.'));"
        "print(before); print('dangjian_analysis.text.quantity' in after)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    before, loaded = out.stdout.splitlines()
    assert "dangjian_analysis.text.quantity" not in before
    assert "dangjian_analysis.analysis" not in before
    assert loaded == "True"


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


#: Codes the curation rules themselves name (data/CURATION.md), which the validator checks.
RULE_CODES = {"single_enterprise": "the scope of a figure about one named firm"}


def _bundled_codes() -> dict[str, str]:
    """The indicator, region and scope codes of the bundled data, each with its file.

    A code that is also a value the schema itself lists (an ``enum`` constraint in
    ``datapackage.json``, such as the indicator topic ``enterprises``, or a column of the
    firm-panel schema) is vocabulary of the schema, which the code may name; so are the
    codes of the curation rules (RULE_CODES).
    """
    import csv

    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    schema_words = {
        value
        for resource in descriptor["resources"]
        for field in resource.get("schema", {}).get("fields", [])
        for value in field.get("constraints", {}).get("enum", [])
    }
    # The firm-panel schema's column names (value_added, ...) are its vocabulary too.
    panel = json.loads(
        (PACKAGE / "package" / "firm_panel.schema.json").read_text(encoding="utf-8")
    )
    schema_words |= {field["name"] for field in panel["fields"]}
    codes = {}
    for file, column in (
        ("indicators.csv", "indicator"), ("regions.csv", "region_id"), ("scopes.csv", "scope")
    ):
        with (ROOT / "data" / file).open(encoding="utf-8", newline="") as fh:
            codes.update({row[column]: file for row in csv.DictReader(fh)})
    return {
        code: file for code, file in codes.items()
        if code not in schema_words and code not in RULE_CODES
    }


def _string_constants(source: str) -> list[tuple[int, str]]:
    """Every string literal of the source (f-string parts too), with its line.

    Codes are matched as whole literals, never inside words or sentences, so a short code
    (``gdp``, ``enterprises``) in prose or in a longer name is not a hit.
    """
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _code_cells(notebook: Path) -> list[tuple[int, str]]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        # IPython's %magics are not Python.
        (i, "\n".join(line for line in "".join(c["source"]).splitlines()
                      if not line.lstrip().startswith(("%", "!"))))
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
    ]


def _literals_in_code_and_notebooks(
    values: Container[str], module_note: Callable[[str], str] = lambda value: ""
) -> list[str]:
    """Every string literal in ``values`` in the package's modules (``file:line``, with
    ``module_note(value)`` after it) and in the notebooks' code cells (``name cell N:line``).
    """
    found = []
    for path in _modules():
        for line, value in _string_constants(path.read_text(encoding="utf-8")):
            if value in values:
                found.append(f"{path.relative_to(ROOT)}:{line}: {value!r}{module_note(value)}")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell, source in _code_cells(notebook):
            for line, value in _string_constants(source):
                if value in values:
                    found.append(f"{notebook.name} cell {cell}:{line}: {value!r}")
    return found


def test_no_indicator_region_or_scope_code_of_the_bundled_data_in_code_or_notebooks():
    codes = _bundled_codes()
    assert {"enterprises_with_party_org", "tongcheng", "park_enterprises"} <= set(codes)
    found = _literals_in_code_and_notebooks(codes, lambda value: f" ({codes[value]})")
    assert found == [], "codes of the bundled data belong in analysis.json:\n" + "\n".join(found)


def test_no_figure_id_of_the_bundled_data_in_code_or_notebooks():
    """A notebook or module never looks a figure up by its id: the analysis settings name
    the cases to show (``examples`` of analysis.json), so a researcher's own package runs."""
    import csv

    with (ROOT / "data" / "figures.csv").open(encoding="utf-8", newline="") as fh:
        ids = {row["figure_id"] for row in csv.DictReader(fh)}
    assert "tc-008" in ids
    found = _literals_in_code_and_notebooks(ids)
    assert found == [], "figure ids of the bundled data in code:\n" + "\n".join(found)


def test_the_code_check_finds_a_code_typed_in_a_cell():
    codes = _bundled_codes()
    source = 'CLAIMED = {"tongcheng": 1.0}\nlabel = f"{n} tongcheng firms"\n'
    assert [v for _, v in _string_constants(source) if v in codes] == ["tongcheng"]


def test_the_analysis_never_looks_up_settings_from_a_table():
    """Settings travel as ``settings=``: no module reads a table's ``data_dir`` attribute."""
    found = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if re.search(r"attrs(\.get\(|\[)\s*[\"']data_dir", path.read_text(encoding="utf-8"))
    ]
    assert found == []
