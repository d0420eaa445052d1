"""Safe text → SymPy: Python's own parser, a whitelist, and hard limits.

:func:`parse` accepts exactly this grammar and refuses everything else with a
:class:`~symopt.errors.ParseError` that points at the offending character:

* **numbers**: integers ``3`` and decimals ``0.1``, ``2.5e-3`` (at most ``MAX_DIGITS`` digits
  and an exponent of at most ``MAX_DIGITS``).  Decimals are read exactly from their digits:
  ``0.1`` is ``Rational(1, 10)``, which is what a student means, so ``0.1*x`` is ``x/10``;
* **names**: ``x``, ``w1``, ``θ`` become real symbols, ``Symbol(name, real=True)``; names that
  start with ``_`` are refused.  ``pi`` and ``E`` are the constants; ``e`` stays an ordinary
  name, free for a variable;
* **operators**: ``+ - * / **``, unary ``-`` and ``+``, and ``^`` as a synonym of ``**`` with
  its precedence: right-associative, tighter than ``*`` and than a unary minus on its left
  (``-x^2`` is ``-(x**2)``, ``2^3^2`` is ``2**9``);
* **functions**: exp, log (``log(x)`` or ``log(x, base)``), sqrt, sin, cos, tan, sinh, cosh,
  tanh, abs/Abs, max/Max and min/Min (one to ``MAX_ARGUMENTS`` arguments, nested ones
  counted, since SymPy merges them), sigmoid/logistic (``1/(1 + exp(-x))``) and relu
  (``Max(0, x)``).  ``abs`` takes an argument that is real for every real value of its
  variables: ``abs(x^(1/3))`` is written ``Abs(x)**(1/3)`` (``|b^p| = |b|^p`` for real ``p``),
  and ``abs(log(x))`` is refused (its derivatives would not compile), with a hint.

Line breaks count as spaces.  The text never reaches ``eval``, ``exec`` or ``sympify``: it is
tokenized (``^`` becomes ``**`` token by token, which keeps its precedence right), parsed by
:mod:`ast`, and the tree is walked to build SymPy objects directly.

The work is bounded, so hostile text fails in milliseconds instead of hanging: at most
``MAX_LENGTH`` characters, ``MAX_DEPTH`` levels of nesting and ``MAX_NODES`` syntax-tree nodes;
and before SymPy evaluates anything, these are refused: powers whose numbers could exceed
``MAX_POWER_DIGITS`` digits (``9**9**9**9``), roots of numbers with more than
``MAX_ROOT_DIGITS`` digits, and numbers in max, min or abs that SymPy would expand into more
than 1000 terms to compare them.  Text that SymPy evaluates to an infinity, NaN or a non-real
number (``1/0``, ``log(0)``, ``sqrt(-1)``, ``(-8)^(1/3)``) is refused too, and so is a number
beyond the largest float (``10^400*x``, ``exp(exp(exp(exp(10))))``): symopt evaluates
objectives in floats, and SymPy's own ``evalf`` (which prints and compares) overflows on such
towers, so they are refused here rather than kept exact.

>>> parse("x^2 + 3*y")
x**2 + 3*y
>>> parse("-x^2"), parse("2^3^2"), parse("0.1*w + 1e-3")
(-x**2, 512, w/10 + 1/1000)
>>> parse("x + open(y)")
Traceback (most recent call last):
    ...
symopt.errors.ParseError: cannot parse expression at character 4: function 'open' is not
allowed; allowed functions: Abs, Max, Min, abs, cos, cosh, exp, log, logistic, max, min, relu,
sigmoid, sin, sinh, sqrt, tan, tanh
    x + open(y)
        ^
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import re
import sys
import tokenize
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy

from symopt.errors import ParseError, VariableError

__all__ = [
    "MAX_ARGUMENTS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_POWER_DIGITS",
    "MAX_ROOT_DIGITS",
    "parse",
]

MAX_LENGTH = 10_000  # characters of text
MAX_DEPTH = 100  # nested brackets, and nested levels of the syntax tree
MAX_NODES = 20_000  # nodes of the Python syntax tree
MAX_DIGITS = 100  # digits of a number literal, and size of its exponent
MAX_POWER_DIGITS = 4_000  # below Python's 4300-digit limit, so every result prints
MAX_ROOT_DIGITS = MAX_DIGITS  # SymPy factors the number under a root: cubic cost
MAX_ARGUMENTS = 8  # of one max or min: SymPy compares every pair, in each derivative again

_MAX_BITS = int(MAX_POWER_DIGITS / math.log10(2))
_MAX_ROOT_BITS = int(MAX_ROOT_DIGITS / math.log10(2))
_MAX_TERMS = 1_000  # terms of a number that SymPy expands to compare it
_BLANKS = str.maketrans("\t\n\r\x0b\x0c", "     ")
_OPENING, _CLOSING = "([{", ")]}"
_DECIMAL = re.compile(r"(\d*)\.?(\d*)(?:[eE]([-+]?\d+))?")
_NOT_FINITE_REAL = (sympy.nan, sympy.zoo, sympy.oo, -sympy.oo, sympy.I)
_LARGEST_FLOAT = int(sys.float_info.max)


def _compared(function: Callable[..., sympy.Expr]) -> Callable[..., sympy.Expr]:
    """``function`` (Abs, Max, Min) refusing numbers that SymPy would expand without bound.

    To compare a number, SymPy splits it into real and imaginary parts, which expands it: a power
    of a sum like ``(1 + sqrt(2) + sqrt(3) + sqrt(5))^(E + 40)`` becomes a multinomial.
    """

    def build(*args: sympy.Expr) -> sympy.Expr:
        count = sum(len(a.args) if a.func == function else 1 for a in args)  # Max(a, Max(b, c))
        if count > MAX_ARGUMENTS:
            raise ParseError(
                f"{function.__name__.lower()}() has {count} arguments (nested ones included, "
                f"SymPy merges them); the limit is {MAX_ARGUMENTS}, since SymPy compares every "
                "pair of them, and again in every derivative: use fewer arguments"
            )
        for arg in args:
            if arg.is_number:
                if _terms(arg) > _MAX_TERMS:
                    raise ParseError(f"a number here could expand to over {_MAX_TERMS} terms")
        return function(*args)

    return build


def _abs(x: sympy.Expr) -> sympy.Expr:
    """``|x|`` with ``|b^p|`` written ``|b|^p`` for a real power ``p`` (true on every branch),
    refused where ``x`` is still not known to be real: the derivative of such an ``Abs``
    keeps SymPy's unevaluated ``Derivative(sign(...))``, which cannot be compiled."""
    factors = []
    for factor in sympy.Mul.make_args(x):
        if factor.is_Pow and factor.exp.is_extended_real:
            factors.append(_abs(factor.base) ** factor.exp)
        elif factor.is_extended_real:
            factors.append(sympy.Abs(factor))
        else:
            shown = _shown(factor)
            raise ParseError(
                f"abs() of {shown}, which SymPy cannot tell is real for every real value of "
                f"its variables (a log or root of a negative number is not), so its "
                f"derivatives cannot be compiled; write the real case, e.g. sqrt(({shown})^2)"
            )
    return sympy.Mul(*factors)


