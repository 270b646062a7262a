/**
 * Where a Java callee lives in the project, for the linker (engine/linker.ts).
 *
 * The frontend names a call through its receiver's declared type (builder.ts `calleeOf`): a type the
 * file imports is fully qualified (`com.acme.data.UserRepository.findById`), a type of the file's
 * own package is left as written (`UserRepository.findById`: Java needs no import for it). A class
 * lives in `<package folders>/<Class>.java` under a source root, so a qualified name is looked for
 * under every folder above the calling file (the calling file's own source root is one of them,
 * whatever the build calls it) and under the project's source roots (`ProjectLayout.javaRoots`:
 * `src/main/java` and the like, for the other modules of a multi-module build); an unqualified one
 * in the calling file's folder, which is its package. The export name is the class and the member
 * (`UserRepository.findById`, `Outer.Inner.load`). The JDK's packages (`java.`, `javax.`, …) are
 * never looked up; a library's (`reactor.`, `org.springframework.`, `io.netty.`, …) only from a
 * file in that package's tree (analysing Spring, Netty or an Apache project itself).
 * Pure: paths in, paths out.
 */
import type { LinkTarget, ModuleLocation, ModuleResolver, ProjectLayout } from '../../engine/linker';

/** Packages of the JDK and the languages' runtimes: never project code. */
const PLATFORM = /^(?:java|javax|jakarta|jdk|sun|com\.sun|kotlin|scala|groovy)\./;
/**
 * Packages of the libraries the catalog knows: library code in an application, but the project's
 * own code when it is Spring, Netty or an Apache project (a source root of the project holds that
 * package), so they are looked up only then.
 */
const LIBRARY = /^(?:reactor|org\.reactivestreams|org\.springframework|io\.netty|io\.vertx|io\.projectreactor|org\.slf4j|org\.apache|com\.fasterxml|io\.micrometer|io\.github\.resilience4j|org\.junit|org\.mockito|org\.assertj|com\.google|lombok|org\.hibernate|io\.grpc|okhttp3|retrofit2|software\.amazon|com\.amazonaws|io\.r2dbc|org\.jooq|com\.zaxxer|org\.postgresql|com\.mysql|redis\.clients|io\.lettuce|org\.elasticsearch|co\.elastic|com\.netflix|io\.opentelemetry|org\.bson|com\.mongodb)\./;

/**
 * True when a library's package is the calling file's project's own: the file sits in that
 * package's tree (`…/org/springframework/…`), as every file of Spring, Netty or an Apache project
 * does. An application's files are not in it, so their calls into the library are never looked up
 * (nor kept in their summaries).
 */
function ownLibrary(callee: string, fromPath: string): boolean {
  const head = LIBRARY.exec(callee)?.[0].slice(0, -1);
  return head !== undefined && fromPath.includes(`/${head.split('.').join('/')}/`);
}

/** `[package.]Class[.Inner].member`: a package of lower-case segments, then a capitalised class. */
const SHAPE = /^(?:[a-z_][\w$]*\.)*[A-Z][\w$]*(?:\.[A-Z][\w$]*)*\.[a-z_$][\w$]*$/;
/** How many folders above the calling file a qualified name is looked for under. */
const MAX_ANCESTORS = 16;

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? path.slice(0, i + 1) : path.slice(0, i);
}

/** The callee split at its class: the package's folders, the class's file name, and the export name. */
function split(callee: string): { pkg: string[]; cls: string; name: string } | undefined {
  if (!SHAPE.test(callee) || PLATFORM.test(callee)) return undefined;
  const segments = callee.split('.');
  const k = segments.findIndex((s) => /^[A-Z]/.test(s));
  if (k < 0) return undefined;
  return { pkg: segments.slice(0, k), cls: segments[k]!, name: segments.slice(k).join('.') };
}

export const javaResolver: ModuleResolver = {
  mayLink(callee: string, fromPath?: string): boolean {
    return split(callee) !== undefined && (fromPath === undefined || !LIBRARY.test(callee) || ownLibrary(callee, fromPath));
  },
  targets(callee: string, fromPath: string, layout?: ProjectLayout): LinkTarget[] {
    const s = split(callee);
    if (!s || (LIBRARY.test(callee) && !ownLibrary(callee, fromPath))) return [];
    const from = dirname(fromPath);
    if (s.pkg.length === 0) return [{ module: { files: [`${from}/${s.cls}.java`] }, name: s.name }];
    const rel = `${s.pkg.join('/')}/${s.cls}.java`;
    const roots: string[] = [];
    let d = from;
    for (let i = 0; i < MAX_ANCESTORS; i++) {
      roots.push(d);
      const up = dirname(d);
      if (up === d || up === '') break;
      d = up;
    }
    for (const r of layout?.javaRoots ?? []) if (!roots.includes(r)) roots.push(r);
    const files = roots.map((r) => (r.endsWith('/') ? `${r}${rel}` : `${r}/${rel}`));
    return [{ module: { files }, name: s.name }];
  },
  module(): ModuleLocation | undefined {
    // Java has no re-exports.
    return undefined;
  },
};
