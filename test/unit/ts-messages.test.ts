// How findings read: code in backticks and prose outside them, whatever shape the context or the call has.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';

function messages(path: string, text: string): string[] {
  const a = analyze({ path, text });
  assert.ok(a, `${path} is analysed`);
  return a.findings.map((f) => f.message);
}

describe('finding messages', () => {
  it('says that std `TcpStream::connect` resolves a host name with blocking DNS', () => {
    // As in reqwest's connect.rs and legacy protocol clients: `connect("host:port")` runs getaddrinfo first.
    const [m] = messages('src/ping.rs', 'pub async fn ping(host: String) -> std::io::Result<()> {\n    let _s = std::net::TcpStream::connect((host.as_str(), 7))?;\n    Ok(())\n}\n');
    assert.match(m!, /blocking DNS \(`getaddrinfo`\).*`tokio::net::TcpStream::connect\(…\)\.await`/);
  });

  it('writes a tuple receiver as rustfmt does, with the space after its comma', () => {
    // reqwest's SOCKS connector: `(host.as_str(), port).to_socket_addrs()` read `(host.as_str(),port)` before.
    const [m] = messages('src/connect.rs', 'use std::net::ToSocketAddrs;\npub async fn connect(host: String, port: u16) {\n    let _a = (host.as_str(),\n        port).to_socket_addrs().ok();\n}\n');
    assert.match(m!, /^`\(host\.as_str\(\), port\)\.to_socket_addrs` blocks/);
  });

  it('names the replacement through the binding the code uses, not the module', () => {
    // node-red's storage modules `require('fs-extra')` as `fs`: the advice must read `fs.stat`, the code's own binding.
    const text = [
      "const fs = require('fs-extra');",
      "const cp = require('child_process');",
      'function readMeta(p) { return fs.readFileSync(p); }',
      'module.exports = {',
      '  list: async function (dir) { const s = fs.statSync(dir); return readMeta(dir) + s.size; },',
      "  id: async function (user) { return cp.execSync(`id -u ${user}`); },",
      '};',
    ].join('\n');
    const [stat, helper, exec] = messages('lib/storage.js', text);
    // A lone `statSync` is a cheap call: a hint, whose message ends with the reason.
    assert.match(stat!, /use `await fs\.stat` instead \(a hint: one metadata system call/);
    assert.match(helper!, /make it async and use `await fs\.readFile`$/);
    assert.match(exec!, /use `\(await util\.promisify\(cp\.exec\)\(…\)\)\.stdout` instead$/);
  });

  it('names handler, callback and anonymous contexts with the code in backticks', () => {
    const ts = messages(
      'a.ts',
      [
        "import fs from 'fs';",
        "import express from 'express';",
        'const app = express();',
        "app.get('/users', (req, res) => { res.send(fs.readFileSync('u')); });",
        "app.get('/a', async (req, res) => { res.send(fs.readFileSync('a')); });",
        "setTimeout(async () => { fs.readFileSync('t'); }, 5);",
        "export const f = async () => { fs.statSync('x'); };",
      ].join('\n'),
    );
    assert.deepEqual(
      ts.map((m) => /blocks the event loop in (.*?):/.exec(m)?.[1]),
      ["the `app.get('/users')` handler", "the `app.get('/a')` handler", 'the `setTimeout` callback', '`f`'],
    );
    const rs = messages(
      'a.rs',
      ['async fn outer() {', '    tokio::spawn(async move { std::thread::sleep(d); });', '    let b = async { std::fs::read("a"); };', '}'].join('\n'),
    );
    assert.deepEqual(
      rs.filter((m) => m.includes('blocks')).map((m) => /blocks the executor thread in (.*?):/.exec(m)?.[1]),
      ['a task in `outer`', 'an async block in `outer`'],
    );
  });
});

describe('finding messages: the code they quote', () => {
  it('leaves comments out of a callee and keeps the slashes of strings, regexes and templates', () => {
    const text = [
      "import fs from 'fs';",
      "import PQueue from 'p-queue';",
      'export async function load(p: string) {',
      '  const a = fs /* sync on purpose */ .readFileSync(p);',
      '  const b = fs // why',
      '    .statSync(p);',
      '  return [a, b];',
      '}',
      "export const q = new PQueue({ timeout: 'http://x'.replace(/\\/\\//g, `${'//'}`).length });",
    ].join('\n');
    assert.deepEqual(messages('a.ts', text).map((m) => /^`(.*?)` /.exec(m)?.[1]), [
      'fs.readFileSync',
      'fs.statSync',
      "new PQueue({ timeout: 'http://x'.replace(/\\/\\//g, `${'//'}`).length })",
    ]);
  });
});

describe('finding messages: long or backticked context names', () => {
  it('quotes only the last member of a callback host that is a long chain or holds a template literal', () => {
    const text = [
      "import fs from 'fs';",
      'export function refresh(currency) {',
      '  return fetch(`https://rates.example.com/latest?base=${currency}`)',
      '    .then((res) => res.json())',
      "    .then((rates) => { fs.writeFileSync('rates.json', JSON.stringify(rates)); });",
      '}',
    ].join('\n');
    assert.deepEqual(
      messages('a.js', text).map((m) => /blocks the event loop in (.*?):/.exec(m)?.[1]),
      ['the `….then` callback'],
    );
  });
});
