#!/usr/bin/env bash
# Static checks and offline tests for the cutover Terraform module:
#   terraform fmt -check, init + validate (module and examples), terraform test (mocked AWS provider).
# Works offline when the AWS provider is mirrored locally (CUTOVER_TF_PLUGIN_DIR, default /opt/tf-plugins,
# as for the rest of the repository; TF_PROVIDER_MIRROR is accepted as an older alias);
# otherwise terraform init uses the public registry as usual.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mirror="${CUTOVER_TF_PLUGIN_DIR:-${TF_PROVIDER_MIRROR:-/opt/tf-plugins}}"

if ! command -v terraform >/dev/null 2>&1; then
  echo "check.sh: terraform is not installed or not on PATH (need >= 1.7 for terraform test; see https://developer.hashicorp.com/terraform/install)" >&2
  exit 127
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ -d "$mirror/registry.terraform.io/hashicorp/aws" ]]; then
  cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$work/terraformrc"
  echo "==> using provider mirror $mirror"
else
  echo "==> no provider mirror at $mirror/registry.terraform.io/hashicorp/aws: terraform init downloads hashicorp/aws from the registry (set CUTOVER_TF_PLUGIN_DIR to a mirror to work offline)"
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0

step() { echo; echo "==> $*"; }

cd "$root"

step "terraform fmt -check -recursive"
if ! terraform fmt -check -recursive -diff .; then
  echo "check.sh: files above are not formatted: run 'terraform fmt -recursive terraform'" >&2
  exit 1
fi

for dir in . examples/complete examples/minimal examples/organization modules/spoke tests/moto; do
  step "init + validate: terraform/${dir#./}"
  (
    cd "$dir"
    if ! terraform init -backend=false -input=false -no-color >"$work/init.log" 2>&1; then
      cat "$work/init.log" >&2
      echo "check.sh: terraform init failed in terraform/${dir#./}" >&2
      exit 1
    fi
    terraform validate -no-color
  )
done

step "terraform test (mocked AWS provider, offline)"
terraform test -no-color

step "terraform test: modules/spoke"
(cd modules/spoke && terraform test -no-color)

echo
echo "check.sh: all Terraform checks passed"