def _shown(expr: sympy.Expr, limit: int = 40) -> str:
    try:
        text = str(expr)
    except ValueError:  # an integer beyond Python's limit for printing digits
        return f"of over {sys.get_int_max_str_digits()} digits"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_float(number: sympy.Expr) -> None:
    """Refuse a number beyond the largest float, also on the way to its value (``sin(10^400)``):
    symopt evaluates objectives in floats, and SymPy's own numerics (``evalf``, used to print
    and compare) overflow or run out of memory on towers like ``exp(exp(exp(exp(10))))``."""
    try:
        _float(number)
    except OverflowError:
        raise ParseError(
            f"the number {_shown(number)} is larger than the largest float "
            f"({sys.float_info.max:.4g}), or needs such a number on the way to its value, and "
            "symopt evaluates objectives in floats: rescale the objective or its variables"
        ) from None


_FLOAT_FUNCTIONS: dict[type, Callable[..., float]] = {
    sympy.exp: math.exp,
    sympy.log: math.log,
    sympy.Abs: abs,
    sympy.Max: max,
    sympy.Min: min,
    **{getattr(sympy, f): getattr(math, f) for f in "sin cos tan sinh cosh tanh".split()},
}


def _float(number: sympy.Expr) -> float:
    """The value of ``number`` computed in floats, raising OverflowError where it leaves them
    (NaN where it leaves the real numbers, e.g. ``log(-1)``: that is checked elsewhere)."""
    if number.is_Rational:
        return number.p / number.q  # exact int division: OverflowError beyond a float
    if number.is_NumberSymbol or number.is_Float:
        return float(number)
    args = [_float(a) for a in number.args]
    try:
        if number.is_Add:
            value = math.fsum(args)
        elif number.is_Mul:
            value = math.prod(args)
        elif number.is_Pow:
            value = math.pow(*args)
        elif type(number) in _FLOAT_FUNCTIONS:
            value = _FLOAT_FUNCTIONS[type(number)](*args)
        else:
            return math.nan  # not a function symopt parses: no judgement
    except ValueError:  # a domain error (log(-1), (-1)**0.5): no float overflow
        return math.nan
    if math.isinf(value):
        raise OverflowError(f"{number} overflows a float")
    return value


