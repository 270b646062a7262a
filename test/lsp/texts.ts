// Source texts the LSP tests open.

/** A request handler that reads a file synchronously: a real `blocking-in-async` finding. */
export const HANDLER = [
  "import fs from 'node:fs';",
  '',
  'export async function handler(path: string): Promise<string> {',
  "  const data = fs.readFileSync(path, 'utf8');",
  '  await fetch(path);',
  '  return data;',
  '}',
  '',
].join('\n');

/** The same in Rust: a blocking read in an `async fn`, then an awaited sleep. */
export const RUST_HANDLER = [
  'use std::fs;',
  '',
  'pub async fn handler(p: &str) -> String {',
  '    let data = fs::read_to_string(p).unwrap();',
  '    tokio::time::sleep(std::time::Duration::from_millis(1)).await;',
  '    data',
  '}',
  '',
].join('\n');
