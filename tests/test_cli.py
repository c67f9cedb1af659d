import subprocess
import sys

from click.testing import CliRunner

from mpqr import __version__
from mpqr.cli import main


def test_version_and_help() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "mpqr" in result.output


def test_console_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mpqr", "--version"], capture_output=True, text=True, check=True
    )
    assert __version__ in out.stdout


def test_help_lists_every_part() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1]
    for name in ("demo", "qr", "sandbox", "serve"):
        assert f"\n  {name} " in commands, result.output


def test_an_unknown_command_says_so() -> None:
    result = CliRunner().invoke(main, ["sandbx"])
    assert result.exit_code == 2
    assert "No such command 'sandbx'" in result.output
