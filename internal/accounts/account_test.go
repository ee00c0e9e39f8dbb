package accounts

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestSessionName(t *testing.T) {
	for id, want := range map[string]string{
		"d-7XQ2K9ABC": "cutover-d-7XQ2K9ABC",
		"":            "cutover",
		"///":         "cutover",
		"arn:aws:ecs:eu-west-1:444455556666:service-deployment/prod-cluster/web/Kq3fz0lbO1sYkJ5vT9xR2": "cutover-ervice-deployment-prod-cluster-web-Kq3fz0lbO1sYkJ5vT9xR2",
		"d-ÄB C": "cutover-d--B-C",
	} {
		if got := SessionName(id); got != want {
			t.Errorf("SessionName(%q) = %q, want %q", id, got, want)
		}
	}
}

// stsSessionName is STS's rule for RoleSessionName.
var stsSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// FuzzSessionName checks that any deployment ID (outside input) gives a
// session name STS accepts, that keeps the end of the ID.
func FuzzSessionName(f *testing.F) {
	f.Add("d-7XQ2K9ABC")
	f.Add("arn:aws:ecs:eu-west-1:444455556666:service-deployment/prod-cluster/web/Kq3fz0lbO1sYkJ5vT9xR2")
	f.Add(strings.Repeat("é/", 100))
	f.Fuzz(func(t *testing.T, id string) {
		got := SessionName(id)
		if !stsSessionName.MatchString(got) || !strings.HasPrefix(got, "cutover") {
			t.Fatalf("SessionName(%q) = %q", id, got)
		}
		if stsSessionName.MatchString(id) && len(id) <= 56 && strings.Trim(id, "-") == id && got != "cutover-"+id {
			t.Fatalf("SessionName(%q) = %q changed a valid ID", id, got)
		}
	})
}

func TestCheckRoleARN(t *testing.T) {
	for arn, ok := range map[string]bool{
		"arn:aws:iam::444455556666:role/cutover-hub":            true,
		"arn:aws-us-gov:iam::444455556666:role/a/b/cutover-hub": true,
		"arn:aws-cn:iam::444455556666:role/x":                   true,
		"arn:aws:iam::444455556667:role/x":                      false,
		"arn:aws:iam::444455556666:user/x":                      false,
		"arn:aws:iam::444455556666:role/":                       false,
		"arn:aws:iam::444455556666:role/x y":                    false,
		"arn:evil:iam::444455556666:role/x":                     false,
		"":                                                      false,
	} {
		if err := CheckRoleARN(arn, "444455556666"); (err == nil) != ok {
			t.Errorf("CheckRoleARN(%q) = %v", arn, err)
		}
	}
	if Partition("arn:aws-cn:iam::444455556666:role/x") != "aws-cn" || Partition("x") != "" {
		t.Error("Partition")
	}
}

// countedRoleARN is the role ARN pattern as it was written before
// roleARNParts: the length limit as a counted repetition.
var countedRoleARN = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::([0-9]{12}):role/([\w+=,.@/-]{1,512})$`)

func TestRoleARNLength(t *testing.T) {
	prefix := "arn:aws:iam::444455556666:role/"
	if err := CheckRoleARN(prefix+strings.Repeat("a", 512), "444455556666"); err != nil {
		t.Errorf("512 characters: %v", err)
	}
	if err := CheckRoleARN(prefix+strings.Repeat("a", 513), "444455556666"); err == nil {
		t.Error("513 characters accepted")
	}
}

// FuzzRoleARN checks that roleARNParts matches exactly what the counted
// pattern matched, with the same submatches.
func FuzzRoleARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::444455556666:role/cutover-hub", "arn:aws-us-gov:iam::444455556666:role/a/b/c",
		"arn:aws-iso-b:iam::444455556666:role/x", "arn:aws:iam::444455556666:role/", "arn:aws:iam::4444555566:role/x",
		"arn:aws:iam::444455556666:role/" + strings.Repeat("x", 513), "arn:aws:iam::444455556666:role/x y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		got, want := roleARNParts(arn), countedRoleARN.FindStringSubmatch(arn)
		if !slices.Equal(got, want) {
			t.Fatalf("roleARNParts(%q) = %q, want %q", arn, got, want)
		}
	})
}
