package tfapply

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// The organization example's accounts on moto: the hub is moto's default
// account (the static test credentials), the spokes are reached by the
// example's providers assuming a role in them (moto gives assumed-role
// credentials the role's account).
const (
	orgHub   = "123456789012"
	orgTeamA = "222233334444"
	orgTeamB = "333344445555"
)

// TestOrganizationExampleOnMoto applies terraform/examples/organization
// (the hub and two spokes, one provider per account) with the real
// provider against moto, checks that each account got its part (the
// spoke roles trust only the hub function's role with the external ID;
// each spoke's trigger topic is subscribed to the hub function), then
// builds cutover from the environment Terraform gave the function and
// sends a deployment event from each spoke: each is enriched through the
// spoke's role (the deployment exists only in the spoke), routed by
// account; an unlisted account's event is notified without details.
func TestOrganizationExampleOnMoto(t *testing.T) {
	tfBin := requireTerraform(t)
	mirror := requirePluginMirror(t)
	root := testrig.ModuleRoot(t)
	moto := testrig.StartMoto(t)
	ctx, cancel := context.WithTimeout(t.Context(), bounded(t, 10*time.Minute))
	defer cancel()

	dst := filepath.Join(t.TempDir(), "repo")
	for _, rel := range []string{"terraform", "terraform/modules/spoke", "terraform/examples/organization"} {
		copyTFFiles(t, filepath.Join(root, rel), filepath.Join(dst, rel))
	}
	example := filepath.Join(dst, "terraform", "examples", "organization")
	copyFile(t, filepath.Join(root, "terraform", "examples", "organization", "moto_override.tf.example"), filepath.Join(example, "moto_override.tf"))
	copyFile(t, filepath.Join(root, "terraform", "tests", "fixtures", "bootstrap.zip"), filepath.Join(dst, "bootstrap.zip"))

	tf := newTerraform(t, tfBin, example, writeCLIConfig(t, mirror), map[string]string{
		"aws_endpoint_url": moto.Endpoint,
		"region":           testrig.Region,
		"hub_account_id":   orgHub,
		// moto stores the package without running it.
		"lambda_zip_path": filepath.Join(dst, "bootstrap.zip"),
		"spokes": fmt.Sprintf(`{
			team_a = { account_id = %q, external_id = "%s-team-a", deployment_groups = [{ application = "shop", deployment_group = "shop-prod" }], ecs_services = [{ cluster = "prod", service = "shop" }] }
			team_b = { account_id = %q, external_id = "%s-team-b", deployment_groups = [], ecs_services = [] }
		}`, orgTeamA, orgHub, orgTeamB, orgHub),
	})
	if _, err := tf.run(ctx, bounded(t, initTimeout), "init", "-input=false"); err != nil {
		t.Fatal(err)
	}
	if _, err := tf.run(ctx, bounded(t, applyTimeout), "apply", "-auto-approve", "-input=false"); err != nil {
		t.Fatal(err)
	}
	_, outs, err := tf.outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var roles, topics map[string]string
	if err := json.Unmarshal(outs["spoke_roles"].Value, &roles); err != nil {
		t.Fatalf("spoke_roles %s: %v", outs["spoke_roles"].Value, err)
	}
	if err := json.Unmarshal(outs["spoke_trigger_topics"].Value, &topics); err != nil {
		t.Fatalf("spoke_trigger_topics %s: %v", outs["spoke_trigger_topics"].Value, err)
	}
	if roles["team_a"] != "arn:aws:iam::"+orgTeamA+":role/cutover-hub" || roles["team_b"] != "arn:aws:iam::"+orgTeamB+":role/cutover-hub" {
		t.Fatalf("spoke roles %v: not in the spoke accounts", roles)
	}

	// The function, as Terraform configured it in the hub.
	hub := moto.AWSConfig(t)
	fn, raw, err := newRawAWS(hub).getFunctionConfiguration(ctx, stringOutput(t, outs, "hub_function_name"))
	if err != nil {
		t.Fatalf("get function: %v (%s)", err, raw)
	}
	if fn.Role != "arn:aws:iam::"+orgHub+":role/cutover-lambda" {
		t.Fatalf("function role %q", fn.Role)
	}
	env := fn.Environment.Variables
	chat, teamB := testrig.NewFakeChat(t), testrig.NewFakeChat(t)
	env[config.EnvDestinationsParameter] = ""
	env[config.EnvSlackWebhookURLSecret] = ""
	env[config.EnvRecordsTable] = ""
	env[config.EnvDestinations] = fmt.Sprintf(`[
		{"name":"all","type":"slack","url":%q,"events":["DeploymentStart"]},
		{"name":"team-b","type":"slack","url":%q,"events":["DeploymentStart"],"accounts":[%q]}
	]`, chat.WebhookURL(), teamB.WebhookURL(), orgTeamB)
	cfg, err := config.Load(func(k string) string { return env[k] }, app.Sources(), app.Destinations().Names())
	if err != nil {
		t.Fatalf("the function's configuration: %v", err)
	}
	if len(cfg.Accounts) != 2 || cfg.Accounts[orgTeamA].RoleARN != roles["team_a"] || cfg.Accounts[orgTeamA].ExternalID.Reveal() != orgHub+"-team-a" {
		t.Fatalf("CUTOVER_ACCOUNTS as deployed: %+v", cfg.Accounts)
	}
	sys, err := app.Build(ctx, cfg, app.Options{AWS: &hub})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()

	for team, account := range map[string]string{"team_a": orgTeamA, "team_b": orgTeamB} {
		spoke, err := sys.Accounts.Config(ctx, account, testrig.Region, "d-SETUP0001")
		if err != nil {
			t.Fatal(err)
		}
		// The role in the spoke trusts the hub function's role, with the
		// external ID, and nothing else.
		role, err := iam.NewFromConfig(spoke).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("cutover-hub")})
		if err != nil {
			t.Fatalf("%s: get role: %v", team, err)
		}
		trust, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
		if !strings.Contains(trust, fn.Role) || !strings.Contains(trust, `"sts:ExternalId":"`+orgHub+"-"+strings.ReplaceAll(team, "_", "-")+`"`) {
			t.Errorf("%s: trust policy %s", team, trust)
		}
		// Its trigger topic is subscribed to the hub function.
		subs, err := sns.NewFromConfig(spoke).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topics[team])})
		if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Endpoint) != fn.FunctionArn {
			t.Errorf("%s: subscriptions of %s: %+v, %v", team, topics[team], subs, err)
		}

		dep := orgDeployment(ctx, t, codedeploy.NewFromConfig(spoke), "deployed in "+account)
		chat.Reset()
		teamB.Reset()
		if _, err := sys.Inbound.Handle(ctx, orgEvent(account, dep)); err != nil {
			t.Fatalf("%s: %v", team, err)
		}
		text := orgPosted(t, chat)
		if !strings.Contains(text, "deployed in "+account) || !strings.Contains(text, "account "+account) {
			t.Errorf("%s: not enriched through the spoke role:\n%s", team, text)
		}
		if want := map[bool]int{true: 1, false: 0}[account == orgTeamB]; len(teamB.Requests()) != want {
			t.Errorf("%s: team-b got %d messages, want %d", team, len(teamB.Requests()), want)
		}
	}

	chat.Reset()
	if _, err := sys.Inbound.Handle(ctx, orgEvent("999988887777", "d-UNKNOWN01")); err != nil {
		t.Fatal(err)
	}
	if text := orgPosted(t, chat); !strings.Contains(text, "account 999988887777 is not connected to cutover: details unavailable") {
		t.Errorf("unlisted account:\n%s", text)
	}
}

