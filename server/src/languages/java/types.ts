/**
 * Java names and types: the file's imports, its classes (fields, methods), and the declared types
 * of parameters and locals, so that a call's receiver resolves to a fully qualified type
 * (`ps.executeQuery()` on a `PreparedStatement ps` → `java.sql.PreparedStatement.executeQuery`).
 * Java declares types almost everywhere; where it does not (`var`, a chain), the initialiser's or
 * the receiver's type is inferred from the catalog's return types and Reactor's operators.
 */
import { JAVA_LANG, KNOWN_TYPES } from './catalog';
import { field, type JavaNode } from './syntax';

export const MONO = 'reactor.core.publisher.Mono';
export const FLUX = 'reactor.core.publisher.Flux';
const CF = 'java.util.concurrent.CompletableFuture';

/** Types whose values are Reactive Streams publishers. */
export const PUBLISHER_TYPES: ReadonlySet<string> = new Set([MONO, FLUX, 'reactor.core.publisher.ParallelFlux', 'org.reactivestreams.Publisher']);

/** A class, interface, enum or record declared in the file (or an anonymous class body). */
export interface ClassRec {
  readonly name: string;
  readonly node: JavaNode;
  /** The declaration's modifiers as text (annotations included), `''` for an anonymous class. */
  readonly modifiers: string;
  /** The `extends`/`implements` clauses as text. */
  readonly supers: string;
  readonly outer: ClassRec | undefined;
  readonly fields: Map<string, string>;
  /** Methods by name (overloads in source order), as function ids. */
  readonly methods: Map<string, number[]>;
}

/** The file's imports and the types it declares. */
export class JavaTypes {
  /** Simple name → fully qualified name, from single-type imports. */
  readonly imports = new Map<string, string>();
  /** Packages imported with `.*`. */
  readonly wildcards: string[] = [];
  /** Static member → its class, from `import static a.B.m;`. */
  readonly staticImports = new Map<string, string>();
  /** Every imported name and package, for "does the file use X" tests. */
  readonly importTexts: string[] = [];
  readonly classes = new Map<JavaNode, ClassRec>();
  readonly classesByName = new Map<string, ClassRec>();

  constructor(private readonly text: string) {}

  addImport(node: JavaNode): void {
    const raw = this.text.slice(node.start, node.end).replace(/\s+/g, ' ').replace(/^import\s+/, '').replace(/;$/, '').trim();
    const isStatic = raw.startsWith('static ');
    const name = (isStatic ? raw.slice(7) : raw).replace(/\s+/g, '');
    this.importTexts.push(name);
    if (name.endsWith('.*')) {
      if (!isStatic) this.wildcards.push(name.slice(0, -2));
      return;
    }
    const dot = name.lastIndexOf('.');
    if (dot < 0) return;
    if (isStatic) this.staticImports.set(name.slice(dot + 1), name.slice(0, dot));
    else this.imports.set(name.slice(dot + 1), name);
  }

  /** True when the file imports anything under `prefix` (`reactor.`, `io.vertx.`). */
  importsUnder(prefix: string): boolean {
    return this.importTexts.some((t) => t.startsWith(prefix));
  }

  /** A simple or dotted type name resolved through the file's classes and imports; unknown names stay as written. */
  resolveName(name: string): string {
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    if (head === '') return name;
    // A dotted name starting lower-case is already qualified (`java.util.List`).
    if (dot >= 0 && /^[a-z]/.test(head)) return name;
    const tail = dot >= 0 ? name.slice(dot) : '';
    if (this.classesByName.has(head)) return name;
    const imported = this.imports.get(head);
    if (imported !== undefined) return imported + tail;
    if (JAVA_LANG.includes(head)) return `java.lang.${head}${tail}`;
    for (const pkg of this.wildcards) {
      const known = KNOWN_TYPES.find((k) => k === `${pkg}.${head}`);
      if (known) return known + tail;
    }
    return name;
  }

  /** A declared type as written (`final Mono<List<User>>`, `@NonNull String[]`) resolved to its erasure's name. */
  resolveType(typeText: string): string | undefined {
    let t = typeText.replace(/@[\w.]+(?:\([^)]*\))?/g, '').replace(/\bfinal\b/g, '').replace(/\s+/g, '');
    for (let i = 0; i < 10 && t.includes('<'); i++) t = t.replace(/<[^<>]*>/g, '');
    t = t.replace(/\[\]|\.\.\./g, '');
    if (t === '' || t === 'var' || !/^[\w$.]+$/.test(t)) return undefined;
    return this.resolveName(t);
  }

  /** The type a call returns when the callee says it (Reactor operators keep their publisher type). */
  static resultOf(receiverType: string | undefined, member: string, callee: string | undefined, returns: ReadonlyMap<string, string>): string | undefined {
    if (callee !== undefined) {
      const r = returns.get(callee);
      if (r !== undefined) return r;
    }
    if (receiverType === MONO || receiverType === FLUX) {
      if (/^(?:block|blockOptional|blockFirst|blockLast|toIterable|toStream|subscribe)$/.test(member)) return undefined;
      if (member === 'toFuture') return CF;
      if (/^(?:flatMapMany|thenMany|flux|repeat|concatWith|mergeWith|expand|flatMapIterable|buffer|window)$/.test(member)) return FLUX;
      if (/^(?:collectList|collectMap|collectMultimap|collectSortedList|count|next|last|single|singleOrEmpty|reduce|then|thenReturn|elementAt|hasElements|hasElement|any|all|collect|thenEmpty)$/.test(member)) return MONO;
      return receiverType;
    }
    if (receiverType === CF && !/^(?:get|join|getNow|complete|completeExceptionally|isDone|cancel|isCancelled|isCompletedExceptionally|obtrudeValue)$/.test(member)) return CF;
    return undefined;
  }
}

/** The declared type node of a declaration (`type` field), if any. */
export function declaredType(node: JavaNode): JavaNode | undefined {
  return field(node, 'type');
}
