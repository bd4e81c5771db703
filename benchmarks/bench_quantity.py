"""Print parse_quantity() times on pathological inputs of 10 to 10,000 characters.

Two tables: with the length cap (MAX_LENGTH, 200 characters), where anything longer is
refused at once; and with the cap lifted, which shows that the grammar's time grows
linearly with the length of the input (the time per character stays flat). Each figure is
the median of several timed runs, in microseconds per call, whether the input is read
or refused. Usage: python benchmarks/bench_quantity.py [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import timeit
from collections.abc import Callable

from dangjian_analysis.text import quantity
from dangjian_analysis.text.quantity import QuantityParseError, parse_quantity

LENGTHS = (10, 100, 1_000, 10_000)


def _repeat(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _random_numeral(length: int) -> str:
    rng = random.Random(14)
    return "".join(rng.choices("零一二两三四五六七八九十百千万亿点", k=length))


# name -> input of a given length
INPUTS: dict[str, Callable[[int], str]] = {
    "亿 repeated": lambda n: "亿" * n,
    "9s then 万": lambda n: "9" * (n - 1) + "万",
    "九s (one by one)": lambda n: "九" * n,
    "二〇一三 repeated": lambda n: _repeat("二〇一三", n),
    "一十 repeated": lambda n: _repeat("一十", n),
    "random numeral chars": _random_numeral,
    "digits, 余, 万, 家": lambda n: "1" * (n - 3) + "余万家",
}


def _outcome(text: str) -> str:
    try:
        q = parse_quantity(text)
    except QuantityParseError as exc:
        message = str(exc).split(": ", 1)[-1]
        return f"refused: {message[:38]}"
    return f"read: {q.value:.3g}"


def _median_us(text: str, repeat: int) -> float:
    def call() -> None:
        try:
            parse_quantity(text)
        except QuantityParseError:
            pass

    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return statistics.median(t / number for t in timer.repeat(repeat, number)) * 1e6


def table(title: str, repeat: int, outcome_at: int) -> None:
    print(f"\n{title}")
    header = "".join(f"{n:>10,}" for n in LENGTHS)
    print(f"{'input':24s}{header}   us/char at {LENGTHS[-1]:,}   outcome at {outcome_at:,}")
    for name, make in INPUTS.items():
        times = [_median_us(make(n), repeat) for n in LENGTHS]
        cells = "".join(f"{t:10.1f}" for t in times)
        per_char = times[-1] / LENGTHS[-1]
        print(f"{name:24s}{cells}   {per_char:10.3f}   {_outcome(make(outcome_at))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; median of {args.repeat} runs, microseconds per call")
    for label, text in [
        ("reference, 22 chars", "一千二百三十四亿五千六百七十八万九千零一十二"),
        ("400 nines then 万", "9" * 400 + "万"),
        ("100,000 亿", "亿" * 100_000),
    ]:
        print(f"{label:24s}{_median_us(text, args.repeat):10.1f}   {_outcome(text)}")
    table(f"with the cap (MAX_LENGTH = {quantity.MAX_LENGTH} characters)", args.repeat, 100)
    cap = quantity.MAX_LENGTH
    quantity.MAX_LENGTH = 10 * max(LENGTHS)
    try:
        table("cap lifted (the grammar alone)", args.repeat, 1_000)
    finally:
        quantity.MAX_LENGTH = cap


if __name__ == "__main__":
    main()
