package config

import (
	"strings"
	"testing"
)

func TestAccounts(t *testing.T) {
	c, err := load(envOf(map[string]string{EnvAccounts: `{
		"444455556666": {"role_arn": "arn:aws:iam::444455556666:role/cutover-hub", "external_id": "org-7f3a9c"},
		"777788889999": {"role_arn": "arn:aws-cn:iam::777788889999:role/teams/cutover-hub"}
	}`}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Accounts) != 2 {
		t.Fatalf("accounts %+v", c.Accounts)
	}
	a := c.Accounts["444455556666"]
	if a.ID != "444455556666" || a.RoleARN != "arn:aws:iam::444455556666:role/cutover-hub" || a.ExternalID.Reveal() != "org-7f3a9c" {
		t.Errorf("account %+v", a)
	}
	if b := c.Accounts["777788889999"]; b.RoleARN != "arn:aws-cn:iam::777788889999:role/teams/cutover-hub" || !b.ExternalID.IsZero() {
		t.Errorf("account %+v", b)
	}
	if unset, err := load(envOf(nil)); err != nil || unset.Accounts != nil {
		t.Errorf("unset: %v, %+v", err, unset.Accounts)
	}
}

func TestAccountsProblems(t *testing.T) {
	const external = "s3cr3t-ext-id with spaces"
	_, err := load(envOf(map[string]string{EnvAccounts: `{
		"4444": {"role_arn": "arn:aws:iam::444455556666:role/x"},
		"111122223333": {"role_arn": "arn:aws:iam::999988887777:role/cutover-hub"},
		"222233334444": {"role_arn": "arn:aws:sts::222233334444:assumed-role/x/y"},
		"333344445555": {},
		"555566667777": {"role_arn": "arn:aws:iam::555566667777:role/ok", "external_id": "` + external + `"}
	}`}))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		`CUTOVER_ACCOUNTS: account "4444": not a 12-digit AWS account ID`,
		"account 111122223333: role_arn \"arn:aws:iam::999988887777:role/cutover-hub\" is a role of account 999988887777, not of 111122223333",
		"account 222233334444: role_arn \"arn:aws:sts::222233334444:assumed-role/x/y\" is not an IAM role ARN",
		"account 333344445555: no role_arn",
		"account 555566667777: external_id is not 2 to 1224",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "s3cr3t") {
		t.Errorf("error echoes the external ID:\n%s", msg)
	}
	for _, raw := range []string{`[]`, `{}`, `{"444455556666":{"role":"x"}}`, `{"444455556666":{"role_arn":"arn:aws:iam::444455556666:role/a"}} x`} {
		if _, err := load(envOf(map[string]string{EnvAccounts: raw})); err == nil || !strings.Contains(err.Error(), EnvAccounts) {
			t.Errorf("%s: error %v", raw, err)
		}
	}
}

// FuzzParseAccounts checks that no input panics, that what is accepted
// is valid, and that an external ID never shows in an error.
func FuzzParseAccounts(f *testing.F) {
	f.Add(`{"444455556666":{"role_arn":"arn:aws:iam::444455556666:role/cutover-hub","external_id":"abc-123"}}`)
	f.Add(`{"4444":{"role_arn":"arn:aws:iam::4444:role/x","external_id":"zz zz zz zz"}}`)
	f.Add(`{"444455556666":{"external_id":"Z7^secret^Z7"}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		accs, errs := ParseAccounts(raw)
		for id, a := range accs {
			if a.ID != id || len(id) != 12 || !strings.Contains(a.RoleARN, ":"+id+":role/") {
				t.Fatalf("accepted %q: %+v", id, a)
			}
		}
		for _, err := range errs {
			if strings.Contains(err.Error(), "Z7^secret^Z7") {
				t.Fatalf("error echoes the external ID: %v", err)
			}
		}
	})
}
