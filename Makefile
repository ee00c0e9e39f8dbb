# cutover — see README.md. `make demo` and `make test` are the two commands a
# fresh machine needs.
SHELL := /usr/bin/env bash
GO ?= go
# The Go release cutover is built and tested with (go.mod says the same):
# the go command fetches it from the module proxy on first use when the
# machine's own Go is another version.
export GOTOOLCHAIN := go1.27.3
FUZZTIME ?= 10s
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/cutover-dev/cutover/internal/cli.Version=$(VERSION)

.PHONY: demo test check-tools vet unit fuzz terraform-check build package bench golden clean

demo: ## Play an ECS blue/green deployment through the real pipeline (no AWS, no Slack needed)
	$(GO) run ./cmd/cutover demo

test: check-tools vet unit fuzz terraform-check ## Every test: unit, real components (moto, Lambda emulator, Terraform), fuzzing
	@echo "make test: all checks passed"

check-tools:
	@scripts/check-tools.sh

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt: these files need formatting:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

unit:
	@mkdir -p .cache
	CUTOVER_FAULT_REPORT=$(CURDIR)/.cache/fault-report.txt $(GO) test -count=1 -timeout 30m ./...
	@cat .cache/fault-report.txt

fuzz: ## Run every fuzz target for FUZZTIME each
	@scripts/fuzz.sh $(FUZZTIME)

terraform-check:
	@terraform/scripts/check.sh

build: ## Build the CLI for this machine into bin/cutover (-tags lambda.norpc: the CLI never serves the go1.x RPC runtime, whose reflection would disable dead-code elimination)
	CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags "$(LDFLAGS)" -o bin/cutover ./cmd/cutover

package: ## Build the Lambda zip for provided.al2023 on arm64: dist/cutover-lambda-arm64.zip
	@mkdir -p dist/arm64
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags "$(LDFLAGS)" -o dist/arm64/bootstrap ./cmd/cutover
	@rm -f dist/cutover-lambda-arm64.zip
	$(GO) run ./scripts/zipbootstrap dist/arm64/bootstrap dist/cutover-lambda-arm64.zip
	@ls -l dist/arm64/bootstrap dist/cutover-lambda-arm64.zip

bench: ## Benchmarks: each goal of docs/performance.md as a ratio against bench/floor (bench/run.sh --all for every benchmark)
	@bench/run.sh

golden: ## Rewrite the golden files of every package that has them (review the diff)
	$(GO) test $$(grep -rl 'flag.Bool("update"' --include='*_test.go' internal | xargs -n1 dirname | sort -u | sed 's|^|./|') -update

clean:
	rm -rf bin dist
