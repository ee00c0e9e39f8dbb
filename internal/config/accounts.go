package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cutover-dev/cutover/internal/accounts"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/secret"
)

// accountJSON is one entry of CUTOVER_ACCOUNTS as written: these key names
// are the contract shared by the docs, the Terraform module and the tests.
type accountJSON struct {
	RoleARN    string `json:"role_arn"`
	ExternalID string `json:"external_id"`
}

// ParseAccounts decodes and checks raw, the JSON of CUTOVER_ACCOUNTS
// ({"444455556666":{"role_arn":"arn:aws:iam::444455556666:role/cutover-hub",
// "external_id":"…"}}): 12-digit account IDs, a role ARN of that account
// in any partition, an optional external ID STS accepts (never echoed).
// Every problem is reported at once.
func ParseAccounts(raw string) (map[string]accounts.Account, []error) {
	entries, err := decodeStrict[map[string]accountJSON](raw, `a JSON object like {"444455556666":{"role_arn":"arn:aws:iam::444455556666:role/cutover-hub","external_id":"…"}}`)
	if err != nil {
		return nil, []error{err}
	}
	if len(entries) == 0 {
		return nil, []error{errors.New("no account: list at least one, or unset it")}
	}
	var errs []error
	out := map[string]accounts.Account{}
	for _, id := range slices.Sorted(maps.Keys(entries)) {
		e := entries[id]
		if !awsx.ValidAccount(id) {
			errs = append(errs, fmt.Errorf("account %q: not a 12-digit AWS account ID", clip(id)))
			continue
		}
		ok := true
		if err := accounts.CheckRoleARN(strings.TrimSpace(e.RoleARN), id); err != nil {
			errs = append(errs, fmt.Errorf("account %s: %w", id, err))
			ok = false
		}
		if e.ExternalID != "" {
			if err := accounts.CheckExternalID(e.ExternalID); err != nil {
				errs = append(errs, fmt.Errorf("account %s: %w", id, err))
				ok = false
			}
		}
		if ok {
			out[id] = accounts.Account{ID: id, RoleARN: strings.TrimSpace(e.RoleARN), ExternalID: secret.New(e.ExternalID)}
		}
	}
	return out, errs
}
