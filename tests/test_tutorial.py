"""Part 1 of docs/tutorial.md, run as a reader would run it, so the tutorial cannot rot.

The blocks that follow a ``<!-- test: ... -->`` comment are executed in document order:

- ``start NAME``: a console block whose ``$`` line starts a long-running program (the sandbox, the
  receiver); the lines under it are the start of what it prints;
- ``file NAME``: the block is saved as ``NAME`` in the working directory;
- ``pycon``: a Python session, run with doctest in one namespace across blocks;
- ``output NAME``: lines program ``NAME`` prints next (waited for, in order).

The tutorial's ports (8080, 9000) become free ports and ``APP_USR-...`` the printed access token.
Ids (runs of 6+ digits), uuids and long hexadecimal strings are compared by shape, so the document
can show realistic values.
"""

from __future__ import annotations

import doctest
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
pytestmark = pytest.mark.timeout(120)

_MARK = re.compile(r"^<!-- test: (\w+)(?: (\S+))? -->\s*$")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_HEX = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{16,}\b")
_ID = re.compile(r"\d{6,}")
WAIT = 30.0  # seconds for a program's output; notifications arrive in milliseconds when idle


@dataclass(frozen=True)
class Block:
    kind: str
    name: str | None
    text: str
    line: int


def marked_blocks(markdown: str) -> list[Block]:
    """The fenced blocks right after a ``<!-- test: kind [name] -->`` comment, in order."""
    lines = markdown.splitlines()
    blocks = []
    for index, line in enumerate(lines):
        mark = _MARK.match(line)
        if not mark:
            continue
        fence = lines[index + 1]
        assert fence.startswith("```"), f"line {index + 2}: a code block must follow the mark"
        end = lines.index("```", index + 2)
        body = "\n".join(lines[index + 2 : end]) + "\n"
        blocks.append(Block(mark.group(1), mark.group(2), body, index + 3))
    return blocks


def shape(text: str) -> str:
    """Ids, uuids and hexadecimal secrets replaced by placeholders (same rule on both sides)."""
    text = _UUID.sub("<uuid>", text)
    text = _HEX.sub("<hex>", text)
    return _ID.sub("<id>", text)


def line_matches(expected: str, actual: str) -> bool:
    """``actual`` has ``expected``'s shape; ``...`` in ``expected`` stands for anything."""
    pattern = ".*".join(re.escape(part) for part in shape(expected).split("..."))
    return re.fullmatch(pattern, shape(actual).rstrip()) is not None


class ShapeChecker(doctest.OutputChecker):
    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        return super().check_output(shape(want), shape(got), optionflags)


