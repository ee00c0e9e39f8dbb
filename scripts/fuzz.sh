#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a bounded time each.
set -euo pipefail
fuzztime="${1:-10s}"
count=0
while IFS= read -r file; do
  pkg="./$(dirname "$file")"
  for name in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    echo "fuzz: $pkg $name ($fuzztime)"
    go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=5s "$pkg" >/tmp/cutover-fuzz.log 2>&1 || { cat /tmp/cutover-fuzz.log; exit 1; }
    count=$((count + 1))
  done
done < <(git ls-files '*_test.go' 2>/dev/null || find . -name '*_test.go' | sed 's|^\./||')
if [ "$count" -eq 0 ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi
echo "fuzz: $count targets, $fuzztime each, no failures"
