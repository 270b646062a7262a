// A summary lists each callee an export reaches once per kind (sync or not): a function that calls
// the same validation helper for every field of a form must not spend the summary's ref budget on
// repeats and lose the helper at the end that blocks.
import assert from 'node:assert/strict';
import { analyzeProject } from '../../server/src/project/link';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';

const FIELDS = Array.from({ length: 60 }, (_, i) => `field${i + 1}`);

const VALIDATE = [
  'export function requireField(form: Record<string, string>, name: string): void {',
  "  if (!form[name]) throw new Error(`${name} is required`);",
  '}',
  '',
].join('\n');
const PASSWORD = [
  "import bcrypt from 'bcryptjs';",
  '',
  'export function hashPassword(plain: string): string {',
  '  return bcrypt.hashSync(plain, 12);',
  '}',
  '',
].join('\n');
const USERS = [
  "import { requireField } from './validate';",
  "import { hashPassword } from './password';",
  '',
  'export function newUser(form: Record<string, string>) {',
  ...FIELDS.map((f) => `  requireField(form, '${f}');`),
  '  return { email: form.email, hash: hashPassword(form.password) };',
  '}',
  '',
].join('\n');
const ROUTE = [
  "import type { Router } from 'express';",
  "import { newUser } from './users';",
  '',
  'export function mount(router: Router): void {',
  "  router.post('/signup', async (req, res) => {",
  '    res.json(newUser(req.body));',
  '  });',
  '}',
  '',
].join('\n');

describe('cross-file summaries: refs', () => {
  const files = Object.entries({ '/p/src/validate.ts': VALIDATE, '/p/src/password.ts': PASSWORD, '/p/src/users.ts': USERS, '/p/src/route.ts': ROUTE }).map(([path, text]) => ({
    path,
    text,
    config: DEFAULT_CONFIG,
    options: {},
    shown: path.slice(3),
  }));

  it('lists a helper called for every field once, and keeps the call after the repeats', () => {
    const { summaries } = analyzeProject(files);
    const newUser = summaries.get('/p/src/users.ts')!.exports.find((e) => e.name === 'newUser')!;
    assert.deepEqual(
      newUser.refs.map((r) => `${r.callee} sync=${r.sync} line=${r.hops[r.hops.length - 1]!.range.line + 1}`),
      ['./validate.requireField sync=true line=5', './password.hashPassword sync=true line=65'],
    );
  });

  it('reports the blocking hash behind the repeated validation at the handler', () => {
    const { analyses } = analyzeProject(files);
    const route = analyses.get('/p/src/route.ts')!;
    assert.deepEqual(
      route.findings.map((f) => `${route.lines.position(f.span.start).line + 1}:${f.rule}`),
      ['6:blocking-in-async'],
    );
    // Summaries leave the file out of their hops; the linked chain names each hop's file again.
    assert.match(route.findings[0]!.message, /`newUser` \(src\/users\.ts:65\) → `hashPassword` \(src\/password\.ts:4\)/);
  });

  it('leaves the file out of a summary\'s hops (it is the summary\'s own)', () => {
    const { summaries } = analyzeProject(files);
    for (const s of summaries.values()) {
      for (const e of s.exports) {
        for (const h of [...e.refs.flatMap((r) => r.hops), ...(e.blocks?.hops ?? [])]) assert.deepEqual(Object.keys(h).sort(), ['call', 'function', 'range'], `${s.path} ${e.name}`);
      }
    }
  });
});
