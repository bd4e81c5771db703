"""SYNTHETIC Chinese text of a given size for the extraction benchmarks.

With the source texts at hand, their sentences are drawn at random (seeded) and every
Arabic digit in them is replaced by a random one, so figures, dates and their contexts
read like the articles' without repeating the same numbers (which would flatter any
caching). Without them, sentences are assembled from a small made-up vocabulary. Either
way the text exists only in memory while a benchmark runs; nothing of it is written out.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+|\n+|$)")
_DIGIT = re.compile(r"\d")

# A made-up vocabulary, used when the source texts are absent.
_PLACES = ["甲县", "乙区", "丙市", "丁镇", "戊开发区", "己工业园"]
_SUBJECTS = ["非公企业", "规模以上企业", "园区企业", "两新组织", "外资企业", "个体工商户"]
_COUNTED = [("党组织", "个"), ("党员", "名"), ("党建指导员", "名"), ("企业", "家")]
_MEASURES = ["党组织覆盖率", "组建率", "产值增长", "税收增长"]
_MONEY = ["实现产值", "上交税收", "完成销售收入"]
_LINKS = ["截至{y}年底,", "{y}年,", "目前,", "今年以来,", ""]


_FILLER = [
    "坚持把党建工作与企业发展紧密结合,推动组织覆盖和工作覆盖",
    "通过选派指导员、建立联系制度等方式,不断加强基层党组织建设",
    "围绕中心、服务大局,充分发挥党组织的战斗堡垒作用和党员的先锋模范作用",
]


def _made_up_sentence(rng: random.Random) -> str:
    link = rng.choice(_LINKS).format(y=rng.randrange(2005, 2024))
    place, subject = rng.choice(_PLACES), rng.choice(_SUBJECTS)
    kind = rng.randrange(5)
    if kind == 0:
        noun, unit = rng.choice(_COUNTED)
        number = f"{rng.randrange(2, 5000)}{rng.choice(['', '余', '多'])}"
        return f"{link}{place}{subject}共有{noun}{number}{unit},"
    if kind == 1:
        rate = rng.randrange(1, 1000) / 10
        return f"{link}{place}{subject}{rng.choice(_MEASURES)}达到{rate}%。"
    if kind == 2:
        return f"{link}{place}{rng.choice(_MONEY)}{rng.randrange(1, 900) / 10}亿元。\n"
    return f"{place}{subject}{rng.choice(_FILLER)}。"


def corpus_sentences(corpus: Path | None) -> list[str]:
    """Return the sentences of the ``*.txt`` articles in ``corpus`` (empty when absent)."""
    from dangjian_analysis.text.articles import ArticleError, read_article

    if corpus is None or not corpus.is_dir():
        return []
    sentences = []
    for path in sorted(corpus.glob("*.txt")):
        try:
            text, _ = read_article(path)
        except ArticleError:
            continue
        sentences += [s for s in _SENTENCE.findall(text) if s.strip()]
    return sentences


def synthetic_text(size: int, sentences: list[str] | None = None, *, seed: int = 0) -> str:
    """Return about ``size`` bytes (UTF-8) of text built from ``sentences`` or made up."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        if sentences:
            sentence = _DIGIT.sub(lambda _: str(rng.randrange(10)), rng.choice(sentences))
        else:
            sentence = _made_up_sentence(rng)
        parts.append(sentence)
        total += len(sentence.encode("utf-8"))
    return "".join(parts)
