"""Quotes for the checkout: cached in memory under a thread lock, fetched from the pricing service."""
import asyncio
import threading

_cache: dict[str, float] = {}
_cache_lock = threading.Lock()


async def fetch_quote(symbol: str) -> float:
    await asyncio.sleep(0.05)
    return 1.0


async def quote(symbol: str) -> float:
    with _cache_lock:
        if symbol not in _cache:
            _cache[symbol] = await fetch_quote(symbol)
        return _cache[symbol]