def _sigmoid(x: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + _exp(-x))


def _relu(x: sympy.Expr) -> sympy.Expr:
    return _compared(sympy.Max)(sympy.S.Zero, x)


def _exp(x: sympy.Expr) -> sympy.Expr:
    _check_power(sympy.E, x)
    return sympy.exp(x)


def _sqrt(x: sympy.Expr) -> sympy.Expr:
    return _power(x, sympy.S.Half)


# name -> (builder, fewest arguments, most arguments or None for any number)
_FUNCTIONS: dict[str, tuple[Callable[..., sympy.Expr], int, int | None]] = {
    "exp": (_exp, 1, 1),
    "log": (sympy.log, 1, 2),
    "sqrt": (_sqrt, 1, 1),
    **{name: (getattr(sympy, name), 1, 1) for name in "sin cos tan sinh cosh tanh".split()},
    "abs": (_compared(_abs), 1, 1),
    "Abs": (_compared(_abs), 1, 1),
    "max": (_compared(sympy.Max), 1, None),
    "Max": (_compared(sympy.Max), 1, None),
    "min": (_compared(sympy.Min), 1, None),
    "Min": (_compared(sympy.Min), 1, None),
    "sigmoid": (_sigmoid, 1, 1),
    "logistic": (_sigmoid, 1, 1),
    "relu": (_relu, 1, 1),
}
_CONSTANTS = {"pi": sympy.pi, "E": sympy.E}
_ALLOWED = ", ".join(sorted(_FUNCTIONS))

