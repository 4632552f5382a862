#!/usr/bin/env bash
# Peer for bench/sigma-engine.bench.ts: rsigma (Rust Sigma engine, crates.io), installed outside CI's path under
# .stack/peers/rsigma (git-ignored). Idempotent: the install is skipped when the binary exists.
#   bench/peers/rsigma.sh install          build + install (many minutes on 2 cores)
#   bench/peers/rsigma.sh run EVENTS.jsonl evaluate every SigmaHQ rules* dir against NDJSON events, matches as NDJSON
# rsigma 0.26+ needs rustc >= 1.96; this machine has 1.95, so the version is pinned to the newest that builds.
# Never start `rsigma engine daemon` here: it listens on 0.0.0.0:9090 by default (bind it to 127.0.0.1 if ever).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PREFIX="$ROOT/.stack/peers/rsigma"
BIN="$PREFIX/bin/rsigma"
VERSION="${RSIGMA_VERSION:-0.23.0}"
CORPUS="${CORPUS:-$ROOT/../shared/corpora/sigmahq}"

install() {
  if [ -x "$BIN" ]; then echo "rsigma present: $("$BIN" --version | head -1)"; return; fi
  mkdir -p "$PREFIX"
  cargo install --locked rsigma --version "$VERSION" --root "$PREFIX" 2>&1 | tee "$PREFIX/install.log"
}

run() {
  install >/dev/null
  local rules="$ROOT/.stack/bench/rules"
  mkdir -p "$rules"
  for d in "$CORPUS"/rules*; do ln -sfn "$d" "$rules/$(basename "$d")"; done
  # Flat events (Image, CommandLine, EventID, Channel, ... at the top level), no pipeline: see bench/README.md.
  "$BIN" engine eval -r "$rules" --output-format ndjson < "${1:-/dev/stdin}"
}

case "${1:-install}" in
  install) install ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 install | run EVENTS.jsonl" >&2; exit 2 ;;
esac
