// Package control names what an operator can do to a running deployment
// from a chat message, and carries it from the button to the AWS call:
// the Action (roll back, finish early), the Ref that says which
// deployment, on which platform, in which account and region, and the
// compact encoding a Slack button's value carries. The Slack app
// destination puts buttons on a message with Encode; the click handler
// decodes the value with Decode, after the request's signature was
// verified, and performs the action for the Ref's platform.
package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// Action is what an operator asks for.
type Action string

// The actions.
const (
	// Rollback moves production traffic back to the original version:
	// CodeDeploy StopDeployment with autoRollbackEnabled, or ECS
	// StopServiceDeployment with stopType ROLLBACK.
	Rollback Action = "rollback"
	// FinishEarly ends the rollback window now (CodeDeploy
	// ContinueDeployment with TERMINATION_WAIT): no rollback after it.
	// ECS-native blue/green has no such operation.
	FinishEarly Action = "finish-early"
)

// Actions lists the actions platform p supports, in the order buttons
// show them.
func Actions(p deploy.Platform) []Action {
	switch {
	case p.IsCodeDeploy():
		return []Action{Rollback, FinishEarly}
	case p == deploy.ECSNative:
		return []Action{Rollback}
	}
	return nil
}

// Supports reports whether platform p supports a.
func Supports(p deploy.Platform, a Action) bool {
	for _, x := range Actions(p) {
		if x == a {
			return true
		}
	}
	return false
}

// Ref names one deployment for an action.
type Ref struct {
	// Platform is what runs the deployment.
	Platform deploy.Platform `json:"p"`
	// Region is the deployment's region.
	Region string `json:"r,omitempty"`
	// AccountID is the account that owns the deployment.
	AccountID string `json:"a,omitempty"`
	// DeploymentID is the CodeDeploy deployment ID, or the ECS
	// service-deployment ARN.
	DeploymentID string `json:"d"`
	// Destination is the name of the destination whose message carries
	// the button (so the click handler uses that destination's token,
	// signing secret and allowed users).
	Destination string `json:"n,omitempty"`
}

// RefOf returns the Ref of ev's deployment at destination.
func RefOf(ev *deploy.Event, destination string) Ref {
	return Ref{Platform: ev.Platform, Region: ev.Region, AccountID: ev.AccountID, DeploymentID: ev.DeploymentID, Destination: destination}
}

// MaxEncoded bounds an encoded Ref: a Slack button value holds at most
// 2,000 characters.
const MaxEncoded = 2000

// Encode returns r as a button value.
func (r Ref) Encode() (string, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("control: encode: %w", err)
	}
	if len(b) > MaxEncoded {
		return "", fmt.Errorf("control: encoded reference is %d bytes, more than a button holds (%d)", len(b), MaxEncoded)
	}
	return string(b), nil
}

// Decode parses a button value made by Encode. It comes from a signed
// request, but is still outside input: it is bounded and validated.
func Decode(s string) (Ref, error) {
	if len(s) > MaxEncoded {
		return Ref{}, fmt.Errorf("control: button value of %d bytes is longer than %d", len(s), MaxEncoded)
	}
	var r Ref
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Ref{}, errors.New("control: button value is not a deployment reference")
	}
	if err := r.Validate(); err != nil {
		return Ref{}, err
	}
	return r, nil
}

// Validate checks that r names a deployment on a known platform.
func (r Ref) Validate() error {
	if len(Actions(r.Platform)) == 0 {
		return fmt.Errorf("control: unknown platform %q", r.Platform)
	}
	if r.DeploymentID == "" {
		return errors.New("control: no deployment ID")
	}
	return nil
}
