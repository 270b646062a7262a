// The real-code corpus: services and libraries nobody here wrote, pinned by version, installed on
// first use with the ordinary clients (npm into bench/.cache/realcode/, apt-get into
// /usr/share/cargo/registry, Python and Go packages' .debs by `apt-get download` into
// bench/.cache/realcode/). Changing a pin changes the figures: say so in the commit and re-judge.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { CACHE } from "../corpora";

export const REALCODE_CACHE = join(CACHE, "realcode");
const CARGO_REGISTRY = "/usr/share/cargo/registry";

interface RepoBase {
  /** Short stable name: the key of verdicts and of `--repo`. */
  readonly name: string;
  readonly description: string;
  /** Folders (or files) inside the package that are checked, relative to its root. */
  readonly paths: readonly string[];
  /** Part of `--quick`: small repositories that still exercise both languages and every role. */
  readonly quick?: boolean;
}

/** An npm package that ships a server's source; installed with `npm pack` (no dependencies, no scripts). */
export interface NpmRepo extends RepoBase {
  readonly kind: "npm";
  readonly language: "typescript";
  /** `name@version`, exact. */
  readonly pin: string;
}

/** A Debian `librust-*-dev` package; its crate source lands in /usr/share/cargo/registry/<crate>. */
export interface AptRepo extends RepoBase {
  readonly kind: "apt";
  readonly language: "rust";
  readonly pkg: string;
  /** The Debian version installed (`apt-get install pkg=version`). */
  readonly version: string;
  /** The folder under /usr/share/cargo/registry. */
  readonly crate: string;
}

/**
 * A Debian package of Python or Go source (`python3-*`, a service packaged under its own name, or a
 * `golang-*-dev` package): its .deb is fetched with `apt-get download` (no root, no dependencies, no
 * maintainer scripts) and unpacked with `dpkg-deb -x` into the cache; `paths` are under
 * `usr/lib/python3/dist-packages/` for Python, under `usr/share/gocode/src/<import path>` for Go (the
 * module's folder, with the `go.mod` Debian ships, so cross-file links resolve as in a checkout).
 */
export interface DebRepo extends RepoBase {
  readonly kind: "deb";
  readonly language: "python" | "go";
  readonly pkg: string;
  /** The Debian version (`apt-get download pkg=version`). */
  readonly version: string;
}

export type Repo = NpmRepo | AptRepo | DebRepo;

/** Where a Debian package puts Python modules: a Python deb repository's `paths` start here. */
export const DIST_PACKAGES = "usr/lib/python3/dist-packages";
/** Where a Debian `golang-*-dev` package puts Go source, by import path: a Go deb repository's `paths` start here. */
export const GOCODE = "usr/share/gocode/src";

