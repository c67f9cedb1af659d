from datetime import timedelta

import pytest

from mpqr.clock import FrozenClock, SystemClock, VirtualClock
from mpqr.ids import IdFactory


def test_virtual_clock_moves_forward_only() -> None:
    clock = VirtualClock()
    before = clock.now()
    after = clock.advance(3600)
    assert after - before >= timedelta(seconds=3600)
    assert clock.offset == timedelta(hours=1)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)


def test_frozen_clock_stands_still() -> None:
    clock = FrozenClock()
    t0 = clock.now()
    assert clock.now() == t0
    clock.advance(5)
    assert clock.now() - t0 == timedelta(seconds=5)
    assert clock.monotonic() == 5


def test_system_clock_is_aware() -> None:
    assert SystemClock().now().tzinfo is not None


def test_ids_are_deterministic_for_a_seed() -> None:
    a, b = IdFactory(7), IdFactory(7)
    assert [a.number(), a.uuid4(), a.hex(8), a.ulid("ORD")] == [
        b.number(),
        b.uuid4(),
        b.hex(8),
        b.ulid("ORD"),
    ]
    assert len(str(IdFactory(1).number(11))) == 11
    assert IdFactory(1).ulid("ORD").startswith("ORD")
    assert IdFactory(1).number() != IdFactory(2).number()
