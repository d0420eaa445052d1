"""Benchmark: symopt.parse against SymPy's own parsers, and on hostile text.

Run ``python benchmarks/bench_parse.py``.  The first table times ordinary expressions with
``symopt.parse`` and with the unsafe peers ``sympy.parse_expr`` (with ``^`` as power) and
``sympy.sympify`` (both eval Python code, which symopt never does).  The second table times
hostile text, which symopt must refuse in milliseconds; the peers are not run on it (they
would hang on ``9**9**9**9`` or execute code).  Medians of repeated runs, warm SymPy cache.
"""

from __future__ import annotations

import statistics
import time

import sympy
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from symopt import ParseError, parse

TYPICAL = {
    "quadratic": "x^2 + 3*y",
    "rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
    "logistic loss": "log(1 + exp(-(w1*x1 + w2*x2 + b)))",
    "risk, 100 points": " + ".join(f"(w*{k / 10} - {0.37 * k:.2f})^2" for k in range(100)),
}
HOSTILE = {
    "9**9**9**9": "9**9**9**9",
    "2^2^2^2^2^2": "2^2^2^2^2^2",
    "exp(10^10*log(2))": "exp(10^10*log(2))",
    "1 MB of text": "x" * 10**6,
    "100k nested '('": "(" * 100_000 + "x" + ")" * 100_000,
    "'-' * 9999 + 'x'": "-" * 9_999 + "x",
    "'x+' * 4999 + 'x'": "x+" * 4_999 + "x",
    "__import__(...)": "__import__('os').system('echo hi')",
    # SymPy's own slow paths, each found by fuzzing: a root of index 99**99, a primality test
    # of a 300-digit number, a multinomial of 10**5 terms to compare, assumptions on a power
    "(-99)^(-99)^(-99)": "(-99)^(-99)^(-99)",
    "sqrt(2^990 + 1)": "sqrt(2^990 + 1)",
    "max(exp((1+...)^30), 1)": "max(exp((1+sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7)+sqrt(11))^30), 1)",
    "(-E-1e3)^(-E-1e3)": "(-E - 1e3)^(-E - 1e3)",
}
TRANSFORMS = (*standard_transformations, convert_xor)


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def refused(text: str) -> None:
    try:
        parse(text)
    except ParseError:
        return
    raise AssertionError(f"not refused: {text[:40]!r}")


def main() -> None:
    print("ordinary expressions (median ms; ratio = peer / symopt)")
    header = ("expression", "symopt", "parse_expr", "ratio", "sympify", "ratio")
    print("{:18} {:>9} {:>11} {:>6} {:>9} {:>6}".format(*header))
    for name, text in TYPICAL.items():
        ours = median_seconds(lambda t=text: parse(t), 15)
        peer = median_seconds(lambda t=text: parse_expr(t, transformations=TRANSFORMS), 15)
        naive = median_seconds(lambda t=text: sympy.sympify(t.replace("^", "**")), 15)
        print(
            f"{name:18} {ours * 1e3:9.2f} {peer * 1e3:11.2f} {peer / ours:6.1f}"
            f" {naive * 1e3:9.2f} {naive / ours:6.1f}"
        )
    print("\nhostile text, refused by symopt.parse (median ms)")
    for name, text in HOSTILE.items():
        print(f"{name:24} {median_seconds(lambda t=text: refused(t), 5) * 1e3:9.3f}")


if __name__ == "__main__":
    main()