@dataclass
class Program:
    """A long-running command of the tutorial, with what it has printed so far."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    seen: int = 0  # lines already matched against the document

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def expect(self, expected: list[str], where: str) -> None:
        """Wait until the next printed lines match ``expected``, one by one, in order."""
        deadline = time.monotonic() + WAIT
        for want in expected:
            while True:
                found = next(
                    (
                        i
                        for i in range(self.seen, len(self.lines))
                        if line_matches(want, self.lines[i])
                    ),
                    None,
                )
                if found is not None:
                    self.seen = found + 1
                    break
                if time.monotonic() > deadline or self.process.poll() is not None:
                    printed = "\n".join(self.lines)
                    pytest.fail(f"{where}: never printed {want!r}; printed so far:\n{printed}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_listening(port: int, program: Program) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and program.process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"nothing listens on {port}; printed:\n" + "\n".join(program.lines))


class Reader:
    """Follows the tutorial in a temporary directory, block by block."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.ports = {"8080": free_port(), "9000": free_port()}
        self.token: str | None = None
        self.programs: dict[str, Program] = {}
        self.namespace: dict[str, Any] = {"__name__": "__tutorial__"}
        bin_dir = str(Path(sys.executable).parent)  # `python` and `mpqr` of this environment
        self.env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}

    def localize(self, text: str) -> str:
        for doc_port, port in self.ports.items():
            text = text.replace(f"127.0.0.1:{doc_port}", f"127.0.0.1:{port}")
            text = re.sub(rf"(--port |receiver\.py ){doc_port}\b", rf"\g<1>{port}", text)
        if self.token is not None:
            text = text.replace("APP_USR-...", self.token)
        return text

    def run(self, block: Block) -> None:
        where = f"docs/tutorial.md:{block.line}"
        match block.kind:
            case "file":
                assert block.name
                (self.workdir / block.name).write_text(block.text)
            case "start":
                assert block.name
                self.start(block, where)
            case "output":
                assert block.name in self.programs, f"{where}: {block.name} was not started"
                expected = self.localize(block.text).splitlines()
                self.programs[block.name].expect(expected, where)
            case "pycon":
                self.session(block, where)
            case other:
                pytest.fail(f"{where}: unknown mark {other!r}")

    def start(self, block: Block, where: str) -> None:
        command, *expected = self.localize(block.text).splitlines()
        assert command.startswith("$ "), f"{where}: a start block begins with a $ command"
        process = subprocess.Popen(  # noqa: S603 - the tutorial's own command, on loopback
            ["/bin/bash", "-c", command[2:]],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert block.name
        program = self.programs[block.name] = Program(process)
        program.expect(expected, where)
        port = {"sandbox": self.ports["8080"], "receiver": self.ports["9000"]}[block.name]
        wait_listening(port, program)
        if block.name == "sandbox":
            printed = next(line for line in program.lines if "access token:" in line)
            self.token = printed.split("access token:")[1].strip()

    def session(self, block: Block, where: str) -> None:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(
            self.localize(block.text), self.namespace, "tutorial", str(TUTORIAL), block.line
        )
        runner = doctest.DocTestRunner(
            checker=ShapeChecker(), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        )
        report: list[str] = []
        result = runner.run(test, out=report.append, clear_globs=False)
        self.namespace.update(test.globs)
        assert result.failed == 0, f"{where}:\n" + "".join(report)

    def stop(self) -> None:
        for program in self.programs.values():
            program.stop()


# ---- the machinery on its own inputs ---------------------------------------------------------


def test_shapes_and_marks() -> None:
    assert line_matches("ipn payment 87638627600: approved", "ipn payment 12345678: approved")
    assert not line_matches("ipn payment 87638627600: approved", "ipn payment 1234: approved")
    assert not line_matches("closed / paid", "opened / payment_required")
    assert line_matches(
        "token: APP_USR-8633005438261322-120126-283fefc63f0cd0e873a0000c6d07ef7b-244272509",
        "token: APP_USR-1111222233334444-010203-00aa11bb22cc33dd44ee55ff66aa77bb-999999999",
    )
    assert line_matches("mpqr sandbox on ... (API docs ...)", "mpqr sandbox on x (API docs y)")
    assert shape("244272509-c9c1ffef-fdc1-486b-9dbd-358f6156c4df") == "<id>-<uuid>"
    text = "intro\n<!-- test: file a.py -->\n```python\nx = 1\n```\n```text\nnot marked\n```\n"
    assert marked_blocks(text) == [Block("file", "a.py", "x = 1\n", 4)]


def test_the_doctest_checker_still_compares_words() -> None:
    checker = ShapeChecker()
    assert checker.check_output("51656300 CAJA2 True\n", "77 CAJA2 True\n", 0) is False
    assert checker.check_output("51656300 CAJA2 True\n", "987654 CAJA2 True\n", 0) is True


# ---- the tutorial ----------------------------------------------------------------------------


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    follower = Reader(tmp_path)
    yield follower
    follower.stop()


def test_part_1_of_the_tutorial_runs_as_written(reader: Reader) -> None:
    blocks = marked_blocks(TUTORIAL.read_text(encoding="utf-8"))
    kinds = {block.kind for block in blocks}
    assert kinds == {"start", "file", "pycon", "output"}, kinds  # nothing was left unmarked
    for block in blocks:
        reader.run(block)
    sandbox = reader.programs["sandbox"]
    assert sandbox.process.poll() is None, "the sandbox died during the tutorial"
