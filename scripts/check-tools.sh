#!/usr/bin/env bash
# Fails with a clear message when a tool the tests need is missing. Tests
# never skip for a missing tool: they fail, and this says why first.
set -euo pipefail
missing=0
need() { # name, check command, how to get it
  if ! eval "$2" >/dev/null 2>&1; then
    echo "missing: $1 — $3" >&2
    missing=1
  fi
}
need "go 1.27.3 (GOTOOLCHAIN=${GOTOOLCHAIN:-unset})" "go version | grep -Eq 'go1\\.(2[7-9]|[3-9][0-9])'" "install Go 1.21+ and let make fetch go1.27.3 (the Makefile exports GOTOOLCHAIN=go1.27.3; it needs the Go module proxy), or install Go 1.27.3 from https://go.dev/dl/"
need "python3" "command -v python3" "install Python 3 (apt-get install python3)"
need "moto server (python3 -m moto.server)" "python3 -c 'import moto.server, flask'" "pip install 'moto[server]==5.2.1'"
need "terraform 1.5+" "terraform version" "install Terraform 1.11 from https://developer.hashicorp.com/terraform/install"
mirror="${CUTOVER_TF_PLUGIN_DIR:-/opt/tf-plugins}"
if [ ! -d "$mirror/registry.terraform.io/hashicorp/aws" ]; then
  echo "note: no hashicorp/aws provider mirror at $mirror; terraform init will use the registry (set CUTOVER_TF_PLUGIN_DIR to a mirror made with 'terraform providers mirror' to work offline)" >&2
fi
if [ "$missing" -ne 0 ]; then
  echo "make test needs the tools above; nothing was run." >&2
  exit 1
fi
echo "tools: go, python3 + moto, terraform present"
