from __future__ import annotations

import csv

import pytest

from dangjian_analysis.curate.indicator_rules import RULE_COLUMNS, load_rules
from dangjian_analysis.package.errors import DataValidationError

from conftest import DATA, ROOT


def test_every_rule_names_an_indicator_of_its_unit_kind():
    with (DATA / "indicators.csv").open(encoding="utf-8", newline="") as fh:
        kinds = {row["indicator"]: row["unit_kind"] for row in csv.DictReader(fh)}
    rules = load_rules().rules
    assert len(rules) > 50
    for rule in rules:
        assert rule.indicator in kinds, rule
        assert rule.unit_kind == kinds[rule.indicator], rule
        assert rule.note, rule


def test_the_table_is_the_one_in_the_package():
    path = ROOT / "dangjian_analysis" / "curate" / "extract_rules.csv"
    assert load_rules(path) == load_rules()
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == RULE_COLUMNS


def test_malformed_rules_name_row_and_column(tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text(
        "keyword,unit_kind,indicator,priority,note\n"
        "党员,persons,party_members,10,ok\n"
        "企业,counts,enterprises,10,bad kind\n"
        "党组织,count,party_orgs,high,bad priority\n"
        "产值+,yuan,output_value,10,empty part\n"
        "党员,persons,party_members_new,20,twice\n"
        "too,few\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as info:
        load_rules(path)
    message = str(info.value)
    assert f"{path}, row 2 (line 3, keyword=企业), column 'unit_kind'" in message
    assert "row 3 (line 4, keyword=党组织), column 'priority': expected an integer" in message
    assert "row 4 (line 5, keyword=产值+), column 'keyword'" in message
    assert "row 5 (line 6, keyword=党员), column 'keyword': expected one rule per" in message
    assert "row 6 (line 7): expected 5 cells, found 2 cells" in message


def test_wrong_header(tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text("keyword,indicator\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"row 0 .*expected columns"):
        load_rules(path)
