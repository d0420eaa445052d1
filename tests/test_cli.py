"""The ``symopt`` command, run as a user would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from symopt.cli import MAX_SHOWN, main

ROOT = Path(__file__).resolve().parents[1]


def test_help_does_not_import_sympy_or_matplotlib():
    code = (
        "import sys\n"
        "from symopt.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('sympy', 'matplotlib', 'numpy', 'pint') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "analyze" in out.stdout
    assert out.stdout.strip().endswith("[]")


def test_analyze_prints_gradient_hessian_and_taylor(capsys):
    assert main(["analyze", "x^2*y", "--at", "x=1,y=2", "--no-critical"]) == 0
    out = capsys.readouterr().out
    assert "gradient" in out and "Hessian" in out
    # f = x²y at (1, 2): f = 2, ∇f = (4, 1), ½·hᵀHh = 2(x-1)² + 2(x-1)(y-2)
    assert "Taylor polynomial of order 2 at x=1,y=2" in out
    assert "2⋅x⋅y" in out  # the gradient's first entry


def test_analyze_latex(capsys):
    assert main(["analyze", "x^2 + 3*y", "--latex", "--no-critical"]) == 0
    out = capsys.readouterr().out
    assert "x^{2} + 3 y" in out
    assert r"\left[\begin{matrix}2 x\\3\end{matrix}\right]" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "__import__('os')"], "cannot parse"),
        (["analyze", "x + y", "--at", "x=1"], "misses y"),
        (["analyze", "x + y", "--at", "x"], "name=value"),
        (["analyze", "x + y", "--vars", "x,x"], "repeat x"),
    ],
)
def test_analyze_errors_exit_2_with_a_message(argv, message, capsys):
    assert main([*argv, "--no-critical"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symopt analyze: error:")
    assert message in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--objective", "J", "--var", "x1"], "cannot read 'x1': write --var NAME=UNIT"),
        (["--objective", "degC", "--var", "x1=km"], "objective_units is in degree_Celsius"),
        (["--objective", "J", "--var", "x1=kmm"], "variable_units['x1']='kmm' names the unknown"),
    ],
)
def test_units_errors_are_one_line_on_stderr(argv, message, capsys):
    assert main(["units", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"symopt units: error: {message}")
    assert captured.err.count("\n") == 1 and captured.err.endswith("\n")


# -- every user error is one line on stderr and status 2 (issue 18), run as a user would ---


def _symopt(*argv, stdin=None, timeout=120):
    """The real ``symopt`` command, with this worktree first on the path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = "import sys; from symopt.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def _assert_one_line_error(run, command, message):
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.endswith("\n"), run.stderr
    assert run.stderr.startswith(f"symopt {command}: error: ")
    assert message in run.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "x^2", "--timeout", "1e300"], "invalid timeout '1e300'"),  # was OverflowError
        (["analyze", "x^2", "--timeout", "nan"], "a number > 0 and <= 86400"),
        (["analyze", "x^2", "--timeout", "-1"], "invalid timeout '-1'"),
        (["analyze", "x^2", "--order", "two"], "invalid int value: 'two'"),
        (["analyze", "x^2", "--at", "x=1", "--order", "99"], "order=99 is invalid"),
        (["analyze", "x + open(y)"], "at character 4: function 'open' is not allowed"),
        (["analyze", "exp(exp(exp(exp(10))))*x"], "larger than the largest float"),
        (["analyze", "max(" + ",".join(f"x{i}" for i in range(80)) + ")"], "has 80 arguments"),
        (["analyze"], "the following arguments are required: expr"),
    ],
)
def test_analyze_user_errors_are_one_line(argv, message):
    _assert_one_line_error(_symopt(*argv, "--no-critical"), "analyze", message)


@pytest.mark.parametrize(
    ("var", "shown"),
    [
        ("x3=km**300", "'km**300'"),  # crashed the CLI
        ("x3=9**9**9**9 m", "'9**9**9**9 m'"),  # never returned: pint evaluated it
        ("x3=km/1000", "'km/1000'"),  # was read as km
    ],
)
def test_units_var_errors_are_one_line(var, shown):
    run = _symopt("units", "--objective", "J", "--var", "x1=km", "--var", var, timeout=60)
    _assert_one_line_error(run, "units", f"variable_units['x3']={shown}")


def test_tour_into_a_folder_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "tour"  # even root cannot make a folder under a file
    run = _symopt("tour", "--out", str(out), "--only", "surrogate", "--no-progress")
    _assert_one_line_error(run, "tour", str(out))


def test_a_closed_pipe_ends_quietly():
    # `symopt analyze ... | head -1`: the reader goes away after one line
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = "import sys; from symopt.cli import main; sys.exit(main())"
    expr = " + ".join(f"x{i}^2*y{i}" for i in range(40))  # many lines of output
    writer = subprocess.Popen(
        [sys.executable, "-c", code, "analyze", expr, "--no-critical"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    first = writer.stdout.readline()
    writer.stdout.close()  # as head does
    status = writer.wait(timeout=120)
    stderr = writer.stderr.read().decode()
    writer.stderr.close()
    assert first.startswith(b"f(x0, x1")
    assert stderr == ""
    assert status == 0


def test_a_result_too_long_to_print_is_cut_and_says_so(capsys):
    # the order-12 Taylor polynomial of exp(x + y + z + w) has comb(16, 4) = 1820 terms
    argv = ["analyze", "exp(x + y + z + w)", "--at", "w=0,x=0,y=0,z=0", "--order", "12"]
    assert main([*argv, "--no-critical"]) == 0
    out = capsys.readouterr().out
    w, x, y, z = sympy.symbols("w x y z", real=True)
    taylor = sympy.series(sympy.exp(sympy.Symbol("t")), n=13).removeO()
    whole = sympy.expand(taylor.subs(sympy.Symbol("t"), w + x + y + z))  # by SymPy, not symopt
    assert len(str(whole)) > MAX_SHOWN
    assert f"[cut: {len(str(whole))} characters, the limit is {MAX_SHOWN}" in out
    assert "gradient =" in out and len(out) < 3 * MAX_SHOWN
