// The keystroke sequence shared by the LSP measurement and its in-process baseline, so both replay
// exactly the same edits.

/** One single-character edit: insert `text` at `offset`, or delete the character there when `text` is empty. */
export interface Keystroke {
  readonly offset: number;
  readonly text: string;
}

/**
 * `count` one-character edits spread over the file: a space typed at the start of an evenly spaced
 * non-blank line, then deleted again, so the text returns to its original after every pair and
 * stays syntactically what it was.
 */
export function keystrokes(text: string, count: number): Keystroke[] {
  const starts: number[] = [];
  let at = 0;
  for (const line of text.split("\n")) {
    if (line.trim() !== "") starts.push(at);
    at += line.length + 1;
  }
  const pairs = Math.ceil(count / 2);
  const out: Keystroke[] = [];
  for (let i = 0; i < pairs && starts.length > 0; i++) {
    const offset = starts[Math.floor(((i + 0.5) * starts.length) / pairs)]!;
    out.push({ offset, text: " " }, { offset, text: "" });
  }
  return out.slice(0, count);
}

/** Applies a keystroke to `text`. */
export function applyKeystroke(text: string, k: Keystroke): string {
  return k.text === ""
    ? text.slice(0, k.offset) + text.slice(k.offset + 1)
    : text.slice(0, k.offset) + k.text + text.slice(k.offset);
}

/** 0-based line and UTF-16 character of `offset` in `text`. */
export function positionAt(
  text: string,
  offset: number,
): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (
    let i = text.indexOf("\n");
    i >= 0 && i < offset;
    i = text.indexOf("\n", i + 1)
  ) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}
