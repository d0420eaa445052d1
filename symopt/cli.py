"""The ``symopt`` command.

``symopt analyze EXPR``  gradient, Hessian, Taylor polynomial and critical points;
``symopt units``         the dimensional analysis of every update rule;
``symopt tour``          runs the lecture's worked examples into a folder;
``symopt explain EXPR``  the lecture applied to one function (text, and report.html).

Only the standard library is imported until a sub-command runs, so ``symopt --help``
answers at once.

Every error a user can cause (bad text, options, units, a folder that cannot be written,
input too large for SymPy) is one line on stderr and exit status 2, never a traceback; a
reader that closes the pipe early (``symopt analyze ... | head``) ends the run quietly.
An expression longer than ``MAX_SHOWN`` characters is cut when printed, and says so.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence

from symopt.errors import ParseError, PointError, SymoptError

MAX_SHOWN = 20_000  # characters of one printed expression


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (no usage block), exit status 2 as before."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {message}; see {self.prog} --help\n")


def _seconds(text: str) -> float:
    from symopt.critical.points import MAX_TIMEOUT  # one bound for Python and the CLI

    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"invalid timeout {text!r}: give seconds, a number > 0 and <= {MAX_TIMEOUT:g}"
        )
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symopt",
        description="Symbolic-plus-numeric optimization, from the lecture "
        "'Optimization in deep learning'.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    analyze = commands.add_parser(
        "analyze",
        help="gradient, Hessian, Taylor polynomial and critical points of an expression",
        description="Derive and classify: e.g. symopt analyze 'x**3 + y**3 - 3*x*y'",
    )
    analyze.add_argument("expr", help="the objective, e.g. 'x^2 + 3*y' (parsed safely)")
    analyze.add_argument("--vars", help="variables in order, e.g. x,y (default: all symbols)")
    analyze.add_argument("--at", help="a point for the Taylor polynomial, e.g. x=1,y=2")
    analyze.add_argument("--order", type=int, default=2, help="Taylor order (default 2)")
    analyze.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    analyze.add_argument(
        "--timeout", type=_seconds, default=10.0, help="seconds for critical points (default 10)"
    )
    analyze.add_argument("--no-critical", action="store_true", help="skip the critical points")

    units = commands.add_parser(
        "units",
        help="which update rules are dimensionally consistent",
        description="e.g. symopt units --objective J --var x1=km --var x2=mm",
    )
    units.add_argument("--objective", required=True, help="units of the objective, e.g. J")
    units.add_argument(
        "--var",
        action="append",
        required=True,
        metavar="NAME=UNIT",
        help="a variable and its units, once per variable, in order",
    )

    tour = commands.add_parser(
        "tour",
        help="run the lecture's worked examples and write their figures",
        description="Runs examples/NN_*.py and writes figures and index.html into --out.",
    )
    tour.add_argument("--out", default="symopt-tour", help="output folder (default symopt-tour)")
    tour.add_argument(
        "--only",
        nargs="*",
        metavar="NAME",
        help="run only the examples whose names contain one of these words",
    )
    tour.add_argument("--list", action="store_true", help="list the examples and stop")
    tour.add_argument("--no-progress", action="store_true", help="no progress bar")

    explain = commands.add_parser(
        "explain",
        help="the lecture applied to one function: minima, saddles, learning rates, rates",
        description="e.g. symopt explain 'x**3 + y**3 - 3*x*y' --lr 0.1; other "
        "hyper-parameters as --NAME VALUE (--optimizer momentum --lr 0.05 --mu 0.5)",
    )
    explain.add_argument("expr", help="the objective, e.g. 'x^4 - 3*x^2 + y^2' (parsed safely)")
    explain.add_argument("--optimizer", help="a symopt.optim name (default gd when --lr is given)")
    explain.add_argument("--objective", metavar="UNIT", help="units of the objective, e.g. J")
    explain.add_argument(
        "--var", action="append", metavar="NAME=UNIT", help="a variable's units, once per variable"
    )
    explain.add_argument("--out", help="write report.html and the figures into this folder")
    explain.add_argument(
        "--timeout", type=_seconds, default=10.0, help="seconds for critical points (default 10)"
    )
    return parser


def _split_assignments(text: str) -> dict[str, str]:
    pairs = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise PointError(f"cannot read {item!r}: write points as name=value, e.g. x=1,y=2")
        pairs[name.strip()] = value.strip()
    return pairs


def _show(expr, latex: bool) -> str:
    import sympy as sp

    size = len(str(expr))
    if size > MAX_SHOWN:  # SymPy's pretty printer is slow and deep on such trees
        return (
            f"{str(expr)[:MAX_SHOWN]} ... [cut: {size} characters, the limit is {MAX_SHOWN}; "
            "use symopt from Python for the whole expression]"
        )
    return sp.latex(expr) if latex else sp.pretty(expr, use_unicode=True)


def analyze(args: argparse.Namespace) -> str:
    """The text that ``symopt analyze`` prints."""
    from symopt.symbolic.objective import Objective

    variables = args.vars.replace(",", " ") if args.vars else None
    f = Objective(args.expr, variables)
    names = ", ".join(map(str, f.variables))
    blocks = [
        f"f({names}) =\n{_show(f.expr, args.latex)}",
        f"gradient =\n{_show(f.gradient, args.latex)}",
        f"Hessian =\n{_show(f.hessian, args.latex)}",
    ]
    if args.at:
        point = _split_assignments(args.at)
        taylor = f.taylor(point, args.order)
        blocks.append(
            f"Taylor polynomial of order {args.order} at {args.at} =\n{_show(taylor, args.latex)}"
        )
    if not args.no_critical:
        points = f.critical_points(timeout=args.timeout)
        blocks.append(f"critical points:\n{points._repr_latex_() if args.latex else points}")
    return "\n\n".join(blocks)


def units(args: argparse.Namespace) -> str:
    """The text that ``symopt units`` prints."""
    from symopt.units import units_command

    return units_command(args.objective, args.var)


def tour(args: argparse.Namespace) -> str:
    """Run the tour; returns the closing summary."""
    from symopt.tour.runner import run_tour

    return run_tour(args.out, only=args.only, list_only=args.list, progress=not args.no_progress)


def _hyperparameters(extra: Sequence[str]) -> dict[str, object]:
    """``--lr 0.05 --mu 0.5 --betas 0.9,0.999`` as ``{"lr": 0.05, ...}`` (numbers; a
    comma makes a tuple)."""
    from symopt.errors import HyperparameterError

    out: dict[str, object] = {}
    items = list(extra)
    while items:
        flag = items.pop(0)
        name = flag.lstrip("-").replace("-", "_")
        if not flag.startswith("--") or not name or not items:
            raise HyperparameterError(
                flag, None, "hyper-parameters as --NAME VALUE, e.g. --lr 0.05 --mu 0.5"
            )
        text = items.pop(0)
        try:
            values = tuple(float(v) for v in text.split(","))
        except ValueError:
            raise HyperparameterError(name, text, "a number (or numbers a,b)") from None
        out[name] = values if len(values) > 1 else values[0]
    return out


def explain(args: argparse.Namespace, extra: Sequence[str] = ()) -> str:
    """The text that ``symopt explain`` prints (and ``--out``: report.html beside)."""
    from symopt.explain import explain as explain_
    from symopt.symbolic.objective import Objective

    units = None
    if args.objective or args.var:
        if not (args.objective and args.var):
            raise PointError("give both --objective UNIT and --var NAME=UNIT for units")
        units = _split_assignments(",".join(args.var))
    f = Objective(args.expr, units=units, value_units=args.objective)
    hyper = _hyperparameters(extra)
    optimizer = args.optimizer
    if optimizer is not None or hyper:
        from symopt.explain.optimizer import resolve

        optimizer = resolve(optimizer, hyper).optimizer
    e = explain_(f, optimizer, timeout=args.timeout, out=args.out)
    where = f"\nreport: {e.files['report.html']}" if args.out else ""
    return e.to_text() + where


def _one_line(err: BaseException) -> str:
    """The message of ``err`` on one line (a ParseError's echo of the text and caret go)."""
    if isinstance(err, OSError) and err.filename:  # e.g. tour --out under a file
        return f"{err.strerror or err}: {err.filename}"
    if isinstance(err, RecursionError | MemoryError | OverflowError):
        return f"the input is too large for SymPy ({type(err).__name__}); make it smaller"
    lines = str(err).splitlines()
    if isinstance(err, ParseError):
        lines = lines[:1]
    return " ".join(line.strip() for line in lines if line.strip())


def _print(text: str) -> None:
    """Print, and end quietly if the reader closed the pipe (``| head``)."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``symopt`` console script."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "explain":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler = {"analyze": analyze, "units": units, "tour": tour}.get(args.command)
    handler = handler or (lambda a: explain(a, extra))
    try:
        _print(handler(args))
    except BrokenPipeError:
        return 0
    except (SymoptError, OSError, RecursionError, MemoryError, OverflowError) as err:
        print(f"symopt {args.command}: error: {_one_line(err)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
