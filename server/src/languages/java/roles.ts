/**
 * What Java syntax says about where code runs: JUnit and TestNG test and lifecycle methods
 * (`@Test`, `@ParameterizedTest`, `@BeforeEach`, …) are test code, and so is every method of a class
 * that has one; a file that imports JMH (`org.openjdk.jmh.`) is a benchmark harness, wherever its
 * build keeps it (the Gradle plugin's `src/jmh/java`, a `benchmarks` module's `src/main/java`). Paths (`src/test/java`, `*Test.java`, `*IT.java`) are the engine's (roles-paths.ts);
 * a `main` is read by the engine from the call structure (startup until `SpringApplication.run`, else
 * a one-shot program).
 */
import type { RoleFact, RoleFacts } from '../../engine/model';
import type { JavaState } from './builder';

const TEST_ANNOTATION = /@(?:org\.junit(?:\.jupiter\.api)?\.|org\.testng\.annotations\.)?(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate|BeforeEach|AfterEach|BeforeAll|AfterAll|Before|After|BeforeClass|AfterClass|BeforeMethod|AfterMethod)\b/;

/** Calls that start serving: Spring Boot, Vert.x, Netty and Reactor Netty servers. */
const SERVES = /(?:^|\.)SpringApplication\.run$|SpringApplicationBuilder\b.*\.run$|\.deployVerticle$|\.bindNow$|\.bindUntilJavaShutdown$|(?:server|bootstrap|jetty|tomcat|undertow)\w*(?:\.\w+\(\))*\.(?:start|bind)$/i;

/** Lifecycle callbacks Spring (and Jakarta EE) run once, while the application starts. */
const STARTUP_ANNOTATION = /@(?:javax\.annotation\.|jakarta\.annotation\.)?PostConstruct\b|@EventListener\s*\(\s*(?:classes\s*=\s*)?\{?\s*(?:ApplicationReadyEvent|ApplicationStartedEvent|ContextRefreshedEvent)\.class/;
/** Interfaces whose `run`/`afterPropertiesSet` Spring calls once at startup. */
const STARTUP_RUNNER = /\b(?:CommandLineRunner|ApplicationRunner)\b/;

/** Role facts for a Java file's functions. */
export function javaRoleFacts(state: JavaState): RoleFacts {
  const functions: { functionId: number; fact: RoleFact }[] = [];
  // A `main` that starts a server runs at startup until that call (without one, the engine reads it as a one-shot program).
  for (const f of state.fns) {
    if (f.kind !== 'method' || f.name !== 'main' || f.parent !== undefined || !/\bstatic\b/.test(f.modifiers)) continue;
    const serve = state.calls.find((c) => c.functionId === f.id && SERVES.test(c.calleeText));
    if (serve) functions.push({ functionId: f.id, fact: { role: 'startup', where: `at startup, before \`${serve.calleeText}\``, until: serve.span.start } });
  }
  for (const f of state.fns) {
    if (f.kind !== 'method' || f.name === undefined) continue;
    const annotated = STARTUP_ANNOTATION.exec(f.modifiers);
    const runner = f.name === 'run' && f.cls !== undefined && STARTUP_RUNNER.exec(f.cls.supers);
    const init = f.name === 'afterPropertiesSet' && f.cls !== undefined && /\bInitializingBean\b/.test(f.cls.supers);
    const where = annotated ? `at startup (a \`${annotated[0].replace(/\s*\(.*$/s, '').replace(/^@(?:javax|jakarta)\.annotation\./, '@')}\` method)` : runner ? `at startup (\`${runner[0]}.run\`)` : init ? 'at startup (`InitializingBean.afterPropertiesSet`)' : undefined;
    if (where !== undefined) functions.push({ functionId: f.id, fact: { role: 'startup', where } });
  }
  const testClasses = new Set(state.fns.filter((f) => f.kind === 'method' && f.cls && TEST_ANNOTATION.test(f.modifiers)).map((f) => f.cls!));
  for (const f of state.fns) {
    if (f.kind !== 'method' && f.kind !== 'constructor') continue;
    const own = TEST_ANNOTATION.exec(f.modifiers);
    if (own) functions.push({ functionId: f.id, fact: { role: 'test', where: `in test code (a \`@${own[1]}\` method)` } });
    else if (f.cls && testClasses.has(f.cls)) functions.push({ functionId: f.id, fact: { role: 'test', where: `in test code (a method of the test class \`${f.cls.name}\`)` } });
  }
  const jmh = state.types.importsUnder('org.openjdk.jmh.');
  return { ...(jmh ? { file: { role: 'bench' as const, where: 'in benchmark code (a JMH harness)' } } : {}), functions };
}
