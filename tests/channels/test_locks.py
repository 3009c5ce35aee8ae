"""One sender at a time (channels/common/locks.py), shared by WhatsApp and SMS."""

from __future__ import annotations

import asyncio

from channels.common.locks import KeyedLocks


async def test_one_key_waits_its_turn_and_other_keys_do_not() -> None:
    locks = KeyedLocks()
    order: list[str] = []
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with locks.hold("+31612345678"):
            order.append("eerste begint")
            first_in.set()
            await release.wait()
            order.append("eerste klaar")

    async def second() -> None:
        async with locks.hold("+31612345678"):
            order.append("tweede")

    async def other() -> None:
        async with locks.hold("+31687654321"):
            order.append("ander nummer")

    one = asyncio.ensure_future(first())
    await first_in.wait()
    two = asyncio.ensure_future(second())
    await other()  # not held up by the first number's lock
    await asyncio.sleep(0)
    assert order == ["eerste begint", "ander nummer"] and len(locks) == 1
    release.set()
    await asyncio.gather(one, two)
    assert order == ["eerste begint", "ander nummer", "eerste klaar", "tweede"]
    assert len(locks) == 0  # nobody holds or waits: nothing kept


async def test_a_failure_inside_still_lets_the_next_one_in() -> None:
    locks = KeyedLocks()
    try:
        async with locks.hold("k"):
            raise RuntimeError("kapot")
    except RuntimeError:
        pass
    async with locks.hold("k"):
        assert len(locks) == 1
    assert len(locks) == 0
