import * as fs from 'fs';

interface Request {
  readonly path: string;
}

async function audit(event: string): Promise<void> {
  console.log(event);
}

export async function handleUpload(req: Request): Promise<number> {
  await audit('upload started');
  const text = fs.readFileSync(req.path, 'utf8');
  await audit('upload read');
  return text.length;
}
