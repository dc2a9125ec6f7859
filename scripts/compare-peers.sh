#!/usr/bin/env bash
# Qayd next to fatoority (PyPI `fatoority`, the fastest peer measured) on the same inputs:
# invoice hash, stamp, validate; agreement checks (✓/✗) first, then per-call µs and the ratio
# fatoority / qayd as a Markdown table. See tests/bench/PEERS.md for the last results.
#
#   scripts/compare-peers.sh [--repeats N] [--target-ms MS] [--lines N] [--only hash,stamp,validate]
#
# Environment:
#   QAYD_WHEEL=path        the Qayd wheel to measure (default: the newest dist/python/qayd-*.whl;
#                          if there is none, one is built with maturin into /tmp/qayd-wheel)
#   PEERS_VENV=dir         the venv (default /tmp/peers-venv; created if missing)
#   FATOORITY_VERSION=v    default 0.5.0
#   NICE=n                 niceness of the run (default 15; the machine is shared)
#   PEERS_CPU=n            pin the run to one CPU with taskset (default: not pinned)
#
# Only PyPI is needed: pip installs fatoority and the local wheel. Nothing in the repository is
# written (the wheel, if built, goes to /tmp/qayd-wheel; cargo uses the default target/).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${PEERS_VENV:-/tmp/peers-venv}
fatoority_version=${FATOORITY_VERSION:-0.5.0}
niceness=${NICE:-15}

wheel=${QAYD_WHEEL:-}
if [ -z "$wheel" ]; then
  wheel=$(ls -t dist/python/qayd-*.whl 2>/dev/null | head -n 1 || true)
fi
if [ -z "$wheel" ]; then
  echo "no Qayd wheel in dist/python: building one into /tmp/qayd-wheel (release, a few minutes)" >&2
  maturin=$PWD/.venv/bin/maturin
  if [ ! -x "$maturin" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'maturin>=1.16,<2'
    maturin=$venv/bin/maturin
  fi
  rm -rf /tmp/qayd-wheel
  (cd bindings-python && nice -n "$niceness" "$maturin" build --release -o /tmp/qayd-wheel >&2)
  wheel=$(ls -t /tmp/qayd-wheel/qayd-*.whl | head -n 1)
fi
wheel=$(realpath "$wheel")

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "fatoority==$fatoority_version"
# always the chosen wheel (its version does not change between builds)
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"

pin=()
if [ -n "${PEERS_CPU:-}" ]; then pin=(taskset -c "$PEERS_CPU"); fi
# single-threaded: one call at a time from one Python thread; keep any worker pool to one thread
export RAYON_NUM_THREADS=1
exec "${pin[@]}" nice -n "$niceness" "$venv/bin/python" scripts/compare_peers.py --wheel "$wheel" "$@"