_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&"}
_OPERATORS |= {ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~"}
# refused node type -> (reason, child after which the offending token starts)
_REFUSED: dict[type, tuple[str, str | None]] = {
    ast.Attribute: ("attribute access ('.') is not allowed", "value"),
    ast.Subscript: ("indexing ('[...]') is not allowed", "value"),
    ast.Compare: ("comparisons are not allowed", "left"),
    ast.NamedExpr: ("assignment (':=') is not allowed", "target"),
    ast.Tuple: ("tuples are not allowed; commas only separate function arguments", None),
    ast.List: ("lists ('[...]') are not allowed", None),
    ast.Set: ("sets ('{...}') are not allowed", None),
    ast.Dict: ("dicts ('{...}') are not allowed", None),
    ast.Starred: ("unpacking ('*') is not allowed", None),
}


def parse(
    text: str,
    *,
    symbols: Mapping[str, sympy.Expr] | None = None,
    max_length: int = MAX_LENGTH,
) -> sympy.Expr:
    """Turn math text into a SymPy expression, safely (grammar: see the module docstring).

    Parameters
    ----------
    text : str
        The expression, e.g. ``"x^2 + 3*y"``.
    symbols : mapping of str to sympy.Expr, optional
        Names to bind to given SymPy objects instead of ``Symbol(name, real=True)``, e.g. a
        positive symbol, a constant, or ``{"E": Symbol("E")}`` to use ``E`` as a variable.
    max_length : int
        Longest text accepted, in characters.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ParseError
        For anything outside the grammar or the limits, with ``.offset`` the character in
        ``text`` where the trouble starts (``None`` when the whole text is at fault).

    Examples
    --------
    >>> parse("log(x, 2) + relu(y)")
    log(x)/log(2) + Max(0, y)
    >>> k = sympy.Symbol("k", positive=True)
    >>> parse("sqrt(k^2)", symbols={"k": k})
    k
    >>> try:
    ...     parse("x.real")
    ... except ParseError as err:
    ...     print(err.offset, err.reason)
    1 attribute access ('.') is not allowed
    """
    for name, value in (symbols or {}).items():
        if not isinstance(value, sympy.Expr):
            raise VariableError(f"symbols[{name!r}] must be a SymPy expression, got {value!r}")
    source = _Source.read(text, max_length)
    try:
        expr = _Builder(source, symbols or {}).build(source.tree.body, depth=0)
    except RecursionError:
        raise ParseError("the expression is nested too deeply", text) from None
    if _bits(expr) > _MAX_BITS:
        raise ParseError(f"the result has a number with over {MAX_POWER_DIGITS} digits", text)
    return expr


@dataclass(frozen=True)
class _Source:
    """The user's text, the Python code ``ast`` parsed from it, and the way back."""

    text: str
    code: str  # stripped, line breaks as spaces, each '^' token replaced by '**'
    origin: list[int]  # origin[i] is the offset in text of code[i], plus one entry for the end
    char: list[int] | None  # char[b] is the character at UTF-8 byte b of code (None if ASCII)
    tree: ast.Expression

    @classmethod
    def read(cls, text: str, max_length: int) -> _Source:
        if not isinstance(text, str):
            raise ParseError(f"expected a string, got {type(text).__name__}")
        if len(text) > max_length:
            raise ParseError(f"text has {len(text)} characters; the limit is {max_length}", text)
        flat = text.translate(_BLANKS)
        start = len(flat) - len(flat.lstrip(" "))
        body = flat.strip(" ")
        if not body:
            raise ParseError("the text is empty", text)
        _check_brackets(flat, text)
        carets = {start + col for col in _caret_columns(body, start, text)}
        origin = [i for i in range(start, start + len(body)) for _ in range(1 + (i in carets))]
        origin.append(start + len(body))
        code = "".join("**" if i in carets else flat[i] for i in range(start, start + len(body)))
        char = None
        if not code.isascii():
            char = [i for i, ch in enumerate(code) for _ in ch.encode()] + [len(code)]
        return cls(text, code, origin, char, _parse_python(code, origin, text))

    def offset(self, col: int) -> int:
        """Offset in ``text`` of the UTF-8 byte column ``col`` of ``code``."""
        return self.origin[col if self.char is None else self.char[col]]

    def error(self, reason: str, node: ast.AST, after: ast.AST | None = None) -> ParseError:
        """A ParseError at ``node``, or at the first token after ``after`` that is no ')'."""
        if after is None:
            return ParseError(reason, self.text, self.offset(node.col_offset))
        i = self.offset(after.end_col_offset)
        while i < len(self.text) - 1 and self.text[i] in " \t\n\r\x0b\x0c)":
            i += 1
        return ParseError(reason, self.text, i)

    def segment(self, node: ast.AST) -> str:
        return self.text[self.offset(node.col_offset) : self.offset(node.end_col_offset)]


def _check_brackets(flat: str, text: str) -> None:
    """Balance and depth of brackets, checked before Python's parser recurses into them."""
    opened: list[int] = []
    for i, ch in enumerate(flat):
        if ch in _OPENING:
            opened.append(i)
            if len(opened) > MAX_DEPTH:
                raise ParseError(f"brackets are nested more than {MAX_DEPTH} deep", text, i)
        elif ch in _CLOSING:
            if not opened or _OPENING.index(flat[opened.pop()]) != _CLOSING.index(ch):
                raise ParseError(f"'{ch}' does not close a matching bracket", text, i)
    if opened:
        raise ParseError(f"'{flat[opened[-1]]}' is never closed", text, opened[-1])


def _caret_columns(body: str, start: int, text: str) -> list[int]:
    """Columns of the '^' operator tokens in ``body``, after refusing tokens Python must not see."""
    columns = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(body).readline):
            kind, string, col = token.type, token.string, token.start[1]
            if kind == tokenize.OP and string == "^":
                columns.append(col)
            elif kind == tokenize.OP and string == ";":
                raise ParseError("only one expression is allowed (found ';')", text, start + col)
            elif kind == tokenize.STRING:
                raise ParseError("strings are not allowed", text, start + col)
            elif kind == tokenize.COMMENT:
                raise ParseError("comments ('#') are not allowed", text, start + col)
            elif kind == tokenize.NAME and keyword.iskeyword(string):
                reason = f"the Python keyword '{string}' is not allowed"
                raise ParseError(reason, text, start + col)
            elif kind == tokenize.ERRORTOKEN and not string.isspace():
                raise ParseError(f"unexpected character {string!r}", text, start + col)
    except tokenize.TokenError as exc:  # an unterminated triple-quoted string
        raise ParseError(f"cannot tokenize: {exc.args[0]}", text, start) from None
    except (RecursionError, MemoryError):
        raise ParseError("the text is too large to tokenize", text) from None
    return columns


