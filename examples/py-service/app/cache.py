"""A price cache shared by the handlers."""
import threading

import httpx


class PriceCache:
    def __init__(self, base_url: str):
        self._base_url = base_url
        self._prices: dict[str, float] = {}
        self._lock = threading.Lock()
        self._client = httpx.AsyncClient(timeout=5)

    async def get(self, sku: str) -> float:
        with self._lock:
            if sku not in self._prices:
                # The thread lock stays held while the task waits for the network.
                resp = await self._client.get(f"{self._base_url}/{sku}")
                self._prices[sku] = resp.json()["price"]
            return self._prices[sku]
