"""The sources of a Chinese brief: caveats kept, Chinese not glued to English, titles honest."""

from __future__ import annotations

import csv
import html
import re

import pytest

from dangjian_analysis.briefs.pages import LABELS, no_address_words, source_entries
from dangjian_analysis.briefs.render import fragments
from dangjian_analysis.briefs.sources import CitedSource
from dangjian_analysis.briefs.zh_sources import chinese_source_words

from conftest import ROOT

#: Provenance caveats of the English source lines, and the Chinese words that say each.
#: A caveat is kept when its Chinese words are there, or its English word is kept.
CAVEATS: dict[str, str] = {
    r"mirror": r"镜像",
    r"\bcop(?:y|ying|ied)\b": r"转抄|复制|转载",
    r"repost|reprint": r"转载",
    r"not named": r"未注明",
    r"unofficial|not official": r"非官方",
    r"\bnot an?\b": r"非",
    r"third-party": r"第三方",
    r"aggregator": r"聚合",
    r"summari[sz]": r"摘编",
    r"gambling": r"博彩",
    r"\bforum\b": r"论坛",
    r"\bfrom\b": r"转自",
    r"citing|quoting": r"援引",
}

HAN = r"[\u3400-\u9fff]"
GLUED = re.compile(rf"{HAN}[A-Za-z]|[A-Za-z]{HAN}")


def bundled_sources() -> list[dict[str, str]]:
    with (ROOT / "data" / "sources.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


SOURCES = bundled_sources()
FIELDS = [
    (row["source_id"], field, row[field])
    for row in SOURCES
    for field in ("outlet", "authors")
    if row[field]
]


def caveats_in(english: str) -> list[str]:
    return [pattern for pattern in CAVEATS if re.search(pattern, english, re.I)]


def test_the_bundled_sources_carry_caveats_to_check() -> None:
    with_caveats = {source_id for source_id, _, text in FIELDS if caveats_in(text)}
    assert len(SOURCES) == 85
    assert len(with_caveats) >= 40
    assert {"src_cn_2009_stats_2008", "src_hb_hbmif_2012", "src_hb_2013_report_mirror"} <= (
        with_caveats
    )


@pytest.mark.parametrize(("source_id", "field", "english"), FIELDS)
def test_no_caveat_is_lost(source_id: str, field: str, english: str) -> None:
    chinese = chinese_source_words(english)
    for pattern in caveats_in(english):
        english_kept = re.search(pattern, chinese, re.I)
        assert english_kept or re.search(CAVEATS[pattern], chinese), (
            f"{source_id} {field}: {pattern!r} of {english!r} is lost in {chinese!r}"
        )


@pytest.mark.parametrize(("source_id", "field", "english"), FIELDS)
def test_no_latin_letter_is_glued_to_chinese(source_id: str, field: str, english: str) -> None:
    chinese = chinese_source_words(english)
    assert not GLUED.search(chinese), f"{source_id} {field}: {chinese!r}"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "m.lurdlur.com (mirror of a news item; outlet not named in the text)",
            "m.lurdlur.com（一则新闻的镜像页面；原文未注明来源媒体）",
        ),
        (
            "hbmif.org (an industry association website, section 行业新闻; not a statistics "
            "bureau)",
            "hbmif.org（行业协会网站，“行业新闻”栏目；非统计部门）",
        ),
        (
            "新华社 (Xinhua); third-party mirror of a 中国政府网 (gov.cn) page",
            "新华社；中国政府网（gov.cn）页面的第三方镜像页面",
        ),
        (
            "中央政府门户网站 (www.gov.cn), 来源:重庆日报, citing the city SME bureau "
            "(市中小企业局)",
            "中央政府门户网站（www.gov.cn），来源:重庆日报，援引市中小企业局",
        ),
        (
            "716232.com, a gambling-branded site copying 湖北人大网 (hppc.gov.cn); "
            "'来源:湖北人大网'",
            "716232.com，一家博彩类网站，转抄自湖北人大网（hppc.gov.cn）；“来源:湖北人大网”",
        ),
        (
            "Chinascope, summarizing the website of the United Front Work Department",
            "Chinascope，摘编中央统战部网站",
        ),
        ("《党建文汇》(上) 2016年第9期, reprinted on fx361.com",
         "《党建文汇》（上） 2016年第9期，转载于 fx361.com"),
        (
            "wotuzz.cn (copy of a 山西新闻网 / 山西日报 report)",
            "wotuzz.cn（转抄山西新闻网 / 山西日报的报道）",
        ),
        (
            "Chinascope, summarizing Xinhua (30 June 2018)",
            "Chinascope，摘编新华社（2018年6月30日）",
        ),
        # A pure gloss of a name is left out; a role is said in Chinese.
        ("人民网 (People's Daily Online)", "人民网"),
        ("自由時報 (Liberty Times), from 中央社 (CNA)", "自由時報，转自中央社"),
        ("王国生 (governor)", "王国生（省长）"),
    ],
)
def test_known_notes_read_in_chinese(english: str, chinese: str) -> None:
    assert chinese_source_words(english) == chinese


