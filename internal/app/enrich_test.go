package app

import (
	"context"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// named is an enricher that says who it is.
type named string

func (n named) Details(context.Context, *deploy.Event) (*enrich.Details, []enrich.Warning) {
	return &enrich.Details{DeploymentID: string(n)}, nil
}

func (n named) IsRollbackDeployment(_ context.Context, _, id string) bool { return string(n) == "ecs" }

func TestByPlatform(t *testing.T) {
	b := byPlatform{codeDeploy: named("codedeploy"), ecsNative: named("ecs")}
	for p, want := range map[deploy.Platform]string{
		deploy.ECSNative: "ecs", deploy.CodeDeployECS: "codedeploy", deploy.CodeDeploy: "codedeploy", "": "codedeploy",
	} {
		if d, _ := b.Details(context.Background(), &deploy.Event{Platform: p}); d.DeploymentID != want {
			t.Errorf("%q: asked %s, want %s", p, d.DeploymentID, want)
		}
	}
	for id, want := range map[string]bool{
		"arn:aws:ecs:us-east-1:1:service-deployment/c/s/x": true, "ecs-svc/12": true, "d-7XQ2K9ABC": false,
	} {
		if got := b.IsRollbackDeployment(context.Background(), "", id); got != want {
			t.Errorf("%s: asked the ECS-native enricher %v, want %v", id, got, want)
		}
	}
}
