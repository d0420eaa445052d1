"""Tools of the fuzz suite (:mod:`tests.test_fuzz`): a killable, memory-capped child per
case, and hypothesis strategies for what a hostile user types.

:func:`run_case` forks, caps the child's address space (``RLIMIT_AS``), runs the check in a
fresh empty working folder and kills the child at the deadline.  The parent gets one
:class:`Outcome`: ``"ok"``, ``"refused"`` (a :class:`symopt.SymoptError`, with its class
name), ``"crashed"`` (any other exception, with its traceback), ``"timeout"`` or ``"died"``
(killed by a signal, e.g. out of memory).  :func:`expect_safe` turns anything but ``ok`` and
``refused`` into a test failure that names the input.
"""

from __future__ import annotations

import os
import pickle
import re
import resource
import select
import signal
import string
import struct
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import event
from hypothesis import strategies as st

SECONDS = 10.0  # per case
MEMORY = 2 << 30  # bytes of address space a child may add to what the fork inherited

_HEADER = struct.Struct("<Q")


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok, refused, crashed, timeout, died
    detail: str = ""
    value: Any = None


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(check: Callable[..., Any], args: tuple, fd: int, folder: str) -> None:
    from symopt import SymoptError

    try:
        limit = _address_space() + MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.chdir(folder)
        try:
            outcome = Outcome("ok", value=check(*args))
        except SymoptError as error:
            outcome = Outcome("refused", f"{type(error).__name__}: {error}"[:500])
        except BaseException:
            outcome = Outcome("crashed", traceback.format_exc()[-4000:])
        try:
            data = pickle.dumps(outcome)
        except Exception:
            data = pickle.dumps(Outcome(outcome.kind, outcome.detail))
        with os.fdopen(fd, "wb", buffering=0) as out:
            out.write(_HEADER.pack(len(data)) + data)
    finally:
        os._exit(0)


def _read(fd: int, deadline: float) -> Outcome | None:
    buffer = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        buffer += chunk
    if len(buffer) < _HEADER.size:
        return Outcome("died", "the child ended without an answer")
    (size,) = _HEADER.unpack_from(buffer)
    return pickle.loads(buffer[_HEADER.size : _HEADER.size + size])


def run_case(check: Callable[..., Any], *args: Any, seconds: float = SECONDS) -> Outcome:
    """Run ``check(*args)`` in a forked child with a deadline and a memory cap; a file the
    child leaves in its working folder is reported as ``crashed``."""
    with tempfile.TemporaryDirectory(prefix="symopt-fuzz-") as folder:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            _child(check, args, write_end, folder)
        os.close(write_end)
        try:
            outcome = _read(read_end, time.monotonic() + seconds)
        finally:
            os.close(read_end)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status = os.waitpid(pid, 0)
        if outcome is None:
            outcome = Outcome("timeout", f"no answer within {seconds:g} s")
        elif outcome.kind == "died" and os.WIFSIGNALED(status):
            outcome = Outcome("died", f"killed by signal {os.WTERMSIG(status)}")
        left = os.listdir(folder)
        if left:
            outcome = Outcome("crashed", f"files written: {left}")
    return outcome


def expect_safe(outcome: Outcome, case: Any) -> Outcome:
    """Fail unless the call answered or refused with a SymoptError; count the outcome."""
    count(outcome.kind if outcome.kind != "refused" else outcome.detail.split(":")[0])
    if outcome.kind not in ("ok", "refused"):
        count(f"{outcome.kind} on {case!r}"[:300], event_too=False)
    assert outcome.kind in ("ok", "refused"), f"{outcome.kind} on {case!r}:\n{outcome.detail}"
    return outcome


def count(label: str, event_too: bool = True) -> None:
    """A hypothesis event, and a line in the file ``$SYMOPT_FUZZ_LOG`` if it is set."""
    if event_too:
        event(label)
    if log := os.environ.get("SYMOPT_FUZZ_LOG"):
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]
        with open(log, "a") as out:
            out.write(f"{test}\t{label}\n")


# -- strategies ------------------------------------------------------------------------------

SYMBOLS = ("x", "y", "z", "w", "x1", "x2", "t")
FUNCTIONS = ("sin", "cos", "exp", "log", "sqrt", "tanh", "abs")

_small = st.one_of(
    st.integers(-12, 12).map(str),
    st.sampled_from(["0.5", "1.5", "2.0", "1/2", "3/4", "1e-3", "2.5e1", "pi", "E"]),
)
_wild = st.one_of(
    _small,
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        ["1e308", "1e-308", "1e309", "1e-400", "9" * 99, "10**400", "2**2**2**2", "0.0", "1e99"]
    ),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


def formulas(numbers: st.SearchStrategy[str] = _wild, max_leaves: int = 12) -> st.SearchStrategy:
    """Grammar-generated formula text: numbers, symbols, operators and function calls."""
    leaves = st.one_of(numbers, st.sampled_from(SYMBOLS))

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^", "**"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        call = st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})")
        extreme = st.tuples(
            st.sampled_from(["max", "min"]), st.lists(inner, min_size=1, max_size=4)
        )
        return st.one_of(
            binary,
            call,
            extreme.map(lambda t: f"{t[0]}({', '.join(t[1])})"),
            inner.map(lambda s: f"-{s}"),
        )

    return st.recursive(leaves, grow, max_leaves=max_leaves)


