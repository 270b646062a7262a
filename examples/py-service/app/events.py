"""In-process events: handlers publish, one consumer task forwards them to the analytics API."""
import asyncio

import httpx


class EventBus:
    def __init__(self):
        self._queue: asyncio.Queue = asyncio.Queue()
        self._client = httpx.AsyncClient(timeout=5)

    def start(self) -> None:
        # Called from the app's startup hook.
        asyncio.create_task(self._consume())

    async def publish(self, event: dict) -> None:
        await self._queue.put(event)

    async def _consume(self) -> None:
        while True:
            event = await self._queue.get()
            await self._client.post("https://analytics.internal/v1/events", json=event)
            self._queue.task_done()
