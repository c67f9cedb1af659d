"""``--state FILE``: the whole sandbox (records, clock offset, outbox) as one JSON file.

Written atomically (temporary file in the same directory, fsync, rename), so a crash mid-write
leaves the previous file intact. A file written by a newer schema is refused (LocalStack's rule).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["FORMAT", "read_state_file", "write_state_file"]

FORMAT = "mpqr-sandbox-state/1"


def write_state_file(path: str | os.PathLike[str], content: dict[str, Any]) -> None:
    """Atomically replace ``path`` with ``content`` (plus the format marker)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"format": FORMAT, **content}, separators=(",", ":"), default=str)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_state_file(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The saved content, or ``None`` when the file does not exist yet."""
    target = Path(path)
    if not target.exists():
        return None
    raw = json.loads(target.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f"{target} is not an mpqr sandbox state file ({FORMAT})")
    return raw