_noise = st.one_of(
    st.sampled_from(list("()+-*/^,.=_ '\"[]{}:;!@#$%&|~`\\\n\t0123456789ex")),
    st.sampled_from(["**", "__", "lambda", "import", "é", "∞", "√", "²", "\x00", "\u200b", "π"]),
    st.characters(),
)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str] | None = None) -> str:
    """A valid formula with random insertions, deletions and replacements."""
    text = draw(formulas(max_leaves=6) if base is None else base)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 3)))
        text = text[:i] + draw(st.one_of(st.just(""), _noise)) + text[j:]
    return text


HOSTILE = [
    "__import__('os').system('touch pwned')",
    "x.__class__",
    "(lambda: 1)()",
    "open('pwned', 'w')",
    'exec(\'open("pwned", "w")\')',
    "eval('1')",
    "x.__class__.__base__.__subclasses__()",
    "[c for c in ().__class__.__bases__]",
    "getattr(x, '__dict__')",
    "sin.__globals__",
    "x if x else y",
    "{'a': 1}",
    "x; import os",
    "Symbol('x')",
    "sympify('x')",
]


@st.composite
def hostile(draw: st.DrawFn) -> str:
    """Text that would run code in a parser built on ``eval``: must be refused."""
    attack = draw(st.sampled_from(HOSTILE))
    around = draw(formulas(_small, max_leaves=3))
    return draw(st.sampled_from([attack, f"{around} + {attack}", f"sin({attack})"]))


_VARIABLE = re.compile(r"\b(" + "|".join(SYMBOLS) + r")\b")


def objectives(numbers: st.SearchStrategy[str] = _small, max_leaves: int = 6) -> st.SearchStrategy:
    """Formulas with at least one variable (a constant objective is refused, rightly)."""
    return st.tuples(formulas(numbers, max_leaves), st.sampled_from(SYMBOLS)).map(
        lambda t: t[0] if _VARIABLE.search(t[0]) else f"{t[0]} * {t[1]}"
    )


def any_formula() -> st.SearchStrategy[str]:
    return st.one_of(formulas(), mutated(), st.text(max_size=40))


_huge_int = st.sampled_from([10**400, -(10**400), 2**64, 2**1024])
bad_numbers = st.one_of(
    st.floats(),  # nan, inf, -inf, subnormal, negative, huge
    _huge_int,
    st.integers(-(2**70), 2**70),
    st.complex_numbers(max_magnitude=1e3),
    st.sampled_from([None, "0.1", "", "nan", True, [], [0.1], [[0.1, 0.2]], {"lr": 1}]),
)


def hyper(good: st.SearchStrategy[float]) -> st.SearchStrategy[Any]:
    """A hyper-parameter: usually a sensible value, often a hostile one."""
    return st.one_of(good, good, bad_numbers)


_entry = st.one_of(
    st.floats(-3, 3),
    st.floats(-3, 3),
    st.floats(),
    st.sampled_from([10**400, "1", None, 1j, [1.0]]),
)


@st.composite
def starts(draw: st.DrawFn, n: int) -> Any:
    """x0: shape (n,), a small batch (k, n), a wrong width, ragged or empty, or not numbers."""
    kind = draw(
        st.sampled_from(["vector", "vector", "batch", "wrong", "ragged", "scalar", "empty"])
    )
    if kind == "vector":
        return draw(st.lists(_entry, min_size=n, max_size=n))
    if kind == "batch":
        k = draw(st.integers(1, 3))
        return [draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n)) for _ in range(k)]
    if kind == "wrong":
        return draw(
            st.lists(st.floats(-3, 3), min_size=0, max_size=n + 2).filter(lambda v: len(v) != n)
        )
    if kind == "ragged":
        return [[0.1] * n, [0.2] * (n + 1)]
    if kind == "scalar":
        return draw(_entry)
    return draw(st.sampled_from([[], [[]], [[] for _ in range(2)]]))


_UNITS = ["m", "km", "mm", "s", "ms", "J", "kg", "N", "W", "g", "h", "A", "K", "mol", "rad"]


def unit_grammar() -> st.SearchStrategy[str]:
    """Unit text from the plain grammar (names, ``*``, ``/``, small integer powers; not
    ``**0``, which pint's own ``parse_units`` fails on with a KeyError)."""
    leaf = st.one_of(
        st.sampled_from(_UNITS),
        st.tuples(st.sampled_from(_UNITS), st.sampled_from([-3, -2, -1, 2, 3])).map(
            lambda t: f"{t[0]}**{t[1]}"
        ),
    )
    return st.lists(st.tuples(st.sampled_from(["*", "/"]), leaf), min_size=1, max_size=4).map(
        lambda parts: parts[0][1] + "".join(f" {op} {u}" for op, u in parts[1:])
    )


def unit_texts() -> st.SearchStrategy[str]:
    """Plain unit text, mutated unit text, and the hostile kinds pint would evaluate."""
    hostile_units = st.sampled_from(
        [
            "9**9**9**9 m",
            "km/1000",
            "m**0",
            "2 J",
            "m**1e300",
            "m**(10**400)",
            "degC",
            "m**0.5",
            "__import__('os')",
            "kilo",
            "",
            "m * * s",
            "1/s",
            "m/s**-2",
            "(m",
            "J/(km*mm)",
        ]
    )
    return st.one_of(
        unit_grammar(),
        unit_grammar(),
        hostile_units,
        mutated(unit_grammar()),
        st.text(alphabet=string.ascii_letters + string.digits + " */^()-.", max_size=20),
    )
