#!/usr/bin/env bash
# Compares the warm per-event benchmarks of this tree with those of another
# revision, run alternately on the same machine so that load affects both
# alike. Usage: bench/compare.sh REV [ROUNDS]   (default 3 rounds)
# REV's package paths are read from its tree: before the redesign the
# benchmarks lived in internal/codedeploy, internal/notify, internal/dispatch.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 # both trees built with the release go.mod names, so only the code differs
cd "$(dirname "$0")/.."
rev="${1:?usage: bench/compare.sh REV [ROUNDS]}"
rounds="${2:-3}"
bench='BenchmarkDecode$|BenchmarkRenderSlack$|BenchmarkDecodeRender$|BenchmarkHandle$'
old="$(mktemp -d)"
trap 'git worktree remove --force "$old" >/dev/null 2>&1 || true' EXIT
git worktree add -q --detach "$old" "$rev"
pkgs() { # the packages of $1 that hold these benchmarks
  (cd "$1" && grep -rlE "func (${bench//\$/})\(" --include='*_test.go' internal | xargs -n1 dirname | sort -u | sed 's|^|./|')
}
for round in $(seq "$rounds"); do
  (cd "$old" && go test -run '^$' -bench "$bench" -benchmem -count=1 $(pkgs "$old") | grep '^Benchmark' | sed "s/^/$rev /")
  go test -run '^$' -bench "$bench" -benchmem -count=1 $(pkgs .) | grep '^Benchmark' | sed 's/^/HEAD /'
done