// copyTFFiles copies the .tf files of src (not overrides) into dst.
func copyTFFiles(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if name := e.Name(); e.Type().IsRegular() && strings.HasSuffix(name, ".tf") && !strings.HasSuffix(name, "_override.tf") {
			copyFile(t, filepath.Join(src, name), filepath.Join(dst, name))
		}
	}
}

// orgDeployment creates an ECS blue/green group and a deployment with
// description in the account of c, and returns the deployment's ID.
func orgDeployment(ctx context.Context, t *testing.T, c *codedeploy.Client, description string) string {
	t.Helper()
	if _, err := c.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("shop"), ComputePlatform: cdtypes.ComputePlatformEcs}); err != nil {
		t.Fatalf("CreateApplication: %v", err)
	}
	if _, err := c.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: aws.String("shop"), DeploymentGroupName: aws.String("shop-prod"),
		ServiceRoleArn:       aws.String("arn:aws:iam::123456789012:role/codedeploy"),
		DeploymentConfigName: aws.String("CodeDeployDefault.ECSAllAtOnce"),
		DeploymentStyle:      &cdtypes.DeploymentStyle{DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl, DeploymentType: cdtypes.DeploymentTypeBlueGreen},
		EcsServices:          []cdtypes.ECSService{{ClusterName: aws.String("prod"), ServiceName: aws.String("shop")}},
	}); err != nil {
		t.Fatalf("CreateDeploymentGroup: %v", err)
	}
	out, err := c.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName: aws.String("shop"), DeploymentGroupName: aws.String("shop-prod"), Description: aws.String(description),
		Revision: &cdtypes.RevisionLocation{
			RevisionType:   cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(`{"version":0.0,"Resources":[]}`)},
		},
	})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	return aws.ToString(out.DeploymentId)
}

// orgEvent is a CodeDeploy "deployment started" event from account, as the
// hub bus passes it to the function.
func orgEvent(account, deploymentID string) []byte {
	b, _ := json.Marshal(map[string]any{
		"version": "0", "id": "e-" + account + "-" + deploymentID, "detail-type": "CodeDeploy Deployment State-change Notification",
		"source": "aws.codedeploy", "account": account, "time": "2026-11-26T11:40:00Z", "region": testrig.Region, "resources": []string{},
		"detail": map[string]any{
			"account": account, "region": testrig.Region, "deploymentId": deploymentID, "instanceGroupId": "8cd3bfa8-9e72-4cbe-a1e5-da4efc7efd49",
			"deploymentGroup": "shop-prod", "state": "START", "application": "shop",
		},
	})
	return b
}

// orgPosted is the body of every message f received; it fails when none.
func orgPosted(t *testing.T, f *testrig.FakeChat) string {
	t.Helper()
	var b strings.Builder
	for _, r := range f.Requests() {
		b.Write(r.Body)
	}
	if b.Len() == 0 {
		t.Fatal("no message posted")
	}
	return b.String()
}