/** The corpus. Node packages checked where their server code lives; Rust crates whole (tests, benches and examples included, so roles are measured too). */
export const REPOS: readonly Repo[] = [
  {
    kind: "npm",
    language: "typescript",
    name: "ghost",
    pin: "ghost@6.65.0",
    paths: ["core/server", "core/shared", "core/frontend"],
    description: "CMS (Express, Knex), server source",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "parse-server",
    pin: "parse-server@9.10.0",
    paths: ["lib"],
    description: "app backend (REST, GraphQL, live queries), Babel output",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "verdaccio",
    pin: "verdaccio@6.10.4",
    paths: ["build"],
    description: "npm registry server, TypeScript output",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "thelounge",
    pin: "thelounge@4.5.2",
    paths: ["dist/server"],
    description: "IRC chat server, TypeScript output",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "node-red-runtime",
    pin: "@node-red/runtime@5.0.7",
    paths: ["lib"],
    description: "Node-RED flow runtime",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "haraka",
    pin: "haraka@3.3.4",
    paths: ["."],
    description: "SMTP server",
    quick: true,
  },
  {
    kind: "npm",
    language: "typescript",
    name: "aedes",
    pin: "aedes@1.2.0",
    paths: ["."],
    description: "MQTT broker, with its tests and benchmarks",
    quick: true,
  },
  {
    kind: "npm",
    language: "typescript",
    name: "statsd",
    pin: "statsd@0.9.0",
    paths: ["."],
    description: "metrics daemon, with its tests",
    quick: true,
  },
  {
    kind: "npm",
    language: "typescript",
    name: "actual-sync-server",
    pin: "@actual-app/sync-server@26.9.0",
    paths: ["build"],
    description:
      "budget sync server (Express, SQLite, bank sync), with its tests",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "json-server",
    pin: "json-server@0.17.4",
    paths: ["lib"],
    description: "REST mock server over a JSON file",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "verdaccio-local-storage",
    pin: "@verdaccio/local-storage@10.5.0",
    paths: ["lib"],
    description: "verdaccio's default package storage",
  },
  {
    kind: "apt",
    language: "rust",
    name: "hyper",
    pkg: "librust-hyper-dev",
    version: "0.14.19-1",
    crate: "hyper-0.14.19",
    paths: ["."],
    description: "HTTP client and server",
  },
  {
    kind: "apt",
    language: "rust",
    name: "h2",
    pkg: "librust-h2-dev",
    version: "0.3.13-2",
    crate: "h2-0.3.13",
    paths: ["."],
    description: "HTTP/2 protocol",
    quick: true,
  },
  {
    kind: "apt",
    language: "rust",
    name: "reqwest",
    pkg: "librust-reqwest-dev",
    version: "0.11.13-1",
    crate: "reqwest-0.11.13",
    paths: ["."],
    description: "HTTP client (async and blocking)",
  },
  {
    kind: "apt",
    language: "rust",
    name: "tokio-postgres",
    pkg: "librust-tokio-postgres-dev",
    version: "0.7.7-2",
    crate: "tokio-postgres-0.7.7",
    paths: ["."],
    description: "PostgreSQL client",
    quick: true,
  },
  {
    kind: "apt",
    language: "rust",
    name: "trust-dns-server",
    pkg: "librust-trust-dns-server-dev",
    version: "0.22.0-2",
    crate: "trust-dns-server-0.22.0",
    paths: ["."],
    description: "DNS server library (authorities, stores, listeners)",
  },
  {
    kind: "apt",
    language: "rust",
    name: "quinn",
    pkg: "librust-quinn-dev",
    version: "0.9.3-1+b1",
    crate: "quinn-0.9.3",
    paths: ["."],
    description: "QUIC endpoint",
  },
  {
    kind: "apt",
    language: "rust",
    name: "async-std",
    pkg: "librust-async-std-dev",
    version: "1.12.0-12",
    crate: "async-std-1.12.0",
    paths: ["."],
    description:
      "async runtime and std twin, with its tests and examples (a chat server)",
  },
  {
    kind: "apt",
    language: "rust",
    name: "tokio-util",
    pkg: "librust-tokio-util-dev",
    version: "0.7.3-2",
    crate: "tokio-util-0.7.3",
    paths: ["."],
    description: "codecs, pinned-task pools, sync utilities for Tokio",
  },
  {
    kind: "deb",
    language: "python",
    name: "xandikos",
    pkg: "xandikos",
    version: "0.2.8-1",
    paths: [`${DIST_PACKAGES}/xandikos`],
    description: "CalDAV/CardDAV server (aiohttp, Git storage), with its tests",
  },
  {
    kind: "deb",
    language: "python",
    name: "aiosmtpd",
    pkg: "python3-aiosmtpd",
    version: "1.4.3-1.1+deb12u1",
    paths: [`${DIST_PACKAGES}/aiosmtpd`],
    description: "asyncio SMTP server, with its tests",
    quick: true,
  },
  {
    kind: "deb",
    language: "python",
    name: "mitmproxy",
    pkg: "mitmproxy",
    version: "8.1.1-2",
    paths: [`${DIST_PACKAGES}/mitmproxy`],
    description:
      "asyncio HTTP(S) proxy with its addons, web UI server (tornado) and tools",
  },
  {
    kind: "deb",
    language: "python",
    name: "jupyter-server",
    pkg: "python3-jupyter-server",
    version: "1.23.3-1",
    paths: [`${DIST_PACKAGES}/jupyter_server`],
    description:
      "Jupyter's web server (tornado on asyncio): kernels, contents, terminals",
  },
  {
    kind: "deb",
    language: "python",
    name: "uvicorn",
    pkg: "python3-uvicorn",
    version: "0.17.6-1",
    paths: [`${DIST_PACKAGES}/uvicorn`],
    description: "ASGI server (asyncio protocols, reloaders, worker processes)",
    quick: true,
  },
  {
    kind: "deb",
    language: "python",
    name: "aioftp",
    pkg: "python3-aioftp",
    version: "0.21.4-1",
    paths: [`${DIST_PACKAGES}/aioftp`],
    description: "asyncio FTP client and server",
  },
  {
    kind: "deb",
    language: "go",
    name: "alertmanager",
    pkg: "golang-github-prometheus-alertmanager-dev",
    version: "0.25.0-1",
    paths: [`${GOCODE}/github.com/prometheus/alertmanager`],
    description:
      "Prometheus alert router: dispatcher, notifiers, silences, gossip cluster, API, with its tests",
  },
  {
    kind: "deb",
    language: "go",
    name: "raft",
    pkg: "golang-github-hashicorp-raft-dev",
    version: "1.1.2-1",
    paths: [`${GOCODE}/github.com/hashicorp/raft`],
    description:
      "Raft consensus library (leader loop, replication, snapshots, TCP transport)",
  },
  {
    kind: "deb",
    language: "go",
    name: "memberlist",
    pkg: "golang-github-hashicorp-memberlist-dev",
    version: "0.2.2-2",
    paths: [`${GOCODE}/github.com/hashicorp/memberlist`],
    description:
      "SWIM gossip membership (UDP and TCP transport, probes, broadcasts)",
  },
  {
    kind: "deb",
    language: "go",
    name: "serf",
    pkg: "golang-github-hashicorp-serf-dev",
    version: "0.9.4~ds1-1",
    paths: [`${GOCODE}/github.com/hashicorp/serf`],
    description:
      "cluster membership and events over memberlist, with its agent daemon and RPC server",
  },
  {
    kind: "deb",
    language: "go",
    name: "yamux",
    pkg: "golang-github-hashicorp-yamux-dev",
    version: "0.0+git20190923.df201c7-1",
    paths: [`${GOCODE}/github.com/hashicorp/yamux`],
    description:
      "stream multiplexer over one connection (session send/receive loops, flow control)",
  },
  {
    kind: "deb",
    language: "go",
    name: "miekg-dns",
    pkg: "golang-github-miekg-dns-dev",
    version: "1.1.50-2",
    paths: [`${GOCODE}/github.com/miekg/dns`],
    description: "DNS library with its UDP/TCP server and client",
  },
  {
    kind: "deb",
    language: "go",
    name: "nats-server",
    pkg: "golang-github-nats-io-nats-server-dev",
    version: "2.9.10-1",
    paths: [`${GOCODE}/github.com/nats-io/nats-server`],
    description:
      "NATS message broker: client and route connections, JetStream file and memory stores, Raft, MQTT, with its tests",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "express-gateway",
    pin: "express-gateway@1.16.11",
    paths: ["."],
    description:
      "API gateway (Express, policies, proxy, Redis-backed services), with its CLI",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "etherpad",
    pin: "ep_etherpad-lite@1.8.14",
    paths: ["."],
    description:
      "collaborative editor server (Express, socket.io, ueberdb), with its browser code and tests",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "bull",
    pin: "bull@4.16.5",
    paths: ["."],
    description: "Redis-backed job queue (workers, locks, retries)",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "kuzzle",
    pin: "kuzzle@2.56.0",
    paths: ["dist"],
    description:
      "backend server (realtime pub/sub, Elasticsearch, cluster), TypeScript output",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "directus-api",
    pin: "@directus/api@39.2.1",
    paths: ["dist"],
    description:
      "Directus's API server (Express, Knex, flows, websockets), TypeScript output",
  },
  {
    kind: "npm",
    language: "typescript",
    name: "node-media-server",
    pin: "node-media-server@4.4.3",
    paths: ["."],
    description: "RTMP and HTTP-FLV streaming server, with its web admin",
  },
  {
    kind: "apt",
    language: "rust",
    name: "tower",
    pkg: "librust-tower-dev",
    version: "0.4.13-2",
    crate: "tower-0.4.13",
    paths: ["."],
    description: "service middleware (buffer, limits, retry, balance)",
  },
  {
    kind: "apt",
    language: "rust",
    name: "trust-dns-resolver",
    pkg: "librust-trust-dns-resolver-dev",
    version: "0.22.0-2",
    crate: "trust-dns-resolver-0.22.0",
    paths: ["."],
    description: "async DNS resolver (lookup cache, name servers, pools)",
  },
  {
    kind: "apt",
    language: "rust",
    name: "isahc",
    pkg: "librust-isahc-dev",
    version: "1.7.2+ds-20",
    crate: "isahc-1.7.2",
    paths: ["."],
    description:
      "HTTP client (curl multi agent thread, async and blocking API)",
  },
  {
    kind: "apt",
    language: "rust",
    name: "capnp-rpc",
    pkg: "librust-capnp-rpc-dev",
    version: "0.14.1-1+b1",
    crate: "capnp-rpc-0.14.1",
    paths: ["."],
    description: "Cap'n Proto RPC system (connections, promise pipelining)",
  },
  {
    kind: "deb",
    language: "python",
    name: "aiohttp",
    pkg: "python3-aiohttp",
    version: "3.8.4-1+deb12u2",
    paths: [`${DIST_PACKAGES}/aiohttp`],
    description: "asyncio HTTP client and server",
  },
  {
    kind: "deb",
    language: "python",
    name: "hypercorn",
    pkg: "python3-hypercorn",
    version: "0.13.2-3",
    paths: [`${DIST_PACKAGES}/hypercorn`],
    description:
      "ASGI server (asyncio and trio workers, HTTP/1, HTTP/2, HTTP/3)",
  },
  {
    kind: "deb",
    language: "go",
    name: "nats-go",
    pkg: "golang-github-nats-io-go-nats-dev",
    version: "1.22.1-1",
    paths: [`${GOCODE}/github.com/nats-io/nats.go`],
    description: "NATS client (connection, subscriptions, JetStream, KV)",
  },
  {
    kind: "deb",
    language: "go",
    name: "kafka-go",
    pkg: "golang-github-segmentio-kafka-go-dev",
    version: "0.2.1-1.1",
    paths: [`${GOCODE}/github.com/segmentio/kafka-go`],
    description:
      "Kafka client (connections, reader and writer loops, consumer groups)",
  },
];

