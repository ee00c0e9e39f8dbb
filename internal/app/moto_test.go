package app

import (
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestDestinationsParameterOnMoto proves Build reads
// CUTOVER_DESTINATIONS_PARAMETER (a String parameter) and each
// destination's url_secret (a SecureString) from SSM, and that the routes
// it attaches decide delivery: two destinations, one routed away.
func TestDestinationsParameterOnMoto(t *testing.T) {
	ctx := t.Context()
	moto := testrig.StartMoto(t)
	awsCfg := moto.AWSConfig(t)
	web, other := testrig.NewFakeChat(t), testrig.NewFakeChat(t)
	client := ssm.NewFromConfig(awsCfg)
	put := func(name, value string, typ ssmtypes.ParameterType) {
		if _, err := client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ}); err != nil {
			t.Fatal(err)
		}
	}
	put("/cutover/web-hook", web.WebhookURL(), ssmtypes.ParameterTypeSecureString)
	put("/cutover/other-hook", other.WebhookURL(), ssmtypes.ParameterTypeSecureString)
	put("/cutover/destinations", `[
		{"name":"web","type":"slack","url_secret":"/cutover/web-hook","applications":["web-*"]},
		{"name":"other","type":"slack","url_secret":"/cutover/other-hook","applications":["checkout-*"]}
	]`, ssmtypes.ParameterTypeString)

	env := map[string]string{config.EnvDestinationsParameter: "/cutover/destinations", config.EnvEnrich: "false"}
	cfg, err := config.Load(func(k string) string { return env[k] }, Sources(), Destinations().Names())
	if err != nil {
		t.Fatal(err)
	}
	sys, err := Build(ctx, cfg, Options{AWS: &awsCfg})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	in, err := os.ReadFile("../source/codedeploy/testdata/sns-lambda/instance-success.json")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := sys.Inbound.Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Summary(); got != "InstanceSuccess d-7XQ2K9ABC: web=delivered" {
		t.Errorf("summary %q", got)
	}
	if web.Count() != 1 || other.Count() != 0 {
		t.Errorf("posts: web %d (want 1), other %d (want 0)", web.Count(), other.Count())
	}

	// A parameter that does not exist fails the start, naming it.
	env[config.EnvDestinationsParameter] = "/cutover/missing"
	cfg, err = config.Load(func(k string) string { return env[k] }, Sources(), Destinations().Names())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(ctx, cfg, Options{AWS: &awsCfg}); err == nil ||
		!strings.Contains(err.Error(), "CUTOVER_DESTINATIONS_PARAMETER: secret: read parameter /cutover/missing: not found") {
		t.Errorf("missing parameter: %v", err)
	}
}