def _parse_python(code: str, origin: list[int], text: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # '1inJ' warns, then fails: the error says enough
            tree = ast.parse(code, mode="eval")
    except SyntaxError as exc:
        col = len(code) if not exc.offset or exc.offset < 1 else min(exc.offset - 1, len(code))
        hint = ""
        if "comma" in exc.msg or "decimal literal" in exc.msg:
            hint = "; write every multiplication with '*', e.g. 2*x"
        reason = exc.msg if exc.msg.startswith("invalid syntax") else f"invalid syntax: {exc.msg}"
        raise ParseError(reason + hint, text, origin[col]) from None
    except (RecursionError, MemoryError):
        raise ParseError("the expression is too deeply nested for Python's parser", text) from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise ParseError(str(exc), text) from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ParseError(f"the expression has {nodes} syntax nodes; the limit is {MAX_NODES}", text)
    return tree


class _Builder:
    """Walks the syntax tree and builds SymPy objects, refusing every node off the whitelist."""

    def __init__(self, source: _Source, symbols: Mapping[str, sympy.Expr]):
        self.source, self.symbols = source, symbols

    def build(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise self.source.error(f"the expression is nested more than {MAX_DEPTH} deep", node)
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            default = f"'{self.source.segment(node)}' ({type(node).__name__}) is not allowed"
            reason, child = _REFUSED.get(type(node), (default, None))
            raise self.source.error(reason, node, getattr(node, child) if child else None)
        try:
            expr = method(node, depth + 1)
        except ParseError:
            raise
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise self.source.error(f"SymPy cannot build this: {exc}", node) from None
        if not isinstance(node, ast.Name | ast.Constant) and expr.has(*_NOT_FINITE_REAL):
            shown = str(expr) if len(str(expr)) <= 40 else str(expr)[:37] + "..."
            reason = f"'{self.source.segment(node)}' is not a finite real number (SymPy: {shown})"
            raise self.source.error(reason, node)
        # before a parent hands it to SymPy, which may evalf it (a literal always fits)
        if not isinstance(node, ast.Constant) and expr.is_number:
            try:
                _check_float(expr)
            except ParseError as exc:
                raise self.source.error(exc.reason, node) from None
        return expr

    def _Constant(self, node: ast.Constant, depth: int) -> sympy.Expr:
        value = node.value
        if isinstance(value, complex):
            raise self.source.error("complex numbers ('1j') are not allowed", node)
        if isinstance(value, int):
            if abs(value) >= 10**MAX_DIGITS:
                raise self.source.error(f"integers may have at most {MAX_DIGITS} digits", node)
            return sympy.Integer(value)
        if isinstance(value, float):
            return self._decimal(node)
        raise self.source.error(f"'{self.source.segment(node)}' is not allowed", node)

    def _decimal(self, node: ast.Constant) -> sympy.Rational:
        """The exact rational a decimal literal spells (never via a binary float)."""
        literal = self.source.segment(node).replace("_", "")
        whole, fraction, exponent = _DECIMAL.fullmatch(literal).groups()
        digits, exponent = whole + fraction, (exponent or "0").lstrip("+")
        huge = len(digits) > MAX_DIGITS or len(exponent.lstrip("-0")) > len(str(MAX_DIGITS))
        if huge or abs(int(exponent)) > MAX_DIGITS:
            reason = f"numbers may have at most {MAX_DIGITS} digits and an exponent up to "
            raise self.source.error(reason + str(MAX_DIGITS), node)
        scale = int(exponent) - len(fraction)
        return sympy.Rational(int(digits) * 10 ** max(scale, 0), 10 ** max(-scale, 0))

    def _Name(self, node: ast.Name, depth: int) -> sympy.Expr:
        name = node.id
        if name.startswith("_"):
            raise self.source.error(f"names starting with '_' are not allowed ('{name}')", node)
        if name in self.symbols:
            return self.symbols[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in _FUNCTIONS:
            raise self.source.error(f"'{name}' is a function: call it, e.g. {name}(x)", node)
        return sympy.Symbol(name, real=True)

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> sympy.Expr:
        if isinstance(node.op, ast.USub):
            return -self.build(node.operand, depth)
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand, depth)
        raise self.source.error(f"operator '{_OPERATORS[type(node.op)]}' is not allowed", node)

    def _BinOp(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        if isinstance(node.op, ast.Add | ast.Sub):
            terms = self._chain(node, ast.Add | ast.Sub, depth)
            return sympy.Add(*(t if isinstance(op, ast.Add) else -t for op, t in terms))
        if isinstance(node.op, ast.Mult | ast.Div):
            chain = self._chain(node, ast.Mult | ast.Div, depth)
            factors = [f if isinstance(op, ast.Mult) else sympy.Pow(f, -1) for op, f in chain]
            if _root_bits(*factors) > _MAX_ROOT_BITS:  # SymPy multiplies them under one root
                raise self.source.error(_too_large("root", _root_bits(*factors)), node)
            return sympy.Mul(*factors)
        if isinstance(node.op, ast.Pow):
            base, exponent = self.build(node.left, depth), self.build(node.right, depth)
            try:
                return _power(base, exponent)
            except ParseError as exc:
                raise self.source.error(exc.reason, node) from None
        symbol = _OPERATORS.get(type(node.op), type(node.op).__name__)
        hint = "; use '/' to divide" if symbol == "//" else ""
        raise self.source.error(f"operator '{symbol}' is not allowed{hint}", node, node.left)

    def _chain(
        self, node: ast.BinOp, ops: type, depth: int
    ) -> list[tuple[ast.operator, sympy.Expr]]:
        """Operands of a left-leaning run like ``a - b + c`` as [(Add, a), (Sub, b), (Add, c)],
        walked without recursion so that long sums stay shallow."""
        right = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            right.append((node.op, node.right))
            node = node.left
        right.append((ast.Add() if ops == ast.Add | ast.Sub else ast.Mult(), node))
        return [(op, self.build(operand, depth)) for op, operand in reversed(right)]

    def _Call(self, node: ast.Call, depth: int) -> sympy.Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            self.build(func, depth)  # refuses attributes, subscripts, ... with their own reason
            reason = "only named functions can be called; write '*' to multiply, e.g. 2*(x + 1)"
            raise self.source.error(reason, node, func)
        if func.id not in _FUNCTIONS:
            reason = f"function '{func.id}' is not allowed; allowed functions: {_ALLOWED}"
            raise self.source.error(reason, func)
        if node.keywords:
            raise self.source.error("keyword arguments are not allowed", node.keywords[0])
        builder, fewest, most = _FUNCTIONS[func.id]
        if not fewest <= len(node.args) <= (most or len(node.args)):
            wanted = f"{fewest}" if fewest == most else f"{fewest} or {most}"
            wanted = f"at least {fewest}" if most is None else wanted
            reason = f"{func.id}() takes {wanted} argument(s), got {len(node.args)}"
            raise self.source.error(reason, node)
        args = [self.build(arg, depth) for arg in node.args]
        try:
            return builder(*args)
        except ParseError as exc:
            raise self.source.error(exc.reason, node) from None


def _bits(expr: sympy.Basic) -> int:
    """Bit length of the largest numerator or denominator among the rationals in ``expr``."""
    rationals = expr.atoms(sympy.Rational)
    return max((max(abs(r.p).bit_length(), r.q.bit_length()) for r in rationals), default=1)


def _largest(expr: sympy.Basic) -> int:
    """Largest numerator or denominator among the rationals in ``expr``."""
    return max((max(abs(r.p), r.q) for r in expr.atoms(sympy.Rational)), default=1)


def _root_bits(*exprs: sympy.Expr) -> int:
    """Total bits of the rationals under roots (``sqrt(7)``, ``(1/3)**(2/5)``) in ``exprs``."""
    roots = {p for e in exprs for p in e.atoms(sympy.Pow) if p.base.is_Rational}
    return sum(_bits(p.base) for p in roots if p.exp.is_Rational and not p.exp.is_Integer)


def _terms(expr: sympy.Expr) -> int:
    """An upper bound on the terms of ``expr.expand()``, capped at ``_MAX_TERMS + 1``."""
    if expr.is_Add:
        count = sum(_terms(arg) for arg in expr.args)
    elif expr.is_Mul:
        count = math.prod(_terms(arg) for arg in expr.args)
    elif expr.is_Pow:  # (a + b)**(n + r) expands into a multinomial of degree n
        degree, base = int(abs(expr.exp.as_coeff_Add()[0])), _terms(expr.base)
        count = math.comb(degree + base - 1, base - 1) if degree <= _MAX_TERMS else degree
        count = max(1 if base == 1 else count, _terms(expr.exp))
    else:  # an atom, or a function: its arguments are expanded on their own
        count = max([1, *(_terms(arg) for arg in expr.args)])
    return min(count, _MAX_TERMS + 1)


def _power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """``base**exponent``, refused where SymPy would compute for long or leave the real numbers.

    A negative number to a fractional power is complex for SymPy, and its assumptions can take
    seconds to find that out (``(-E - 1000)**(-E - 1000)``), so such powers are refused.
    """
    _check_power(base, exponent)
    numbers = base.is_number and exponent.is_number
    if numbers and not exponent.is_Integer and not base.is_extended_nonnegative:
        raise ParseError("a fractional power of a number that is not known to be >= 0 is not real")
    return sympy.Pow(base, exponent)


def _check_power(base: sympy.Expr, exponent: sympy.Expr) -> None:
    """Refuse ``base**exponent`` if SymPy could spend long on the numbers in it.

    SymPy evaluates a rational power of a number at once: ``9**(9**9)``, also inside products
    (``(2*x)**n`` holds ``2**n``); it rewrites ``exp(n*log(2))`` into ``2**n``, and splits
    ``2**(E + n)`` into ``2**n * 2**E`` to compare it.  The digits grow with the numerators and
    denominators in the exponent (a root of huge index hangs too) times the bits of the numbers
    involved.  A root also tests the number under it for primality, at a cost cubic in its bits.
    """
    if not (exponent.is_number or exponent.has(sympy.log)):
        return
    bits = _largest(exponent) * _bits(base)
    root = _bits(base) if exponent.is_Rational and exponent.q > 1 and base.is_number else 0
    if exponent.has(sympy.log):  # exp(n*log(b)) becomes b**n
        bits = max(bits, _largest(exponent) * _bits(exponent))
        root = max(root, _bits(exponent))
    if root > _MAX_ROOT_BITS:
        raise ParseError(_too_large("root", root))
    if bits > _MAX_BITS:
        raise ParseError(_too_large("power", bits))


def _too_large(what: str, bits: int) -> str:
    limit = MAX_POWER_DIGITS if what == "power" else MAX_ROOT_DIGITS
    digits = f"{bits * math.log10(2):.3g}"
    return (
        f"the {what} is too large (SymPy could need numbers of about {digits} digits; "
        f"the limit is {limit})"
    )