/** What a repository is pinned to, for output and cache keys. */
export function pinOf(repo: Repo): string {
  return repo.kind === "npm" ? repo.pin : `${repo.pkg}=${repo.version}`;
}

function log(message: string): void {
  process.stderr.write(`[realcode] ${message}\n`);
}

function sh(cmd: string, args: readonly string[], cwd?: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** Unpacks an npm package (its published tarball, nothing else) into the cache; idempotent. */
function installNpm(repo: NpmRepo): string {
  const root = join(REALCODE_CACHE, "npm", repo.name);
  const stamp = join(root, ".realcode-pin");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === repo.pin)
    return root;
  log(`installing ${repo.pin} (npm pack)`);
  const packDir = join(REALCODE_CACHE, "pack");
  mkdirSync(packDir, { recursive: true });
  const tgz = sh("npm", ["pack", "--loglevel=error", repo.pin], packDir)
    .trim()
    .split("\n")
    .pop()!;
  const tmp = join(packDir, `${repo.name}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  sh("tar", ["xzf", join(packDir, tgz), "-C", tmp]);
  rmSync(join(packDir, tgz), { force: true });
  // A fresh folder: files left from another pin would silently join the corpus.
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, ".."), { recursive: true });
  renameSync(join(tmp, "package"), root);
  rmSync(tmp, { recursive: true, force: true });
  // Its own repository root, so the walker does not apply the project's `bench/.cache/` ignore entry.
  sh("git", ["init", "-q", root]);
  writeFileSync(stamp, repo.pin);
  return root;
}

function installedDebVersion(pkg: string): string | undefined {
  try {
    return (
      sh("dpkg-query", ["-W", "-f", "${Status} ${Version}", pkg])
        .replace(/^install ok installed /, "")
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** Installs the Debian package at its pinned version when root; otherwise says what to run. */
function installApt(repo: AptRepo): string | undefined {
  const root = join(CARGO_REGISTRY, repo.crate);
  const have = installedDebVersion(repo.pkg);
  if (existsSync(root) && have !== undefined) {
    if (have !== repo.version)
      log(
        `${repo.pkg} is at ${have}, pinned ${repo.version}: figures may differ`,
      );
    return root;
  }
  if (process.getuid?.() !== 0) {
    log(
      `skipping ${repo.name}: ${repo.pkg} is not installed and installing it needs root; run \`sudo apt-get install ${repo.pkg}=${repo.version}\``,
    );
    return undefined;
  }
  log(`installing ${repo.pkg}=${repo.version} with apt-get`);
  // Another apt-get (another checkout's run, an unattended upgrade) may hold the dpkg lock: wait for it.
  const lock = ["-o", "DPkg::Lock::Timeout=900"];
  const args = [
    ...lock,
    "install",
    "-y",
    "-q",
    "--no-install-recommends",
    `${repo.pkg}=${repo.version}`,
  ];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (a: readonly string[]): void =>
    void execFileSync("apt-get", a, {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
  try {
    apt(args);
  } catch {
    apt([...lock, "update", "-q"]);
    apt(args);
  }
  if (!existsSync(root)) {
    log(`skipping ${repo.name}: ${repo.pkg} installed no ${root}`);
    return undefined;
  }
  return root;
}

/** Unpacks a Debian package (its files, nothing else) into the cache; idempotent. */
function installDeb(repo: DebRepo): string {
  const root = join(REALCODE_CACHE, "deb", repo.name);
  const pin = pinOf(repo);
  const stamp = join(root, ".realcode-pin");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === pin) return root;
  log(`installing ${pin} (apt-get download)`);
  const dir = join(REALCODE_CACHE, "debs");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  sh("apt-get", ["download", "-q", pin], dir);
  const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
  if (!deb) throw new Error(`apt-get download ${pin} left no .deb`);
  // A fresh folder: files left from another pin would silently join the corpus.
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  sh("dpkg-deb", ["-x", join(dir, deb), root]);
  rmSync(dir, { recursive: true, force: true });
  // Its own repository root, as for npm packages.
  sh("git", ["init", "-q", root]);
  writeFileSync(stamp, pin);
  return root;
}

/** The repository's root folder, installing it if needed; undefined when it cannot be installed here. */
export function installRepo(repo: Repo): string | undefined {
  try {
    return repo.kind === "npm"
      ? installNpm(repo)
      : repo.kind === "deb"
        ? installDeb(repo)
        : installApt(repo);
  } catch (error) {
    log(
      `skipping ${repo.name}: install failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
    );
    return undefined;
  }
}
