import { Mutex } from 'async-mutex';

const rates = new Map<string, number>();
const ratesLock = new Mutex();

export async function convert(currency: string, amount: number): Promise<number> {
  const release = await ratesLock.acquire();
  try {
    if (!rates.has(currency)) {
      const response = await fetch(`https://rates.example.com/latest/${currency}`);
      rates.set(currency, Number(await response.text()));
    }
    return amount * (rates.get(currency) ?? 1);
  } finally {
    release();
  }
}
