#!/usr/bin/env bash
# Runs cutover's benchmarks and prints the figures docs/performance.md
# reports. Usage: bench/run.sh [COUNT]   (default 5 runs of each benchmark)
# Run it on an otherwise idle machine; the figures are for comparison on
# the same machine, not guarantees.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-5}"
out="${BENCH_OUT:-bench/results}"
mkdir -p "$out"

echo "== machine"
echo "$(go version) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

echo "== warm per-event cost (go test -bench)"
go test -run='^$' -bench='BenchmarkDecode$|BenchmarkDecodeRender|BenchmarkHandle|BenchmarkRenderSlack' \
  -benchmem -count="$count" ./internal/source/codedeploy ./internal/delivery ./internal/chat/slackhook | tee "$out/warm.txt"

echo "== CloudFront: event receipt to CreateInvalidation on the wire"
go test -run='^$' -bench='BenchmarkEventToCreateInvalidation' -benchmem -count="$count" ./internal/action/cloudfront | tee "$out/cloudfront.txt"

echo "== delivery records"
go test -run='^$' -bench='BenchmarkClaimComplete' -benchmem -count="$count" ./internal/records | tee "$out/ledger.txt"

echo "== cold start: real bootstrap under the Lambda Runtime Interface Emulator"
go test -run='^$' -bench='BenchmarkColdStart' -benchtime=20x -count="$count" ./internal/e2e | tee "$out/cold.txt"

echo "== binary and zip size (linux/arm64, make package)"
make -s package >/dev/null
stat -c '%n %s bytes' dist/arm64/bootstrap dist/cutover-lambda-arm64.zip | tee "$out/size.txt"

echo "== peak RSS of one 'cutover send' to a loopback webhook (linux/amd64 build)"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o bin/cutover ./cmd/cutover
CUTOVER_ENRICH=false go run ./bench/sink -- /usr/bin/time -f 'peak RSS %M KiB, wall %e s' bin/cutover send --no-records \
  internal/source/codedeploy/testdata/sns-lambda/instance-success.json 2>&1 | tee "$out/rss.txt"
