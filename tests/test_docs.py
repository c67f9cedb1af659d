"""The docs stand on their own: every relative link and ``#anchor`` in README.md and docs/ resolves,
every repository path quoted in them exists, and none points at material outside the repository.

The checker is a small Markdown reader (fenced code is skipped, headings become GitHub's anchors);
it is tested on its own inputs first, so a checker that finds nothing cannot pass unnoticed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
# material that readers do not have: the team's private reference notes
FORBIDDEN = ("shared/", "mp-api", "peers.md")

_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?\s*\)")
_HREF = re.compile(r"""<a\s[^>]*href=["']([^"']+)["']""", re.IGNORECASE)
_EXPLICIT_ANCHOR = re.compile(r"""<a\s[^>]*(?:id|name)=["']([^"']+)["']""", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_REPO_PATH = re.compile(r"^(?:src|tests|docs|scripts)/[\w./-]*[\w/]$")
_OTHER_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")  # `owner/name` of another project


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of everything outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: plain text, lower case, punctuation dropped, spaces -> '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    kept = "".join(
        ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN"
    )  # letters, numbers, space, hyphen, underscore
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown file defines: its headings (numbered when repeated) and <a id>."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose_lines(text):
        found.update(_EXPLICIT_ANCHOR.findall(line))
        heading = _HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> Iterator[tuple[int, str]]:
    """(line, target) of every inline link, image and <a href> outside code."""
    for number, line in prose_lines(text):
        outside_code = _CODE_SPAN.sub("", line)
        for pattern in (_LINK, _IMAGE, _HREF):
            for target in pattern.findall(outside_code):
                yield number, target


def check_file(path: Path, root: Path = ROOT) -> list[Problem]:
    text = path.read_text(encoding="utf-8")
    name = str(path.relative_to(root))
    problems = [
        Problem(f"{name}:{number}", f"mentions {word!r} (material outside the repository)")
        for number, line in enumerate(text.splitlines(), start=1)
        for word in FORBIDDEN
        if word in line
    ]
    for number, target in links(text):
        problems.extend(_check_link(path, root, f"{name}:{number}", target))
    for number, line in prose_lines(text):
        for span in _repo_paths(line, root):
            if not (root / span).exists():
                problems.append(Problem(f"{name}:{number}", f"`{span}` does not exist"))
    return problems


def _repo_paths(line: str, root: Path) -> Iterator[str]:
    """Code spans naming a path of this repository (``src/...``, ``tests/...``, ``docs/...``); a
    path right after another project's name (`` `owner/repo` `path` ``) belongs to that project."""
    previous = ""
    for span in _CODE_SPAN.findall(line):
        foreign = _OTHER_REPO.match(previous) and not (root / previous).exists()
        if _REPO_PATH.match(span) and not foreign:
            yield span
        previous = span


def _check_link(path: Path, root: Path, where: str, target: str) -> list[Problem]:
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # http:, https:, mailto:
        return []
    file_part, _, anchor = target.partition("#")
    linked = (path.parent / file_part).resolve() if file_part else path
    if not linked.is_relative_to(root):
        return [Problem(where, f"{target} leaves the repository")]
    if not linked.exists():
        return [Problem(where, f"{target}: {file_part} does not exist")]
    if anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text("utf-8")):
        return [Problem(where, f"{target}: no heading or anchor #{anchor} in {linked.name}")]
    return []


# ---- the checker on its own inputs -----------------------------------------------------------


def test_slugs_follow_github() -> None:
    assert slug("Legacy attended orders") == "legacy-attended-orders"
    assert slug("`mpqr demo` and the cashier UI") == "mpqr-demo-and-the-cashier-ui"
    assert slug("4. The hybrid PUT answer") == "4-the-hybrid-put-answer"
    assert slug("Choices where Mercado Pago is ambiguous (§16)") == (
        "choices-where-mercado-pago-is-ambiguous-16"
    )
    assert slug("Cómo integrar: QR / [atendido](x.md)") == "cómo-integrar-qr--atendido"
    text = '# A\n## A\n```\n# not a heading\n```\n<a id="here"></a>\n'
    assert anchors(text) == {"a", "a-1", "here"}


def test_the_checker_finds_each_kind_of_problem(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text("# Present\n")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# Title\n"
        "[ok](other.md#present) [self](#title) [web](https://example.com/x) `src/` is not a path\n"
        "[gone](missing.md) [no anchor](other.md#absent) [here](#nowhere)\n"
        "See shared/reference/notes.md and the mp-api notes, peers.md too.\n"
        "Quoted path: `docs/nothing.md`; [outside](../../etc/passwd)\n"
        "Elsewhere: `someone/project` `tests/test_theirs.py` is theirs\n"
        "```\n[in code](ignored.md) shared/ in a code block still counts\n```\n"
    )
    found = [str(p) for p in check_file(page, tmp_path)]
    assert len(found) == 9, found
    assert any("missing.md does not exist" in p for p in found)
    assert any("#absent in other.md" in p for p in found)
    assert any("#nowhere in page.md" in p for p in found)
    assert sum("material outside the repository" in p for p in found) == 4
    assert any("`docs/nothing.md` does not exist" in p for p in found)
    assert any("leaves the repository" in p for p in found)


# ---- the real docs ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_docs_links_anchors_and_references(path: Path) -> None:
    problems = check_file(path)
    assert not problems, "\n".join(str(p) for p in problems)
