"""How a source's authors and outlet read on a Chinese page.

The data package describes its sources for English readers: an author's role in brackets
(``林晗 (reporter)``), an English gloss of a Chinese outlet (``人民网 (People's Daily
Online)``), how a page carried a report (``海峡网 (hxnews.com), from 福州日报``) and
warnings about where a page came from (``m.lurdlur.com (mirror of a news item; outlet not
named in the text)``). The Chinese briefs keep the names and addresses and say the rest in
Chinese (:func:`chinese_source_words`): known roles, connectors and provenance caveats are
translated, an English gloss that only explains a name is left out, and web addresses stay
as they are. A note that warns about a page's provenance is never left out: when its words
are not known here, it is kept in English, set apart from the Chinese by spaces.
"""

from __future__ import annotations

import re

__all__ = ["PROVENANCE_WORDS", "chinese_source_words"]

#: Roles of authors, and what a page says about its authors, in Chinese.
ROLES: dict[str, str] = {
    "xinhua reporters": "新华社记者",
    "xinhua reporter": "新华社记者",
    "reporters": "记者",
    "reporter": "记者",
    "intern": "实习生",
    "interns": "实习生",
    "correspondents": "通讯员",
    "correspondent": "通讯员",
    "page planning": "版面策划",
    "text and images": "文字、图片",
    "editor": "编辑",
    "mayor": "市长",
    "governor": "省长",
    "global times": "环球时报",
}

#: English words that warn about where a page came from. A bracketed note holding one is
#: never dropped as a gloss: it is said in Chinese (:data:`_PHRASES`) or kept in English.
PROVENANCE_WORDS = re.compile(
    r"mirror|\bcop(?:y|ies|ying|ied)\b|repost|reprint|not named|unnamed|unofficial|"
    r"not official|\bnot an?\b|third-party|aggregator|secondary|summari[sz]|gambling|"
    r"\bforum\b|unverified|doubtful|archive",
    re.I,
)

_N = r"(?P<n>[^();；]+?)"  # a name inside a phrase (Chinese words, an address)

