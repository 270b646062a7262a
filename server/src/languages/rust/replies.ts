/**
 * Request/response channels: a channel whose message carries a `oneshot::Sender` for its reply
 * (reqwest's blocking client, hyper's dispatch `Envelope`). Each caller sends one request and waits
 * on its oneshot, so the queue holds at most one message per caller: its bound is the number of
 * callers, not the channel's. Read from text: the constructor's turbofish, or the declared type of
 * the struct field or binding the sender is stored in, with the file's own `type`, `struct` and
 * `enum` definitions expanded a few levels.
 */
import type { SyntaxNode } from './syntax';

const REPLY = /\boneshot::Sender\b/;
const MAX_DEPTH = 4;

/** True when the channel made by `call` (in `let (tx, rx) = call`) carries a oneshot reply in its messages. */
export function carriesReply(text: string, call: SyntaxNode, fnNode: SyntaxNode | undefined): boolean {
  const types: string[] = [];
  const callee = text.slice(call.children[0]?.start ?? call.start, call.children[0]?.end ?? call.start);
  const turbofish = /::<(.*)>$/s.exec(callee);
  if (turbofish) types.push(turbofish[1]!);
  const sender = senderName(text, call);
  if (sender && fnNode) {
    // `Sender { inner: tx, … }`: the field's declared type names the message.
    const body = text.slice(call.end, fnNode.end);
    for (const m of body.matchAll(new RegExp(`\\b(\\w+)\\s*:\\s*${sender}\\b(?!\\s*[.(:])`, 'g'))) {
      types.push(...fieldTypes(text, m[1]!));
    }
  }
  return types.some((t) => mentionsReply(text, t, 0, new Set()));
}

/** The sender's name in `let (tx, rx) = …`. */
function senderName(text: string, call: SyntaxNode): string | undefined {
  const let_ = call.parent?.type === 'let_declaration' ? call.parent : undefined;
  if (!let_) return undefined;
  return /^let\s*\(\s*(?:mut\s+)?(\w+)\s*,/.exec(text.slice(let_.start, call.start))?.[1];
}

/** The declared types of struct fields named `name` in this file (`inner: mpsc::UnboundedSender<Envelope<T, U>>,`). */
function fieldTypes(text: string, name: string): string[] {
  const re = new RegExp(`^\\s*(?:pub(?:\\([^)]*\\))?\\s+)?${name}\\s*:\\s*([^\\n]*?)\\s*,?\\s*$`, 'gm');
  return [...text.matchAll(re)].map((m) => m[1]!);
}

function mentionsReply(text: string, type: string, depth: number, seen: Set<string>): boolean {
  if (REPLY.test(type)) return true;
  if (depth >= MAX_DEPTH) return false;
  for (const m of type.matchAll(/\b[A-Z]\w*/g)) {
    const name = m[0];
    if (seen.has(name)) continue;
    seen.add(name);
    const def = definition(text, name);
    if (def !== undefined && mentionsReply(text, def, depth + 1, seen)) return true;
  }
  return false;
}

/** The text of this file's `type Name = …;`, `struct Name …` or `enum Name { … }`, if there is one. */
function definition(text: string, name: string): string | undefined {
  const m = new RegExp(`\\b(type|struct|enum)\\s+${name}\\b`).exec(text);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  if (m[1] === 'type') {
    const end = text.indexOf(';', start);
    return end < 0 ? undefined : text.slice(start, end);
  }
  // A struct or enum: up to the end of its first balanced `{ … }` or `( … )`, or its `;`.
  let depth = 0;
  for (let i = start; i < text.length && i < start + 4000; i++) {
    const ch = text[i];
    if (ch === '{' || ch === '(') depth++;
    else if (ch === '}' || ch === ')') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    } else if (ch === ';' && depth === 0) return text.slice(start, i);
  }
  return undefined;
}