@pytest.mark.parametrize(
    ("english", "kept"),
    [
        ("example.org (copied from an unnamed blog)", "（copied from an unnamed blog）"),
        ("甲网 (an unverified forum post; outlet unnamed)", "an unverified forum post"),
        ("乙报 (reposted by a secondary site)", "（reposted by a secondary site）"),
    ],
)
def test_an_unknown_caveat_is_kept_in_english(english: str, kept: str) -> None:
    assert kept in chinese_source_words(english)


def zh_page(rows: list[dict[str, str]]) -> str:
    sources = [CitedSource(row["source_id"], row, ()) for row in rows]
    return fragments().get_template("brief_page.html.j2").render(
        lang="zh", lang_attr="zh-Hans", L=LABELS["zh"], title="甲", key_html="",
        outputs=[], limits_html="", fallback_html="", fallback_page=False,
        sources=source_entries(sources, [], "zh"),
        cite={k: "x" for k in ("text", "package_version", "data_name", "data_version",
                               "figures_hash", "date", "address", "licence")},
        links={k: "x" for k in ("index", "twin", "annex", "annex_label", "glossary")},
        other_data=False,
    )


def source_items(page: str) -> list[str]:
    listing = page.split('<ol class="brief-source-list">', 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", listing, re.S)


def test_every_chinese_source_entry_shows_a_title_or_claims_none() -> None:
    items = source_items(zh_page(SOURCES))
    assert len(items) == len(SOURCES)
    english_only = 0
    for row, item in zip(SOURCES, items, strict=True):
        titled_zh = 'class="src-title-zh"' in item
        titled_en = 'class="src-title-en-only"' in item
        assert titled_zh == bool(row["title_zh"]), row["source_id"]
        assert titled_en == (not row["title_zh"] and bool(row["title_en"])), row["source_id"]
        assert titled_zh or titled_en, row["source_id"]
        if titled_en:
            english_only += 1
            title = f"英文标题：<span lang=\"en\">{row['title_en']}</span>"
            assert title in html.unescape(item), row["source_id"]
        if "标题查找" in item:
            assert titled_zh, row["source_id"]
        line = re.search(r'<span class="src-line">(.*?)</span>', item, re.S).group(1)
        line = re.sub(r"<a [^>]*>.*?</a>", "", html.unescape(line))
        assert not GLUED.search(line), f"{row['source_id']}: {line!r}"
    assert english_only == sum(1 for row in SOURCES if not row["title_zh"]) == 42


def test_a_source_without_address_or_chinese_title_is_found_by_what_is_shown() -> None:
    rows = {row["source_id"]: row for row in SOURCES}
    lishui, tongcheng = rows["src_lishui"], rows["src_tongcheng"]
    assert not lishui["url"] and not lishui["title_zh"] and lishui["title_en"]
    items = source_items(zh_page([lishui, tongcheng]))
    assert "；无网址，本条未载中文标题，请按作者、媒体、发表时间查找</span>" in items[0]
    assert "作者：樓昕（记者）；封平，丁瀏凱（通讯员）；受访者潘林珠；媒体：" in items[0]
    assert "标题查找" not in items[0]
    assert "无网址，请按标题查找" in items[1]


@pytest.mark.parametrize(
    ("language", "titled", "given", "words"),
    [
        ("zh", True, ["by_outlet"], "无网址，请按标题查找"),
        ("zh", False, ["by_outlet", "by_date", "by_words"],
         "无网址，本条未载中文标题，请按媒体、发表时间、数字及原文相邻词句查找"),
        ("zh", False, [], "无网址，本条未载中文标题"),
        ("en", True, [], "no web address; find it by its title"),
        ("en", False, ["by_authors", "by_date"],
         "no web address or title recorded; find it by its authors, date"),
    ],
)
def test_no_address_words(language, titled, given, words) -> None:
    assert no_address_words(language, titled, given) == words
