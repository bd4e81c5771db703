"""Extraction of candidate figures; every text here is written for the tests."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dangjian_analysis import (
    ArticleError,
    diff_candidates,
    extract_candidates,
    find_periods,
    read_article,
)
from dangjian_analysis.curate.extract import (
    CANDIDATE_COLUMNS,
    candidates_csv,
    check_ids,
    match_curated,
    source_for_article,
)
from dangjian_analysis.curate.indicator_rules import IndicatorRule, IndicatorRules

from conftest import DATA, MINI_ARTICLE


def only(text: str):
    """The single candidate extracted from ``text``."""
    found = extract_candidates(text)
    assert len(found) == 1, [c.raw for c in found]
    return found[0]


# ---- number forms and qualifiers ----------------------------------------------------------

FORMS = [
    # text, raw, value, lower, upper, qualifier, unit_kind
    ("园区企业12.7万余家", "12.7万余家", 127000, 127000, None, "more than", "count"),
    ("全镇共有企业927家", "927家", 927, 927, 927, "exact", "count"),
    ("覆盖率达到72.52%", "72.52%", 0.7252, 0.7252, 0.7252, "exact", "ratio"),
    ("全年产值10.2万亿元", "10.2万亿元", 10.2e12, 10.2e12, 10.2e12, "exact", "yuan"),
    ("上交税收1.69亿元", "1.69亿元", 1.69e8, 1.69e8, 1.69e8, "exact", "yuan"),
    ("投资3000多万元建厂", "3000多万元", 3e7, 3e7, None, "more than", "yuan"),
    ("联系党员26万名", "26万名", 260000, 260000, 260000, "exact", "persons"),
    ("联系党员26万,其中", "26万", 260000, 260000, 260000, "exact", None),
    ("共一千二百名党员", "一千二百名", 1200, 1200, 1200, "exact", "persons"),
    ("两万余人参加", "两万余人", 20000, 20000, None, "more than", "persons"),
    ("三分之一的企业", "三分之一", 1 / 3, 1 / 3, 1 / 3, "exact", "ratio"),
    ("百分之六十的企业", "百分之六十", 0.6, 0.6, 0.6, "exact", "ratio"),
    ("比上年提高3个百分点", "3个百分点", 0.03, 0.03, 0.03, "exact", "percentage_points"),
    ("全区职工１２，５００名", "１２，５００名", 12500, 12500, 12500, "exact", "persons"),
    ("全区职工1,200名", "1,200名", 1200, 1200, 1200, "exact", "persons"),
    ("参训人员43475人次", "43475人次", 43475, 43475, 43475, "exact", "person_times"),
    ("入驻约50家企业", "约50家", 50, 47.5, 52.5, "about", "count"),
    ("入驻企业50家左右", "50家左右", 50, 47.5, 52.5, "about", "count"),
    ("推出岗位近1000个", "近1000个", 1000, None, 1000, "nearly", "count"),
    ("税收占比60%以上", "60%以上", 0.6, 0.6, None, "at least", "ratio"),
    ("覆盖超过2000名党员", "超过2000名", 2000, 2000, None, "more than", "persons"),
    ("贷款突破300亿元", "突破300亿元", 3e10, 3e10, None, "more than", "yuan"),
    ("销售过亿元", "过亿元", 1e8, 1e8, None, "more than", "yuan"),
    ("入驻逾百家", "逾百家", 100, 100, None, "more than", "count"),
    ("打造百个示范点", "百个", 100, 100, 100, "exact", "count"),
    ("培训10余人", "10余人", 10, 10, None, "more than", "persons"),
    # Traditional characters and units
    ("共有1200餘個組織", "1200餘個", 1200, 1200, None, "more than", "count"),
    ("黨員兩萬餘人", "兩萬餘人", 20000, 20000, None, "more than", "persons"),
    ("入駐大約50家", "大約50家", 50, 47.5, 52.5, "about", "count"),
    ("提高3個百分點", "3個百分點", 0.03, 0.03, 0.03, "exact", "percentage_points"),
    ("開展192場次", "192場次", 192, 192, 192, "exact", "count"),
    ("走訪企業9317家次", "9317家次", 9317, 9317, 9317, "exact", "count"),
    ("選聘講師23 名", "23 名", 23, 23, 23, "exact", "persons"),
    ("投資1.5億元", "1.5億元", 1.5e8, 1.5e8, 1.5e8, "exact", "yuan"),
]


@pytest.mark.parametrize(("text", "raw", "value", "lower", "upper", "qualifier", "kind"), FORMS)
def test_number_forms(text, raw, value, lower, upper, qualifier, kind):
    c = only(text)
    assert c.raw == raw
    assert c.value == pytest.approx(value, rel=1e-12)
    assert c.lower == (None if lower is None else pytest.approx(lower, rel=1e-12))
    assert c.upper == (None if upper is None else pytest.approx(upper, rel=1e-12))
    assert (c.qualifier, c.unit_kind, c.notes) == (qualifier, kind, "")
    assert text[c.offset : c.offset + len(raw)] == raw


def test_qualifier_words_glued_to_other_words_are_not_qualifiers():
    assert only("通过3个平台").raw == "3个"  # 通过, not 过 'more than'
    c = only("节约500万元")  # 节约, not 约 'about'
    assert (c.raw, c.qualifier, c.upper) == ("500万元", "exact", 5e6)
    assert only("附近3家企业").raw == "3家"


@pytest.mark.parametrize(
    "text",
    [
        "热线12371",  # a bare number
        "工作3年",  # a duration in years
        "第3个平台",  # an ordinal
        "数十家企业",
        "几十个支部",  # vague counts
        "建立一个支部",  # 一 as an article
        "历时3个月",
        "两个多小时",  # durations
        "面积3万平方米",  # a unit the parser does not read
        "走进千家万户",  # a set phrase
    ],
)
def test_not_figures(text):
    assert extract_candidates(text) == []


def test_a_range_is_reported_without_a_value():
    c = only("带动周边5、6个村")
    assert c.raw == "5、6个"
    assert (c.value, c.lower, c.upper, c.qualifier) == (None, None, None, "")
    assert "range" in c.notes
    assert only("共3至5家").raw == "3至5家"


def test_a_raw_the_parser_reads_only_once_normalized_says_so():
    c = only("比例50﹪")  # a small-form percent sign, folded by NFKC only
    assert (c.raw, c.value, c.unit_kind) == ("50﹪", 0.5, "ratio")
    assert c.notes.startswith("raw as printed is not read by parse_quantity")


def test_a_list_of_figures_is_not_a_range():
    assert [c.raw for c in extract_candidates("市级12个、区级57个")] == ["12个", "57个"]


# ---- script, annotations, offsets, locators ----------------------------------------------


def test_traditional_text_keeps_its_script_in_raw_and_locator():
    text = "全市兩新黨組織1200餘個,黨員12000多名。"
    first, second = extract_candidates(text)
    assert (first.raw, first.locator) == ("1200餘個", "全市兩新黨組織")
    assert (second.raw, second.locator) == ("12000多名", "黨員")
    assert first.indicator == "party_orgs"  # rules are written in Simplified
    assert second.indicator == "party_members"


def test_pinyin_annotations_are_left_out_and_offsets_point_into_the_original():
    text = "非公企業(yè)黨(dǎng)員１２０８名,企業(yè)共52家"
    first, second = extract_candidates(text)
    assert (first.raw, first.locator) == ("１２０８名", "非公企業黨員")
    assert first.value == 1208
    assert text[first.offset : first.offset + 5] == "１２０８名"
    assert second.locator == "企業共"
    assert text[second.offset : second.offset + 3] == "52家"


def test_a_line_break_inside_a_figure_is_layout():
    c = only("测试产值115亿\n元")
    assert c.raw == "115亿元"
    assert c.value == 1.15e10
    assert c.offset == 4


def test_locator_falls_back_to_the_words_after_and_drops_quotes():
    assert only("“示范”12个").locator == "示范"
    c = only("共有 ,12个示范园区。")
    assert c.locator == "示范园区"


def test_locator_stops_at_the_previous_figure_and_at_dates():
    _, second = extract_candidates("企业52家党组织30个")
    assert second.locator == "党组织"
    assert only("较2010年增幅为21.8%").locator == "增幅为"


# ---- dates and periods --------------------------------------------------------------------


def test_dates_are_periods_not_figures():
    text = "2003年,甲地10月26日召开;截至2014年底,党员300名。二〇一五年企业5家"
    periods = find_periods(text)
    assert [(p.text, p.year) for p in periods] == [
        ("2003年", 2003),
        ("10月26日", None),
        ("2014年底", 2014),
        ("二〇一五年", 2015),
    ]
    assert [p.offset for p in periods] == [text.find(p.text) for p in periods]
    found = extract_candidates(text)
    assert [c.raw for c in found] == ["300名", "5家"]
    assert [c.period_suggestion for c in found] == ["2014年底", "二〇一五年"]


def test_period_suggestion_stays_in_the_paragraph():
    found = extract_candidates("2012年企业10家。\n党员20名")
    assert [c.period_suggestion for c in found] == ["2012年", ""]


# ---- indicator suggestions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("全区党组织覆盖率达到80%", "party_org_coverage_rate"),
        ("党组织组建率90%", "party_org_formation_rate"),
        ("已建立党组织30个", "party_orgs"),
        ("新建党组织30个", "party_orgs_new"),
        ("共有党员500名", "party_members"),
        ("发展新党员20名", "party_members_new"),
        ("选派党建指导员20名", "instructors"),
        ("实现产值30亿元", "output_value"),
        ("实现增加值5亿元", "value_added"),
        ("上交税收1亿元", "tax_revenue"),
        ("实现销售收入8亿元", "sales_revenue"),
        ("园区企业300家", "enterprises"),
        ("产值比上年增长15%", "output_growth_rate"),
        ("已在3个园区建立党支部", "development_parks"),  # the word after names what is counted
        ("共有19个企业党组织", "party_orgs"),  # 企业党组织: one noun, the higher priority wins
        ("打造20个示范党组织", "demonstration_sites"),
        ("共有党员20名", "party_members"),
        ("全市12000多名两新党员", "party_members"),  # 两新党员 is not 新党员
        ("共收集意见300条", ""),  # no rule fits
        ("党员占60%", ""),  # 党员 is a rule for persons, not for a percentage
        ("产值和税收分别增长10%", ""),  # output or tax growth: the rules disagree
    ],
)
def test_indicator_suggestions(text, indicator):
    c = only(text)
    assert c.indicator == indicator
    assert bool(c.indicator_keyword) == bool(indicator)


def test_custom_rules_and_ties():
    rules = IndicatorRules(
        (
            IndicatorRule("企业", "count", "enterprises", 10, ""),
            IndicatorRule("园区", "count", "development_parks", 10, ""),
        )
    )
    assert extract_candidates("园区企业5家", rules=rules)[0].indicator == "enterprises"
    # Same place, distance and priority, different indicators: no suggestion.
    assert rules.suggest("", "", "count") == ("", "")
    assert rules.suggest("企业与园区", "", "count") == ("development_parks", "园区")
    assert rules.suggest("园区", "企业", "count") == ("enterprises", "企业")
    assert rules.suggest("企业", "", "yuan") == ("", "")


# ---- comparing with a package -----------------------------------------------------------


def test_diff_marks_curated_and_new(mini_package):
    text = MINI_ARTICLE + "另有测试网点36个。"
    found = diff_candidates(
        extract_candidates(text), text, source_id="src_tongcheng", data=mini_package
    )
    by_raw = {c.raw: (c.status, c.curated_as) for c in found}
    assert by_raw == {
        "500家": ("curated", "tc-001"),
        "７２．５２％": ("curated", "tc-002"),
        "12.7万余名": ("curated", "tc-003"),
        "115亿元": ("curated", "tc-004"),
        "近1000名": ("curated", "tc-005"),
        "36个": ("new", ""),
    }
    # tc-002's curated locator is 测试覆盖率, the candidate's own locator differs.
    assert next(c for c in found if c.curated_as == "tc-002").locator == "测试覆盖率达到"


def test_diff_locator_must_be_near_and_each_figure_counts_once(mini_package):
    filler = "其他内容" * 15
    text = f"测试企业共有500家,又有500家。{filler}别处也有500家。"
    found = diff_candidates(
        extract_candidates(text), text, source_id="src_tongcheng", data=mini_package
    )
    assert [(c.raw, c.status) for c in found] == [
        ("500家", "curated"),  # tc-001's locator 测试企业 is next to it
        ("500家", "new"),  # also near the locator, but tc-001 is already accounted for
        ("500家", "new"),  # too far from the locator
    ]


def test_diff_with_another_source_marks_everything_new(mini_package):
    found = diff_candidates(
        extract_candidates(MINI_ARTICLE), MINI_ARTICLE, source_id="src_pinghu", data=mini_package
    )
    assert {c.status for c in found} == {"new"}


def test_match_curated_pairs_as_many_figures_as_possible():
    text = "甲企业52家,乙企业52家"
    candidates = extract_candidates(text)
    figures = [
        {"raw": "52家", "locator": "企业"},  # near both
        {"raw": "52家", "locator": "甲企业"},  # near both too, in this short text
        {"raw": "52家", "locator": "丙企业"},  # nowhere
    ]
    assert match_curated(candidates, text, figures) == {0: 1, 1: 0}
    assert match_curated(candidates, text, figures, window=0) == {0: 1, 1: 0}


def test_source_for_article_and_ids(mini_package):
    assert source_for_article("corpus/000_b459b82bb832b53d.txt", mini_package) == "src_tongcheng"
    with pytest.raises(ValueError, match=r"no source .* has corpus_file 'new.txt'"):
        source_for_article("new.txt", mini_package)
    check_ids("src_new_report", "new_county")
    with pytest.raises(ValueError, match=r"source_id 'report' does not match \^src_"):
        check_ids("report", None)
    with pytest.raises(ValueError, match="region_id 'New County' does not match"):
        check_ids(None, "New County")


# ---- CSV ----------------------------------------------------------------------------------


def test_csv_has_the_figures_columns_then_the_extras():
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    figures = next(r for r in descriptor["resources"] if r["name"] == "figures")
    names = [f["name"] for f in figures["schema"]["fields"]]
    assert list(CANDIDATE_COLUMNS[: len(names)]) == names
    assert CANDIDATE_COLUMNS[len(names) :] == (
        "unit_kind",
        "offset",
        "period_suggestion",
        "indicator_keyword",
    )
    text = "2020年园区党员12.7万余名,覆盖率72.52%"
    rows = list(
        csv.DictReader(
            io.StringIO(candidates_csv(extract_candidates(text, source_id="src_x", region_id="y")))
        )
    )
    assert [(r["raw"], r["value"], r["lower"], r["upper"]) for r in rows] == [
        ("12.7万余名", "127000", "127000", ""),
        ("72.52%", "0.7252", "0.7252", "0.7252"),
    ]
    first = rows[0]
    assert (first["source_id"], first["region_id"], first["indicator"]) == (
        "src_x",
        "y",
        "party_members",
    )
    assert (first["offset"], first["period_suggestion"], first["unit_kind"]) == (
        "9",
        "2020年",
        "persons",
    )
    for column in ("figure_id", "scope", "period_kind", "period_earliest", "period_latest"):
        assert first[column] == ""  # the curator's call
    assert "match" not in first


def test_csv_with_status_columns(mini_package):
    found = diff_candidates(
        extract_candidates(MINI_ARTICLE), MINI_ARTICLE, source_id="src_tongcheng", data=mini_package
    )
    header = candidates_csv(found, status=True).splitlines()[0].split(",")
    assert header[-2:] == ["match", "curated_as"]


# ---- reading articles ---------------------------------------------------------------------

ARTICLE_SIMPLIFIED = "测试县党组织覆盖率达到80%,共有党员500名。"
ARTICLE_TRADITIONAL = "測試縣黨組織覆蓋率達到80%,共有黨員500名。"


@pytest.mark.parametrize(
    ("text", "codec", "encoding"),
    [
        (ARTICLE_SIMPLIFIED, "utf-8", "UTF-8"),
        (ARTICLE_SIMPLIFIED, "utf-8-sig", "UTF-8"),
        (ARTICLE_SIMPLIFIED, "gb18030", "GB18030"),
        (ARTICLE_TRADITIONAL, "gb18030", "GB18030"),
        (ARTICLE_TRADITIONAL.replace(",", "，"), "big5", "Big5"),
    ],
)
def test_read_article_encodings(tmp_path, text, codec, encoding):
    path = tmp_path / "article.txt"
    path.write_bytes(text.encode(codec))
    assert read_article(path) == (text, encoding)


def test_big5_article_gives_the_same_figures_as_utf8(tmp_path):
    text = "測試縣兩新黨組織1200餘個，黨員12000多名。"
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    read, encoding = read_article(path)
    assert encoding == "Big5"
    assert [c.raw for c in extract_candidates(read)] == ["1200餘個", "12000多名"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"  \n\t\n", "is empty"),
        ("\ufeff\n".encode(), "is empty"),
        ("　\n".encode(), "is empty"),  # an ideographic space only
        (b"PK\x03\x04\x00\x00binary", "looks binary: NUL byte at offset 4"),
        (ARTICLE_SIMPLIFIED.encode("utf-16"), "is UTF-16"),
        (b"\xff\xfe\xff\xff", "is UTF-16"),
        (b"\x81\xff\xff", "is not text in UTF-8, GB18030 or Big5"),
        ("党员500名\x1b[0m".encode(), r"control character U\+001B at character 6"),
    ],
)
def test_read_article_rejects_bad_input(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleError, match=message) as info:
        read_article(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_read_article_missing_or_folder(tmp_path):
    with pytest.raises(ArticleError, match="does not exist"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(ArticleError, match="is a folder, not a file"):
        read_article(tmp_path)
