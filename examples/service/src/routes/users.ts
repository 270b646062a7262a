import bcrypt from 'bcrypt';
import { Router } from 'express';
import fs from 'node:fs';
import { renderSync } from 'legacy-templates';
import { notifications } from '../notify';

export const userRoutes = Router();

userRoutes.get('/:id/avatar', async (req, res) => {
  // Reads the whole file on the event loop: every other request waits for the disk.
  const image = fs.readFileSync(`/var/avatars/${req.params.id}.png`);
  res.type('png').send(image);
});

userRoutes.post('/', async (req, res) => {
  // bcrypt with cost 12 takes ~250 ms of CPU on the event loop.
  const hash = bcrypt.hashSync(req.body.password, 12);
  const user = await saveUser(req.body.email, hash);
  await notifications.add(() => sendWelcome(user.email));
  res.status(201).json({ id: user.id });
});

userRoutes.get('/:id/profile', async (req, res) => {
  const user = await loadUser(req.params.id);
  res.send(renderSync('profile.html', { user }));
});

async function saveUser(email: string, hash: string): Promise<{ id: string; email: string }> {
  const response = await fetch('http://users.internal/users', { method: 'POST', body: JSON.stringify({ email, hash }) });
  return (await response.json()) as { id: string; email: string };
}

async function loadUser(id: string): Promise<{ id: string; name: string }> {
  const response = await fetch(`http://users.internal/users/${id}`);
  return (await response.json()) as { id: string; name: string };
}

async function sendWelcome(email: string): Promise<void> {
  await fetch('http://mail.internal/send', { method: 'POST', body: JSON.stringify({ to: email, template: 'welcome' }) });
}
