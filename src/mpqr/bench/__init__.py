"""Benchmarks: ``mpqr bench`` (:mod:`.cli`) and what it measures.

- :mod:`.client`: the clients against :mod:`.canned`, a canned raw-asyncio server;
- :mod:`.sandbox`: the sandbox against :mod:`.ceiling`, a bare Starlette app, and whole flows
  (:mod:`.flows`);
- :mod:`.seller`, :mod:`.scale`: the seller server and its growth with history;
- :mod:`.loadgen`: the load generator (child processes; fixed concurrency or fixed rate);
- :mod:`.runner` runs the parts, :mod:`.report` holds the goals and writes the table, JSON and
  Markdown.
"""

from __future__ import annotations

from mpqr.bench.cli import command

__all__ = ["command"]
