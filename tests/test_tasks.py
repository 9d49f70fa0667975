import asyncio

from seatcore.tasks import stop_tasks


async def test_stops_a_task_that_swallows_its_first_cancellation() -> None:
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed += 1  # what a retry loop does when a library turns cancel into an error

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(stop_tasks([task]), timeout=10)
    assert task.cancelled() and swallowed == 1


async def test_grace_lets_a_finishing_task_end_on_its_own() -> None:
    async def quick() -> str:
        await asyncio.sleep(0.01)
        return "done"

    task = asyncio.create_task(quick())
    await stop_tasks([task], grace_s=5)
    assert task.result() == "done"
