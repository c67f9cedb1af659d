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
