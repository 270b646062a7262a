#!/usr/bin/env bash
# Idempotent install of what the editor end-to-end suite needs (see shared E2E notes):
#   Debian Chromium + the headers code-server's native modules build against,
#   Node 24 from the npm registry, and code-server built with Node 24's headers.
# The slow part (code-server compiling native modules, ~9 min cold) lives in a cache
# OUTSIDE the clone, keyed on versions, so a fresh CI clone on the same machine reuses it.
# Prints the resolved tool paths as KEY=value lines on stdout (logs go to stderr).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

cache=${ASYNC_BOUNDARY_E2E_CACHE:-$HOME/.cache/async-boundary-e2e}
arch=$(uname -m)
case "$arch" in x86_64) narch=x64 ;; aarch64) narch=arm64 ;; *) narch=$arch ;; esac
node_dir="$cache/node-$NODE24_VERSION-$narch"
cs_dir="$cache/code-server-$CODE_SERVER_VERSION-node$NODE24_VERSION-$narch"
log() { printf '[e2e-setup] %s\n' "$*" >&2; }

# Run from `npm run test:e2e`, this script inherits the outer npm's environment, and npm reads
# npm_config_* variables as its own settings: the inherited user agent names the Node that ran
# the outer npm (the system's Node 20), so code-server's install script, which checks the Node
# version in that agent, refused Node 24 and the suite was skipped on every fresh machine.
# The installs below must describe the Node they really run under.
unset npm_config_user_agent npm_execpath npm_node_execpath npm_config_node_gyp

mkdir -p "$cache"
# One installer at a time per cache (a background warm-up and a test run may race).
exec 9>"$cache/.lock"
flock 9

# --- system packages: only touch apt when something is missing -------------------
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
for p in libkrb5-dev pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    log "missing ${missing[*]} and not root: install them by hand"; exit 1
  fi
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
  log "apt-get install ${missing[*]}"
  $sudo_ apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing[@]}" >&2
fi

# --- Node 24 (registry package that ships the binary) ----------------------------
node_bin() { find "$node_dir/node_modules" -path "*/node-linux-$narch/bin/node" -type f 2>/dev/null | head -1; }
if [ ! -f "$node_dir/.complete" ] || [ -z "$(node_bin)" ]; then
  log "installing node@$NODE24_VERSION into $node_dir"
  rm -rf "$node_dir.tmp" && mkdir -p "$node_dir.tmp"
  (cd "$node_dir.tmp" && echo '{"private":true}' > package.json \
    && npm i --no-audit --no-fund --loglevel=error "node@$NODE24_VERSION" >&2)
  rm -rf "$node_dir" && mv "$node_dir.tmp" "$node_dir"
  touch "$node_dir/.complete"
fi
N24=$(node_bin); N24=$(dirname "$(dirname "$N24")")
"$N24/bin/node" -e 'process.exit(process.versions.node.split(".")[0]==="24"?0:1)' \
  || { log "Node at $N24 is not 24"; exit 1; }

# --- code-server, native modules built against Node 24's headers ----------------
if [ ! -f "$cs_dir/.complete" ]; then
  log "installing code-server@$CODE_SERVER_VERSION into $cs_dir (cold: ~9 min)"
  start=$(date +%s)
  rm -rf "$cs_dir.tmp" && mkdir -p "$cs_dir.tmp"
  # The machine's npm config points nodedir at the system Node's headers: override it,
  # and put Node 24 first so install scripts and node-gyp run under it.
  (cd "$cs_dir.tmp" && echo '{"private":true}' > package.json \
    && PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
       npm i --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)
  rm -rf "$cs_dir" && mv "$cs_dir.tmp" "$cs_dir"
  touch "$cs_dir/.complete"
  log "code-server installed in $(( $(date +%s) - start )) s"
fi
cs_entry="$cs_dir/node_modules/code-server/out/node/entry.js"
[ -f "$cs_entry" ] || { log "no $cs_entry"; exit 1; }

echo "E2E_NODE=$N24/bin/node"
echo "E2E_CODE_SERVER=$cs_entry"
echo "E2E_CHROMIUM=$(command -v chromium || echo /usr/bin/chromium)"
