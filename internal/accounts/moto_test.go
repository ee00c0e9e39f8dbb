package accounts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// hubAccount is moto's default account: the one the static test
// credentials act in.
const hubAccount = "123456789012"

// spokes are two workload accounts and the external IDs of their roles.
var spokes = map[string]string{"222233334444": "ext-team-a", "333344445555": "ext-team-b"}

// TestHubAndSpokesOnMoto drives an event from each of two spoke accounts
// through the hub, on moto (which keeps one backend per account and maps
// assumed-role credentials to the role's account): each spoke's
// deployment exists only in that spoke, so the lookups can only find it
// through the spoke's assumed role; an unlisted account's event is
// notified without details, and routing by account applies.
func TestHubAndSpokesOnMoto(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	m := testrig.StartMoto(t)
	hub := m.AWSConfig(t)

	var list []string
	for id, ext := range spokes {
		list = append(list, fmt.Sprintf(`%q:{"role_arn":"arn:aws:iam::%s:role/cutover-hub","external_id":%q}`, id, id, ext))
	}
	accountsJSON := "{" + strings.Join(list, ",") + "}"
	all, teamB := testrig.NewFakeChat(t), testrig.NewFakeChat(t)
	env := map[string]string{
		config.EnvAccounts: accountsJSON,
		config.EnvDestinations: fmt.Sprintf(`[
			{"name":"all","type":"slack","url":%q,"events":["DeploymentStart"]},
			{"name":"team-b","type":"slack","url":%q,"events":["DeploymentStart"],"accounts":["333344445555"]}
		]`, all.WebhookURL(), teamB.WebhookURL()),
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, app.Sources(), app.Destinations().Names())
	if err != nil {
		t.Fatal(err)
	}
	sys, err := app.Build(ctx, cfg, app.Options{AWS: &hub})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()

	// A deployment in each spoke, created through the hub's resolver (the
	// spoke's role), described with the spoke's account.
	deployments := map[string]string{}
	for id := range spokes {
		spokeCfg, err := sys.Accounts.Config(ctx, id, "us-east-1", "d-SETUP0001")
		if err != nil {
			t.Fatal(err)
		}
		who, err := sts.NewFromConfig(spokeCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(who.Account) != id || !strings.HasSuffix(aws.ToString(who.Arn), ":assumed-role/cutover-hub/cutover-d-SETUP0001") {
			t.Errorf("spoke %s: acting as %s in %s", id, aws.ToString(who.Arn), aws.ToString(who.Account))
		}
		deployments[id] = createDeployment(ctx, t, codedeploy.NewFromConfig(spokeCfg), "checkout", "checkout-prod", "deployed in "+id)
	}
	// The hub's own credentials cannot see a spoke's deployment.
	for id, dep := range deployments {
		if _, err := codedeploy.NewFromConfig(hub).GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(dep)}); err == nil {
			t.Fatalf("the hub's credentials found spoke %s's deployment %s: the test proves nothing", id, dep)
		}
	}

	for id, dep := range deployments {
		all.Reset()
		teamB.Reset()
		rep, err := sys.Inbound.Handle(ctx, eventBridge(id, "us-east-1", dep))
		if err != nil {
			t.Fatalf("spoke %s: %v", id, err)
		}
		t.Logf("spoke %s: %s", id, rep.Summary())
		text := posted(t, all)
		if !strings.Contains(text, "deployed in "+id) || !strings.Contains(text, "account "+id) || !strings.Contains(text, "us-east-1") {
			t.Errorf("spoke %s: the message lacks the looked-up description, account or region:\n%s", id, text)
		}
		if strings.Contains(text, "not connected") {
			t.Errorf("spoke %s: said not connected:\n%s", id, text)
		}
		if want := map[bool]int{true: 1, false: 0}[id == "333344445555"]; len(teamB.Requests()) != want {
			t.Errorf("spoke %s: team-b got %d messages, want %d (routed by account)", id, len(teamB.Requests()), want)
		}
	}

	// The hub's own account: its own credentials, as without accounts.
	own := createDeployment(ctx, t, codedeploy.NewFromConfig(hub), "web", "web-prod", "deployed in the hub")
	all.Reset()
	if _, err := sys.Inbound.Handle(ctx, eventBridge(hubAccount, "us-east-1", own)); err != nil {
		t.Fatal(err)
	}
	if text := posted(t, all); !strings.Contains(text, "deployed in the hub") {
		t.Errorf("hub account: not enriched:\n%s", text)
	}

	// An account that is not listed: notified with what the event says,
	// one line that details are unavailable, nothing looked up (the hub's
	// own deployment ID would have been found with the hub's credentials).
	all.Reset()
	if _, err := sys.Inbound.Handle(ctx, eventBridge("999988887777", "us-east-1", own)); err != nil {
		t.Fatal(err)
	}
	text := posted(t, all)
	if !strings.Contains(text, "account 999988887777 is not connected to cutover: details unavailable") || strings.Contains(text, "deployed in the hub") {
		t.Errorf("unlisted account:\n%s", text)
	}
}

// createDeployment creates an ECS blue/green deployment group and a
// deployment with description in the account of cd, and returns its ID.
func createDeployment(ctx context.Context, t *testing.T, cd *codedeploy.Client, app, group, description string) string {
	t.Helper()
	if _, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String(app), ComputePlatform: cdtypes.ComputePlatformEcs}); err != nil {
		t.Fatalf("CreateApplication: %v", err)
	}
	if _, err := cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group),
		ServiceRoleArn:       aws.String("arn:aws:iam::123456789012:role/codedeploy"),
		DeploymentConfigName: aws.String("CodeDeployDefault.ECSAllAtOnce"),
		DeploymentStyle: &cdtypes.DeploymentStyle{
			DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl, DeploymentType: cdtypes.DeploymentTypeBlueGreen,
		},
		EcsServices: []cdtypes.ECSService{{ClusterName: aws.String("prod"), ServiceName: aws.String(app)}},
	}); err != nil {
		t.Fatalf("CreateDeploymentGroup: %v", err)
	}
	out, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group), Description: aws.String(description),
		Revision: &cdtypes.RevisionLocation{
			RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{
				Content: aws.String(`{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/x:1"}}}]}`),
			},
		},
	})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	return aws.ToString(out.DeploymentId)
}

// eventBridge is a CodeDeploy "deployment started" EventBridge event from
// account and region, as the hub's bus forwards it.
func eventBridge(account, region, deploymentID string) []byte {
	ev := map[string]any{
		"version": "0", "id": "e-" + deploymentID + "-" + account, "detail-type": "CodeDeploy Deployment State-change Notification",
		"source": "aws.codedeploy", "account": account, "time": "2026-11-26T11:40:00Z", "region": region, "resources": []string{},
		"detail": map[string]any{
			"account": account, "region": region, "deploymentId": deploymentID, "instanceGroupId": "8cd3bfa8-9e72-4cbe-a1e5-da4efc7efd49",
			"deploymentGroup": "checkout-prod", "state": "START", "application": "checkout",
		},
	}
	b, _ := json.Marshal(ev)
	return b
}

// posted is the text of every request the fake received, one after the
// other; it fails when there is none.
func posted(t *testing.T, f *testrig.FakeChat) string {
	t.Helper()
	reqs := f.Requests()
	if len(reqs) == 0 {
		t.Fatal("no message posted")
	}
	var b strings.Builder
	for _, r := range reqs {
		b.Write(r.Body)
	}
	return b.String()
}
