#!/usr/bin/env bash
# `make load`: the resident page and the JSON API under the same 50 simulated residents, one after
# the other, each against servers of their own on free loopback ports:
#   page           — `assistant serve` (Gradio page), through the page's own HTTP API
#   api-1-process  — /api/v1 of that same single process
#   api-2-workers  — `assistant serve-api --workers 2`
# The servers read a copy of the serving index (and its cached sentence vectors), so the load
# does not fill data/logs (`assistant warm` only caches sentence vectors in data/cache). Under 2 minutes on this machine.
set -euo pipefail
BIN=${BIN:-.venv/bin}
SECONDS_EACH=${SECONDS_EACH:-20}
"$BIN/assistant" warm >/dev/null  # sentence vectors cached in data/cache: no server warms up under load
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir "$tmp/versions"
cp -r "data/versions/$(cat data/CURRENT)" "$tmp/versions/"
cp data/CURRENT "$tmp/"
[ -d data/cache ] && cp -r data/cache "$tmp/"
free_port() { "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
page=$(free_port)
api=$(free_port)
export ASSISTANT_DATA_DIR="$tmp" ASSISTANT_API_RATE_LIMIT=0
"$BIN/assistant" serve --port "$page" >"$tmp/serve.log" 2>&1 & pids+=($!)
"$BIN/assistant" serve-api --port "$api" --workers 2 >"$tmp/serve-api.log" 2>&1 & pids+=($!)
"$BIN/python" benchmarks/load.py --users 50 --seconds "$SECONDS_EACH" --wait 120 \
  --url "http://127.0.0.1:$page" \
  --api "api-1-process=http://127.0.0.1:$page/api/v1" \
  --api "api-2-workers=http://127.0.0.1:$api/api/v1" "$@"
