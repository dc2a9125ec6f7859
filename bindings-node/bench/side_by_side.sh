#!/usr/bin/env bash
# Stamp overhead of Node over Rust, measured side by side: criterion's `stamp/bench-5-lines-xml`
# and `bench/stamp.mjs` for the same row, alternated PAIRS times in the same minutes, so that the
# machine's drift (up to 15 % over an hour) and other people's builds hit both sides alike.
#
#   bindings-node/bench/side_by_side.sh [PAIRS] [ROW]     (from the repository root)
#
# ROW: `stamp/bench-5-lines-xml` (default) or `stamp_invoice/bench-5-lines-json`. Needs the
# release addon (`node bindings-node/scripts/build.mjs --release`) and the bench binary
# (`cargo bench -p qayd --bench engine --no-run`), both in $CARGO_TARGET_DIR (default target/).
# Each line: Rust's best per-iteration time among criterion's samples of ≥ 500 iterations (its
# short samples catch lucky moments that 2,000-stamp rounds cannot) and its point estimate, Node's best and median of 10 rounds × 2000, and Node over Rust best to best and
# median to estimate; the load average shows what else ran.
set -euo pipefail
pairs=${1:-5}
row=${2:-stamp/bench-5-lines-xml}
target=${CARGO_TARGET_DIR:-target}
bench=$(ls -t "$target"/release/deps/engine-* | grep -v '\.d$' | head -1)
criterion_dir=$(mktemp -d)
trap 'rm -rf "$criterion_dir"' EXIT
for _ in $(seq "$pairs"); do
  CRITERION_HOME=$criterion_dir "$bench" --bench "^$row\$" --warm-up-time 1 --measurement-time 4 --noplot >/dev/null 2>&1
  rust=$(python3 - "$criterion_dir/${row//\//_}/new" <<'EOF'
import json, sys
d = sys.argv[1]
s = json.load(open(f'{d}/sample.json'))
e = json.load(open(f'{d}/estimates.json'))
best = min(t / i for t, i in zip(s['times'], s['iters']) if i >= 500) / 1000
print(f"{best:.1f} {e['slope']['point_estimate'] / 1000 if e.get('slope') else e['mean']['point_estimate'] / 1000:.1f}")
EOF
)
  node=$(node bindings-node/bench/stamp.mjs "$row" 10 | sed -E 's/.*: ([0-9.]+) µs.*median ([0-9.]+) µs.*/\1 \2/')
  read -r rust_best rust_estimate <<<"$rust"
  read -r node_best node_median <<<"$node"
  awk -v rb="$rust_best" -v re="$rust_estimate" -v nb="$node_best" -v nm="$node_median" -v t="$(date -u +%T)" \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN { printf "%s load %s  rust best %.1f est %.1f µs | node best %.1f median %.1f µs | +%.1f %% best, +%.1f %% median/est\n", t, load, rb, re, nb, nm, (nb / rb - 1) * 100, (nm / re - 1) * 100 }'
done
