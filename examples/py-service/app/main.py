"""A FastAPI catalog service: product pages enriched from a pricing API and a stock file."""
import asyncio
import json
import time

import requests
from fastapi import FastAPI

from .cache import PriceCache
from .events import EventBus

app = FastAPI()
prices = PriceCache("https://pricing.internal/v1/prices")
bus = EventBus()
app.add_event_handler("startup", bus.start)


@app.get("/products/{sku}")
async def product(sku: str):
    # The pricing API through a blocking client: every other request waits for it.
    resp = requests.get(f"https://pricing.internal/v1/products/{sku}", timeout=5)
    resp.raise_for_status()
    with open("/var/lib/catalog/stock.json") as f:
        stock = json.load(f)
    return {"sku": sku, "price": resp.json()["price"], "stock": stock.get(sku, 0)}


@app.get("/products/{sku}/price")
async def price(sku: str):
    return {"sku": sku, "price": await prices.get(sku)}


@app.post("/products/{sku}/viewed")
async def viewed(sku: str):
    await bus.publish({"type": "viewed", "sku": sku})
    return {"ok": True}


@app.get("/legacy/products/{sku}")
def legacy_product(sku: str):
    # A sync endpoint: FastAPI runs it in its thread pool, so blocking here is fine.
    resp = requests.get(f"https://pricing.internal/v1/products/{sku}", timeout=5)
    return resp.json()


@app.get("/healthz")
async def healthz():
    started = time.monotonic()
    await asyncio.sleep(0)
    return {"ok": True, "loop_lag": time.monotonic() - started}
