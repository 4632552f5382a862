#!/usr/bin/env bash
# Regenerates the TypeScript for proto/*.proto with ts-proto through buf (both pinned in package-lock.json).
# Usage: bash proto/generate.sh [OUT_DIR]   (default proto/gen; test/proto-gen.test.ts uses a temp dir and diffs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/proto/gen}" && cd "${1:-$root/proto/gen}" && pwd)
cd "$root"
template=$(mktemp --suffix=.yaml)
trap 'rm -f "$template"' EXIT
sed "s#out: proto/gen#out: $out#" proto/buf.gen.yaml > "$template"
find "$out" -name '*.ts' -delete
npx buf generate proto --template "$template"
