"""The ``symopt`` command, run as a user would."""

import subprocess
import sys

import pytest

from symopt.cli import main


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
