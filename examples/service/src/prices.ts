import { Mutex } from 'async-mutex';

const prices = new Map<string, number>();
const pricesLock = new Mutex();

/** Refreshes the in-memory price cache. */
export async function refreshPrices(): Promise<void> {
  const release = await pricesLock.acquire();
  try {
    // Every reader of the cache waits behind this HTTP call: fetch first, then take the lock.
    const response = await fetch('https://prices.example.com/v1/latest');
    const latest = (await response.json()) as Record<string, number>;
    for (const [sku, price] of Object.entries(latest)) prices.set(sku, price);
  } finally {
    release();
  }
}

export async function priceOf(sku: string): Promise<number | undefined> {
  return pricesLock.runExclusive(() => prices.get(sku));
}

export function startPriceRefresh(): void {
  setInterval(() => void refreshPrices(), 60_000);
}