#: Phrases of the notes said in Chinese, tried in order on each note and on the whole line.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), words)
    for pattern, words in (
        # How a page came to carry a report.
        (r"^mirror of a news item$", "一则新闻的镜像页面"),
        (r"^mirror of a news report$", "一篇新闻报道的镜像页面"),
        (r"^mirror of a news page$", "一个新闻页面的镜像页面"),
        (r"^unofficial mirror$", "非官方镜像页面"),
        (r"^traditional-character mirror of a zhoukou news report$",
         "周口一篇新闻报道的繁体字镜像页面"),
        (rf"(?<![A-Za-z])third-party mirror of an? {_N}\s+page\b", r"\g<n>页面的第三方镜像页面"),
        (rf"^mirror of an? {_N}\s+(?:report|dispatch)$", r"\g<n>报道的镜像页面"),
        (rf"^copy of an? {_N}\s+report$", r"转抄\g<n>的报道"),
        (rf"(?<![A-Za-z])an? gambling-branded site copying {_N}(?=$|[;；,，])",
         r"一家博彩类网站，转抄自\g<n>"),
        (rf"^repost of the bulletin of {_N} and {_N.replace('n>', 'm>')}$",
         r"转载\g<n>和\g<m>的公报"),
        (r"^repost of a news report on the provincial government work report$",
         "转载一篇关于省政府工作报告的新闻报道"),
        (r"^repost of the zhejiang statistics bureau's analysis of 22 september$",
         "转载浙江省统计局9月22日发布的分析"),
        (r"^journal reprint site$", "期刊转载网站"),
        (r"^news aggregator$", "新闻聚合网站"),
        (r"^aggregator$", "聚合网站"),
        (r"^local forum$", "地方论坛"),
        # Who is not named, what a page is not.
        (r"^outlet not named in the text$", "原文未注明来源媒体"),
        (r"^the outlet is not named in the text read$", "所见原文未注明来源媒体"),
        (r"^the paper is not named in the text read$", "所见原文未注明报纸名称"),
        (r"^not a statistics bureau$", "非统计部门"),
        # What kind of site a page is on.
        (r"^an industry association website$", "行业协会网站"),
        (rf"^section {_N}$", r"“\g<n>”栏目"),
        (r"^party-building website$", "党建网站"),
        (rf"^{_N} column$", r"“\g<n>”栏目"),
        (r"^hefei party-building site$", "合肥市党建网站"),
        (rf"^{_N} organization department site$", r"\g<n>组织部网站"),
        (r"^jianghua county news site$", "江华瑶族自治县新闻网站"),
        (r"^tianjin binhai news site$", "天津滨海新闻网站"),
        (r"^china news service$", "中国新闻社"),
        (r"^paulson institute$", "保尔森基金会"),
        (r"^english$", "英文版"),
        (r"^online$", "网络版"),
        (r"^big5 gateway$", "繁体版"),
        (r"^big5 page$", "繁体页面"),
        (r"^19th party congress coverage$", "十九大报道专题"),
        (r"^digital edition(?=（|$)", "电子版"),
        (r"^p\. (\d+)$", r"第\1页"),
        (r"^path (\S+)$", r"网页路径 \1"),
        # Authors' roles.
        (r"^pinghu municipal party standing committee member$", "平湖市委常委"),
        (r"^head of the organization department$", "组织部部长"),
        (r"^vice-minister of the organization department$", "中央组织部副部长"),
        # Phrases of a whole line.
        (r"(?<![A-Za-z])Xinhua dispatch\b", "新华社电稿"),
        (r"(?<![A-Za-z])report by the Chongqing statistics bureau\b", "重庆市统计局的报告"),
        (r"(?<![A-Za-z])the city SME bureau\s*（市中小企业局）", "市中小企业局"),
        (r"(?<![A-Za-z])the city statistics\b", "全市统计数据"),
        (r"(?<![A-Za-z])a Shanghai newspaper report\b", "上海一家报纸的报道"),
        (r"(?<![A-Za-z])the website of the United Front Work Department\b", "中央统战部网站"),
        (r"(?<=摘编)\s*Xinhua\b", "新华社"),
        (r"(?<=摘编)\s*Sichuan Daily\b", "《四川日报》"),
        (r"(?<=转自)\s*Global Times\b", "《环球时报》"),
        (r"(?<=转自)\s*Xinhua/", "新华社/"),
    )
)

_MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split(),
        start=1,
    )
}
_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")

#: How a page carried a report: the English connector and its Chinese words.
_CONNECTORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r",?\s*\breprinted on\s+", re.I), "，转载于"),
    (re.compile(r",?\s*\breposting\s+", re.I), "，转载"),
    (re.compile(r",?\s*\breprinting\s+", re.I), "，转载"),
    (re.compile(r",?\s*\bciting\s+", re.I), "，援引"),
    (re.compile(r",?\s*\bquoting\s+", re.I), "，援引"),
    (re.compile(r",?\s*\bsummarizing\s+", re.I), "，摘编"),
    (re.compile(r",?\s*\bfrom\s+", re.I), "，转自"),
    (re.compile(r",?\s*\bon\s+(?=[\w.-]+\.[a-z]{2,}\b)", re.I), "，载于"),
    (re.compile(r"^interviewee\s+", re.I), "受访者"),
    (re.compile(r";\s*interviewee\s+", re.I), "；受访者"),
    (re.compile(r",\s*press conference\b", re.I), "，新闻发布会"),
    (re.compile(r"(?<=[\u3400-\u9fff])\s+channel\b", re.I), "频道"),
    (re.compile(r"(?<=[\u3400-\u9fff])\s+column\b", re.I), "栏目"),
    (re.compile(r"(?<=[\u3400-\u9fff])\s+website\b", re.I), "网站"),
    (re.compile(r"(?<=[\u3400-\u9fff])\s+and\s+(?=[\u3400-\u9fff])"), "和"),
)

_BRACKETS = re.compile(r"\s*\(([^()]*)\)")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_ADDRESS = re.compile(r"^(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?$", re.I)
_ADDRESS_IN = re.compile(r"\b(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?|\S*/\S*", re.I)
_KEEP = ("\ue000", "\ue001")  # around English words kept as written
_KEPT = re.compile("\ue000([^\ue000\ue001]*)\ue001")
_CJK_RUNS = re.compile(r"[《“]?[0-9]*[\u3400-\u9fff][\u3400-\u9fff0-9（）《》“”、·:：]*[》”]?")


