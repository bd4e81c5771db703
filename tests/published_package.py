"""Small packages with published estimates, made for the tests.

The publications and estimates below are invented: no author, title, address or number
is taken from a real publication.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import DATA, write_csv

PUBLICATION_COLUMNS = [
    "publication_id", "authors", "year", "title", "title_en", "outlet", "publication_type",
    "language", "url", "notes",
]
ESTIMATE_COLUMNS = [
    "estimate_id", "publication_id", "data_source", "sample", "n_firms_raw", "n_firms",
    "design", "treatment", "treatment_detail", "outcome", "outcome_family", "direction", "raw",
    "value", "unit", "se_raw", "se", "significance", "significance_level", "locator", "notes",
]

TEST_PUBLICATIONS = [
    {
        "publication_id": "pub-001",
        "authors": "测试甲;测试乙",
        "year": "2020",
        "title": "测试论文一",
        "title_en": "Test paper one",
        "outlet": "测试学报",
        "publication_type": "journal_article",
        "language": "zh",
        "url": "https://example.org/test/1",
    },
    {
        "publication_id": "pub-002",
        "authors": "Tester, A.",
        "year": "2021",
        "title": "Test paper two",
        "outlet": "Test Working Papers",
        "publication_type": "working_paper",
        "language": "en",
        "url": "https://example.org/test/2",
    },
    {
        "publication_id": "pub-003",
        "authors": "测试丙",
        "year": "2019",
        "title": "测试论文三",
        "title_en": "Test paper three",
        "outlet": "测试经济",
        "publication_type": "journal_article",
        "language": "zh",
        "url": "https://example.org/test/3",
        "notes": "secondary page: an abstract service",
    },
]

TEST_ESTIMATES = [
    {  # a percent difference with a stated level
        "estimate_id": "est-001", "publication_id": "pub-001", "data_source": "cpes",
        "sample": "TEST 2012", "n_firms_raw": "4000家", "n_firms": "4000", "design": "iv",
        "treatment": "party_org", "outcome": "测试经营率", "outcome_family": "output_sales",
        "direction": "+", "raw": "3.2%", "value": "3.2", "unit": "percent",
        "significance": "在5%水平上显著", "significance_level": "0.05", "locator": "测试经营率高",
    },
    {  # the same sample, another design, a coefficient with its standard error
        "estimate_id": "est-002", "publication_id": "pub-001", "data_source": "cpes",
        "sample": "TEST 2012", "n_firms_raw": "4000家", "n_firms": "4000", "design": "psm",
        "treatment": "party_org", "outcome": "测试销售额", "outcome_family": "output_sales",
        "direction": "+", "raw": "0.105", "value": "0.105", "unit": "log_coefficient",
        "se_raw": "(0.04)", "se": "0.04", "significance": "**", "significance_level": "0.05",
        "locator": "测试销售额对数",
    },
    {  # another publication on the same sample: a null on tax, direction only
        "estimate_id": "est-003", "publication_id": "pub-003", "data_source": "cpes",
        "sample": "TEST 2012", "n_firms_raw": "4000余家", "design": "cross_section",
        "treatment": "owner_member", "outcome": "测试税负", "outcome_family": "tax",
        "direction": "none", "unit": "none", "significance": "不显著",
        "locator": "测试税负无显著",
    },
    {  # a negative coefficient on tax avoidance, listed firms
        "estimate_id": "est-004", "publication_id": "pub-002", "data_source": "listed_firms",
        "sample": "TEST listed 2010-2018", "n_firms_raw": "12,345", "n_firms": "12345",
        "design": "did", "treatment": "charter_clause", "outcome": "test tax avoidance",
        "outcome_family": "tax", "direction": "-", "raw": "-0.021", "value": "-0.021",
        "unit": "coefficient", "se_raw": "0.007", "se": "0.007",
        "significance": "p < 0.01", "significance_level": "0.01",
        "locator": "test avoidance falls",
    },
    {  # an odds ratio below one
        "estimate_id": "est-005", "publication_id": "pub-002", "data_source": "listed_firms",
        "sample": "TEST listed 2010-2018", "design": "fixed_effects",
        "treatment": "charter_clause", "outcome": "test loss", "outcome_family": "performance",
        "direction": "-", "raw": "0.8", "value": "0.8", "unit": "odds_ratio",
        "se_raw": "0.09", "se": "0.09", "significance": "significant at 10%",
        "significance_level": "0.10",
        "locator": "test odds of a loss",
    },
    {  # a comparable percent on the same family from another sample, with an SE
        "estimate_id": "est-006", "publication_id": "pub-003", "data_source": "other_survey",
        "sample": "TEST survey 2016", "design": "psm", "treatment": "party_org",
        "outcome": "测试营业收入", "outcome_family": "output_sales", "direction": "+",
        "raw": "1.5%", "value": "1.5", "unit": "percent", "se_raw": "0.9%", "se": "0.9",
        "significance": "不显著", "locator": "测试营业收入",
    },
]


def published_resources() -> list[dict]:
    """The bundled descriptor's publications and estimates resources."""
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return [r for r in descriptor["resources"] if r["name"] in ("publications", "estimates")]


def write_published(
    folder: Path,
    publications: list[dict[str, str]] | None = None,
    estimates: list[dict[str, str]] | None = None,
) -> Path:
    """Write the test publications and estimates (or the rows given) into a package."""
    write_csv(folder / "publications.csv",
              TEST_PUBLICATIONS if publications is None else publications, PUBLICATION_COLUMNS)
    write_csv(folder / "estimates.csv",
              TEST_ESTIMATES if estimates is None else estimates, ESTIMATE_COLUMNS)
    return folder


def published_package(folder: Path, **rows) -> Path:
    """A copy of the bundled package holding the test publications and estimates."""
    shutil.copytree(DATA, folder)
    return write_published(folder, **rows)


def without_published(folder: Path) -> Path:
    """A copy of the bundled package without the optional tables, as a researcher's."""
    shutil.copytree(DATA, folder)
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"] = [
        r for r in descriptor["resources"] if r["name"] not in ("publications", "estimates")
    ]
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    for name in ("publications.csv", "estimates.csv"):
        (folder / name).unlink(missing_ok=True)
    return folder


def edited(rows: list[dict[str, str]], row_id: str, **cells: str) -> list[dict[str, str]]:
    """A copy of ``rows`` with some cells of one row changed."""
    out = [dict(r) for r in rows]
    for row in out:
        if row.get("estimate_id", row.get("publication_id")) == row_id:
            row.update(cells)
    return out

