package control

import (
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
)

func TestRoundTrip(t *testing.T) {
	ev := &deploy.Event{Platform: deploy.CodeDeployECS, Region: "eu-west-1", AccountID: "111122223333", DeploymentID: "d-7XQ2K9ABC"}
	v, err := RefOf(ev, "ops").Encode()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Decode(v)
	if err != nil {
		t.Fatal(err)
	}
	if r != (Ref{Platform: deploy.CodeDeployECS, Region: "eu-west-1", AccountID: "111122223333", DeploymentID: "d-7XQ2K9ABC", Destination: "ops"}) {
		t.Errorf("round trip: %+v", r)
	}
}

func TestDecodeRejects(t *testing.T) {
	for name, v := range map[string]string{
		"empty":            "",
		"not json":         "rollback d-1",
		"unknown platform": `{"p":"k8s","d":"x"}`,
		"no deployment":    `{"p":"codedeploy"}`,
		"extra field":      `{"p":"codedeploy","d":"d-1","x":1}`,
		"too long":         `{"p":"codedeploy","d":"` + strings.Repeat("a", MaxEncoded) + `"}`,
	} {
		if _, err := Decode(v); err == nil {
			t.Errorf("%s: Decode(%.40q) accepted", name, v)
		}
	}
}

func TestActions(t *testing.T) {
	if !Supports(deploy.CodeDeployECS, FinishEarly) || !Supports(deploy.CodeDeploy, Rollback) {
		t.Error("CodeDeploy supports both actions")
	}
	if Supports(deploy.ECSNative, FinishEarly) || !Supports(deploy.ECSNative, Rollback) {
		t.Error("ECS-native has rollback only: nothing ends bake time early")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`{"p":"ecs-native","r":"us-west-2","d":"arn:aws:ecs:us-west-2:1:service-deployment/c/s/x"}`)
	f.Add(`{"p":"codedeploy","d":"d-1","n":"ops"}`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Decode(s)
		if err != nil {
			return
		}
		v, err := r.Encode()
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it again: %v", s, err)
		}
		if r2, err := Decode(v); err != nil || r2 != r {
			t.Fatalf("re-decode of %q: %+v, %v", v, r2, err)
		}
	})
}