def _phrase(part: str) -> str | None:
    """Say one note in Chinese with a known phrase, or ``None``."""
    for pattern, words in _PHRASES:
        said = pattern.sub(words, part)
        if said != part and not _LATIN_WORD.search(_ADDRESS_IN.sub("", said)):
            return said.strip()
    return None


def _note(part: str) -> str:
    """Say one part of a bracketed note in Chinese; empty for a gloss that only explains."""
    part = part.strip()
    date = _DATE.match(part)
    if date and date.group(2).lower() in _MONTHS:
        day, month, year = date.group(1), _MONTHS[date.group(2).lower()], date.group(3)
        return f"{year}年{month}月{int(day)}日"
    if _ADDRESS.match(part):
        return part
    said = _phrase(part)
    if said is not None:
        return said
    if PROVENANCE_WORDS.search(part):
        # A warning is never dropped: kept in English, as written, when not known here.
        return f"{_KEEP[0]}{part}{_KEEP[1]}"
    if not _LATIN_WORD.search(_ADDRESS_IN.sub("", part)):
        return part  # Chinese words
    if _CJK.search(part):
        return "、".join(_CJK_RUNS.findall(part))  # Chinese names in an English gloss
    return ""  # an English gloss of the name before it


def _bracket(match: re.Match[str]) -> str:
    """Say one bracketed note in Chinese, keep it when it is Chinese, drop an English gloss."""
    inner = match.group(1).strip()
    if inner.lower() in ROLES:
        return f"（{ROLES[inner.lower()]}）"
    pieces = re.split(r"\s*([;,])\s*", inner)
    words: list[str] = []
    for piece in pieces:
        if piece in {";", ","}:
            if words and words[-1] not in {"；", "，"}:
                words.append("；" if piece == ";" else "，")
            continue
        said = _note(piece)
        if said:
            words.append(said)
    while words and words[-1] in {"；", "，"}:
        words.pop()
    return f"（{''.join(words)}）" if words else ""


def _spaced(text: str) -> str:
    """Set Latin letters apart from Chinese characters by one space."""
    text = re.sub(r"(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])(?![0-9]+[年月日期版页下上])", " ", text)
    return re.sub(r"(?<=[A-Za-z])(?=[\u3400-\u9fff])", " ", text)


def chinese_source_words(text: str) -> str:
    """Say a source's authors or outlet for a Chinese page.

    ``宋宁华 (reporter), 林洁 (intern)`` reads ``宋宁华（记者），林洁（实习生）``; ``人民网
    (People's Daily Online)`` reads ``人民网``; ``海峡网 (hxnews.com), from 福州日报``
    reads ``海峡网（hxnews.com），转自福州日报``; ``m.lurdlur.com (mirror of a news item;
    outlet not named in the text)`` reads ``m.lurdlur.com（一则新闻的镜像页面；原文未注明来源
    媒体）``. Names written in Latin letters (an English outlet, a romanized author) stay as
    they are, set apart from Chinese words by a space.
    """
    out = _BRACKETS.sub(_bracket, str(text or "").strip())
    kept = _KEPT.findall(out)  # English caveats: no connector or phrase is applied to them
    out = _KEPT.sub("\ue000", out)
    for pattern, words in _CONNECTORS:
        out = pattern.sub(words, out)
    parts = re.split(r"(\s*[;；,，]\s*)", out)
    out = "".join(_phrase(part) or part if part.strip() else part for part in parts)
    for pattern, words in _PHRASES:
        if not pattern.pattern.startswith("^"):
            out = pattern.sub(words, out)
    out = re.sub(r"'([^']*[\u3400-\u9fff][^']*)'", r"“\1”", out)
    out = re.sub(r"\s*,\s+|(?<=[\u3400-\u9fff）》”])\s*,\s*", "，", out)
    out = re.sub(r"\s*;\s*", "；", out)
    out = re.sub(r"\s*(（)", r"\1", out)
    for words in kept:
        out = out.replace("\ue000", words, 1)
    return _spaced(out).strip(" ，；")
