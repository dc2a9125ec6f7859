#!/usr/bin/env bash
# A binding's stamp overhead over Rust, measured side by side: criterion's row and the binding's
# bench for the same row, alternated PAIRS times in the same minutes, so that the machine's drift
# (up to 15 % over an hour) and its neighbours' load hit both sides alike.
#
#   tests/bench/side_by_side.sh [PAIRS] [ROW] [LANGUAGE]     (from the repository root)
#
# ROW: `stamp/bench-5-lines-xml` (default) or `stamp_invoice/bench-5-lines-json`.
# LANGUAGE: `node` (default; `bindings-node/bench/stamp.mjs` over the release addon,
# `node bindings-node/scripts/build.mjs --release`) or `python`
# (`bindings-python/bench/bench_stamp.py` over the qayd package on PYTHONPATH, a release build).
# Both need the bench binary (`cargo bench -p qayd --bench engine --no-run`) in
# $CARGO_TARGET_DIR (default target/).
# Each line: Rust's best per-iteration time among criterion's samples of ≥ 500 iterations (its
# short samples catch lucky moments that 2,000-stamp rounds cannot) and its point estimate, the
# binding's best and median of 10 rounds × 2,000, and the binding over Rust best to best and
# median to estimate; the load average shows what else ran.
set -euo pipefail
pairs=${1:-5}
row=${2:-stamp/bench-5-lines-xml}
language=${3:-node}
case $language in
  node) bench=(node bindings-node/bench/stamp.mjs) ;;
  python) bench=(python3 bindings-python/bench/bench_stamp.py) ;;
  *) echo "unknown language '$language' (node or python)" >&2; exit 2 ;;
esac
target=${CARGO_TARGET_DIR:-target}
criterion=$(ls -t "$target"/release/deps/engine-* | grep -v '\.d$' | head -1)
criterion_dir=$(mktemp -d)
trap 'rm -rf "$criterion_dir"' EXIT
for _ in $(seq "$pairs"); do
  CRITERION_HOME=$criterion_dir "$criterion" --bench "^$row\$" --warm-up-time 1 --measurement-time 4 --noplot >/dev/null 2>&1
  rust=$(python3 - "$criterion_dir/${row//\//_}/new" <<'PY'
import json, sys
d = sys.argv[1]
s = json.load(open(f'{d}/sample.json'))
e = json.load(open(f'{d}/estimates.json'))
best = min(t / i for t, i in zip(s['times'], s['iters']) if i >= 500) / 1000
print(f"{best:.1f} {e['slope']['point_estimate'] / 1000 if e.get('slope') else e['mean']['point_estimate'] / 1000:.1f}")
PY
)
  binding=$("${bench[@]}" "$row" 10 | sed -E 's/.*: ([0-9.]+) µs.*median ([0-9.]+) µs.*/\1 \2/')
  read -r rust_best rust_estimate <<<"$rust"
  read -r binding_best binding_median <<<"$binding"
  awk -v rb="$rust_best" -v re="$rust_estimate" -v bb="$binding_best" -v bm="$binding_median" -v t="$(date -u +%T)" \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" -v lang="$language" \
    'BEGIN { printf "%s load %s  rust best %.1f est %.1f µs | %s best %.1f median %.1f µs | %+.1f %% best, %+.1f %% median/est\n", t, load, rb, re, lang, bb, bm, (bb / rb - 1) * 100, (bm / re - 1) * 100 }'
done
