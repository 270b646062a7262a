// Loads a bare web-tree-sitter parser for the baselines, the same runtime and grammar the frontends use.
import { Language, Parser } from "web-tree-sitter";

export type SitterLanguage = "rust" | "python" | "go" | "java";

const GRAMMARS: Record<SitterLanguage, string> = {
  rust: "tree-sitter-rust/tree-sitter-rust.wasm",
  python: "tree-sitter-python/tree-sitter-python.wasm",
  go: "tree-sitter-go/tree-sitter-go.wasm",
  java: "tree-sitter-java/tree-sitter-java.wasm",
};

/** A parser for `lang`, with the runtime initialised. */
export async function loadSitter(lang: SitterLanguage): Promise<Parser> {
  await Parser.init();
  const language = await Language.load(require.resolve(GRAMMARS[lang]));
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
