package simulated

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/enrich"
	cdsource "github.com/cutover-dev/cutover/internal/source/codedeploy"

	"github.com/cutover-dev/cutover/internal/deploy"
)

func TestDetails(t *testing.T) {
	now := time.Date(2026, time.March, 10, 14, 0, 0, 0, time.UTC)
	ev := switchEvent()
	ev.LastUpdated = now
	a, b := Details(ev), Details(ev)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Details is not deterministic")
	}
	if !a.Simulated || a.Service.New() == nil || a.Service.Old() == nil || a.Window == nil || a.Commands.RollBack == "" ||
		a.Links.Service == "" || len(a.Links.Logs) != 1 || a.Links.Pipeline == "" {
		t.Errorf("switch: %+v", a)
	}
	// message words it "Roll back before 15:00 UTC (58 min left)".
	if left := a.Window.Left(now.Add(2 * time.Minute)); left.Truncate(time.Minute) != 58*time.Minute || a.Window.Deadline.UTC().Format("15:04") != "15:00" {
		t.Errorf("window = %+v, %v left", a.Window, left)
	}
	for _, k := range []string{cdsource.DeploymentReady, cdsource.DeploymentFailure, cdsource.DeploymentStop,
		cdsource.DeploymentRollback, cdsource.DeploymentStart, cdsource.DeploymentSuccess} {
		e := readyEvent()
		e.Name = k
		cdsource.Classify(e)
		d := Details(e)
		if d == nil || d.Deployment == nil || !d.Simulated {
			t.Errorf("%s: %+v", k, d)
			continue
		}
		switch k {
		case cdsource.DeploymentReady:
			if d.Window == nil || d.Window.Kind != enrich.WindowReroute || d.Commands.Reroute == "" {
				t.Errorf("ready: %+v", d)
			}
		case cdsource.DeploymentFailure, cdsource.DeploymentStop, cdsource.DeploymentRollback:
			if d.Failure == nil || d.Failure.Diagnostics == nil || d.Commands != (enrich.Commands{}) || d.Links.Related == "" {
				t.Errorf("%s: %+v", k, d)
			}
		}
	}
	rb := switchEvent()
	rb.Rollback = &deploy.Rollback{RollsBack: "d-M4QFAIL01"}
	if d := Details(rb); d.Window != nil || d.Commands != (enrich.Commands{}) || d.Deployment.RollbackTriggeringDeploymentID != "d-M4QFAIL01" {
		t.Errorf("rollback switch: %+v", d)
	}
	if Details(nil) != nil || Details(&deploy.Event{Name: cdsource.TriggerTest, Phase: deploy.Test}) != nil {
		t.Error("Details of nothing is not nil")
	}
}

// switchEvent is the ECS InstanceSuccess (traffic switched) of
// d-7XQ2K9ABC, as the decoder gives it for a real trigger message.
func switchEvent() *deploy.Event {
	ev := &deploy.Event{
		Name:            cdsource.InstanceSuccess,
		Source:          cdsource.SourceTrigger,
		Region:          "us-east-1",
		AccountID:       "111122223333",
		Application:     "web-frontend",
		DeploymentGroup: "web-frontend-prod",
		DeploymentID:    "d-7XQ2K9ABC",
		Status:          "SUCCEEDED",
		LastUpdated:     time.Date(2022, time.October, 13, 15, 58, 2, 0, time.UTC),
		Target:          &deploy.Target{ID: "prod-cluster:web-frontend", Type: deploy.TargetECS, Cluster: "prod-cluster", Service: "web-frontend"},
	}
	cdsource.Classify(ev)
	return ev
}

// readyEvent is the DeploymentReady of d-7XQ2K9ABC delivered through SNS.
func readyEvent() *deploy.Event {
	ev := &deploy.Event{
		Name:            cdsource.DeploymentReady,
		Source:          cdsource.SourceTrigger,
		Region:          "us-east-1",
		AccountID:       "111122223333",
		Application:     "web-frontend",
		DeploymentGroup: "web-frontend-prod",
		DeploymentID:    "d-7XQ2K9ABC",
		Status:          "READY",
		CreateTime:      time.Date(2022, time.October, 13, 15, 50, 45, 0, time.UTC),
	}
	cdsource.Classify(ev)
	return ev
}

// TestEnricher checks the demo's enrich.Enricher: the same details as
// Details, no warnings, and a rollback exactly when the ID says BACK.
func TestEnricher(t *testing.T) {
	ev := switchEvent()
	d, warnings := Enricher{}.Details(context.Background(), ev)
	if !reflect.DeepEqual(d, Details(ev)) || warnings != nil {
		t.Errorf("Enricher.Details = %+v, %v; want Details(ev) and no warnings", d, warnings)
	}
	for id, want := range map[string]bool{"d-DEMOBACK1": true, "d-DEMOFAIL1": false, "": false} {
		if got := (Enricher{}).IsRollbackDeployment(context.Background(), "us-east-1", id); got != want {
			t.Errorf("IsRollbackDeployment(%q) = %v, want %v", id, got, want)
		}
	}
}
