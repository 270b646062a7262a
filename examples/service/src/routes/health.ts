import { Router } from 'express';
import fs from 'node:fs';

export const healthRoutes = Router();

// The right way to read a file in a handler: the event loop serves other requests meanwhile.
healthRoutes.get('/', async (_req, res) => {
  const version = await fs.promises.readFile('/etc/orders-service/VERSION', 'utf8');
  res.json({ ok: true, version: version.trim() });
});
