import fs from 'node:fs';

export async function handler(path: string): Promise<string> {
  const data = fs.readFileSync(path, 'utf8');
  await fetch(path);
  return data;
}
