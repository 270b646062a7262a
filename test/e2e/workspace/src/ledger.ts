import { Mutex } from 'async-mutex';

type Entry = { account: string; amount: number };

const balances = new Map<string, number>();
const balancesLock = new Mutex();

export async function credit(entry: Entry): Promise<number> {
  const release = await balancesLock.acquire();
  try {
    balances.set(entry.account, (balances.get(entry.account) ?? 0) + entry.amount);
    await fetch('https://audit.example.com/ledger', {
      method: 'POST',
      body: JSON.stringify(entry),
    });
  } finally {
    release();
  }
  return balances.get(entry.account) ?? 0;
}
