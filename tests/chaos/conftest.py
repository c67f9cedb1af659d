"""Start the CI-sized chaos runs as soon as the session knows it will run them.

The six runs (three integrations × SQLite and PostgreSQL) take minutes of CPU. Rather than start
them when their tests come up, this starts them right after collection, at a lower CPU priority
(``nice``), and moves their tests to the end of the session: they soak up the CPU the rest of the
suite leaves idle (it waits on browsers, sockets and timers most of the time), and their tests
collect the reports. Nothing about what the runs check changes; only when they run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from chaos_runs import ChaosRuns

_RUNS_KEY = pytest.StashKey[ChaosRuns]()


def _is_chaos(item: pytest.Item) -> bool:
    return Path(str(item.fspath)).parent == Path(__file__).parent


@pytest.hookimpl(trylast=True)  # after -k / -m deselection: start only what will run
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    chaos = [item for item in items if _is_chaos(item)]
    if not chaos or config.option.collectonly:
        return
    items[:] = [item for item in items if not _is_chaos(item)] + chaos
    workroot = config._tmp_path_factory.mktemp("chaos", numbered=True)  # type: ignore[attr-defined]
    runs = ChaosRuns(workroot)
    config.stash[_RUNS_KEY] = runs
    runs.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    runs = session.config.stash.get(_RUNS_KEY, None)
    if runs is not None:
        runs.stop()


@pytest.fixture(scope="session")
def chaos_runs(pytestconfig: pytest.Config) -> ChaosRuns:
    runs = pytestconfig.stash.get(_RUNS_KEY, None)
    if runs is None:  # collected without the hook (should not happen): start them now
        runs = ChaosRuns(pytestconfig._tmp_path_factory.mktemp("chaos"))  # type: ignore[attr-defined]
        pytestconfig.stash[_RUNS_KEY] = runs
        runs.start()
    if runs.skip_reason:
        pytest.skip(runs.skip_reason)
    return runs
