#!/usr/bin/env bash
# Builds every release artifact this machine can build into dist/ (Linux x86_64): the Python
# wheel and sdist, the two npm packages, the Kotlin/JVM jar (with sources, javadoc, pom), the C
# install prefix and its archive. The other platforms are built by .github/workflows/release.yml.
# Each language's bindings-*/test.sh --package then installs its artifact into a fresh project
# with no Rust toolchain on PATH and runs a smoke program.
#
#   scripts/package.sh [c] [python] [node] [kotlin]     (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."
languages=("$@")
[ ${#languages[@]} -gt 0 ] || languages=(c python node kotlin)
started=$SECONDS
# Each language builds its own crate in release: a combined build first would not be reused
# (features resolve per package), and the wheel builds in its own tree (maturin --zig).
for lang in "${languages[@]}"; do
  printf '\n=== package: %s (%d s) ===\n' "$lang" "$((SECONDS - started))"
  "bindings-$lang/package.sh"
done
printf '\n=== dist/ (%d s) ===\n' "$((SECONDS - started))"
find dist -maxdepth 3 -type f \( -name '*.whl' -o -name '*.tar.gz' -o -name '*.tgz' -o -name '*.jar' -o -name '*.pom' \) \
  -printf '%10s  %p\n' | sort -k2
