#!/usr/bin/env bash
# Runs cutover's benchmarks and prints the figures docs/performance.md
# reports: first every goal of the performance issue as a ratio against
# the floor program (bench/floor) measured alternately in the same run,
# then (with --all) the detailed per-package benchmarks.
# Usage: bench/run.sh [--all] [COUNT]   (default 3 runs of each benchmark)
# Figures are for comparison on the same machine, not guarantees: on a
# shared machine read the ratios, and note the load average printed first.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 # the release go.mod names; see README
cd "$(dirname "$0")/.."
all=false
if [[ "${1:-}" == "--all" ]]; then all=true; shift; fi
count="${1:-3}"
out="${BENCH_OUT:-bench/results}"
mkdir -p "$out" bin
event=internal/source/codedeploy/testdata/sns-lambda/instance-success.json

echo "== machine"
echo "$(go version) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== builds (Lambda flags: CGO_ENABLED=0 -tags lambda.norpc -trimpath -ldflags '-s -w')"
CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o bin/cutover-lambda ./cmd/cutover
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o bin/floor ./bench/floor
make -s build >/dev/null
lambda=$(stat -c %s bin/cutover-lambda); cli=$(stat -c %s bin/cutover)
awk -v c="$cli" -v l="$lambda" 'BEGIN { r = c / l; printf "RATIO CLI / Lambda binary      %.3fx  (%d / %d bytes; goal <= 1.10x: %s)\n", r, c, l, (r <= 1.10 ? "met" : "NOT met") }' | tee "$out/size.txt"

# The Go runtime settings the Terraform module gives the function by default
# (go_runtime_tuning, memory_size 128): the goal lines are measured with them,
# Go's defaults are printed after for reference.
runtime_env="GOGC=400 GOMEMLIMIT=64MiB"
echo "== cold whole process: cutover send vs the floor, alternating, as the module deploys it ($runtime_env)"
go run ./bench/cold -cutover bin/cutover-lambda -floor bin/floor -rounds 30 -env "$runtime_env" "$event" | tee "$out/cold.txt"
echo "== the same with Go's default runtime settings (go_runtime_tuning = false), for reference"
go run ./bench/cold -cutover bin/cutover-lambda -floor bin/floor -rounds 30 "$event" | sed 's/^RATIO /reference (Go defaults) /' | tee "$out/cold-defaults.txt"

echo "== cold start under the Lambda Runtime Interface Emulator: bootstrap vs the floor, alternating"
CUTOVER_BENCH_RUNTIME_ENV="$runtime_env" go test -run='^$' -bench='BenchmarkColdStartVsFloor' -benchtime=10x -count=1 ./internal/e2e | tee "$out/rie.txt"
awk '/BenchmarkColdStartVsFloor/ { for (i = 1; i < NF; i++) if ($(i+1) == "x-floor/first-invoke") printf "RATIO first invoke / floor     %.2fx  (goal <= 2x: %s)\n", $i, ($i <= 2 ? "met" : "NOT met") }' "$out/rie.txt"

echo "== Lambda zip (linux/arm64, make package)"
make -s package >/dev/null
zip=$(stat -c %s dist/cutover-lambda-arm64.zip)
echo "bootstrap $(stat -c %s dist/arm64/bootstrap) bytes" | tee -a "$out/size.txt"
awk -v z="$zip" 'BEGIN { printf "RATIO zip                      %.2f MB  (%d bytes; goal <= 4.5 MB: %s)\n", z / 1e6, z, (z <= 4.5e6 ? "met" : "NOT met") }' | tee -a "$out/size.txt"

echo "== warm decode + render: cutover vs the floor's own, alternating (goal <= 30 us and <= 100 allocs per event)"
: >"$out/warm.txt"
for _ in $(seq "$count"); do
  go test -run='^$' -bench='BenchmarkDecodeRender$' -benchmem -count=1 ./internal/delivery | grep '^Benchmark' | tee -a "$out/warm.txt"
  go test -run='^$' -bench='BenchmarkFloorDecodeRender$' -benchmem -count=1 ./bench/floor | grep '^Benchmark' | tee -a "$out/warm.txt"
done
awk '/^BenchmarkDecodeRender/ { n++; ns += $3; al = $7 } /^BenchmarkFloorDecodeRender/ { fn++; fns += $3; fal = $7 }
  END { if (n && fn) { c = ns / n / 1000; f = fns / fn / 1000
    printf "RATIO decode+render            %.1f us, %d allocs  (goal <= 30 us: %s; <= 100 allocs: %s)\n", c, al, (c <= 30 ? "met" : "NOT met"), (al <= 100 ? "met" : "NOT met")
    printf "RATIO decode+render / floor    %.2fx time, %.2fx allocs  (floor %.1f us, %d allocs in the same run)\n", c / f, al / fal, f, fal } }' "$out/warm.txt"

echo "== cutover serve: verified notifications per second (delivery stubbed at the notifier)"
go test -run='^$' -bench='BenchmarkServe$' -benchtime=5000x -count=1 ./internal/cli | tee "$out/serve.txt"
awk '/^BenchmarkServe/ { for (i = 1; i < NF; i++) if ($(i+1) == "verified-notifications/s") printf "RATIO serve                    %.0f verified notifications/s  (goal >= 5000: %s)\n", $i, ($i >= 5000 ? "met" : "NOT met") }' "$out/serve.txt"

echo "== cutover serve: live heap under 60 s of load"
CUTOVER_SERVE_LOAD=60s go test -count=1 -run='^TestServeMemoryFlat$' -v -timeout 5m ./internal/cli | grep -E 'served|PASS|FAIL|ok' | tee "$out/memory.txt"

$all || exit 0

echo "== warm per-event cost (go test -bench)"
go test -run='^$' -bench='BenchmarkDecode$|BenchmarkHandle|BenchmarkRenderSlack' \
  -benchmem -count="$count" ./internal/source/codedeploy ./internal/delivery ./internal/chat/slackhook | tee "$out/warm-all.txt"

echo "== CloudFront: event receipt to CreateInvalidation on the wire"
go test -run='^$' -bench='BenchmarkEventToCreateInvalidation' -benchmem -count="$count" ./internal/action/cloudfront | tee "$out/cloudfront.txt"

echo "== delivery records"
go test -run='^$' -bench='BenchmarkClaimComplete' -benchmem -count="$count" ./internal/records | tee "$out/ledger.txt"

echo "== cold start: real bootstrap under the Lambda Runtime Interface Emulator"
go test -run='^$' -bench='BenchmarkColdStart$' -benchtime=20x -count="$count" ./internal/e2e | tee "$out/cold-rie.txt"
