package interact

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/control"
)

// recordingSlack is a Slack Web API client that records thread replies
// and answers group members from a table.
type recordingSlack struct {
	mu      sync.Mutex
	replies []reply
	groups  map[string][]string
	fail    error
	marks   []string
}

// MarkRequested records "action deployment user HH:MM" (Marker).
func (s *recordingSlack) MarkRequested(_ context.Context, ref control.Ref, action control.Action, user string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marks = append(s.marks, string(action)+" "+ref.DeploymentID+" "+user+" "+at.UTC().Format("15:04"))
	return nil
}

func (s *recordingSlack) Marks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.marks...)
}

type reply struct{ Channel, ThreadTS, Key, Text string }

func (s *recordingSlack) PostReply(_ context.Context, channel, threadTS, key, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, reply{channel, threadTS, key, text})
	return nil
}

func (s *recordingSlack) GroupMembers(_ context.Context, group string) ([]string, error) {
	if s.fail != nil {
		return nil, s.fail
	}
	m, ok := s.groups[group]
	if !ok {
		return nil, errors.New("no_such_subteam")
	}
	return m, nil
}

func (s *recordingSlack) Replies() []reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]reply(nil), s.replies...)
}

// responseURLServer answers like Slack's response_url endpoint: JSON only,
// and records the ephemeral messages.
type responseURLServer struct {
	*httptest.Server
	mu   sync.Mutex
	msgs []map[string]any
}

func newResponseURLServer(t *testing.T) *responseURLServer {
	s := &responseURLServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &m) != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.msgs = append(s.msgs, m)
		s.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *responseURLServer) Messages() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.msgs...)
}

// ecsFake answers ECS's JSON 1.1 API for DescribeServiceDeployments and
// StopServiceDeployment (moto has neither), keyed on X-Amz-Target, with a
// status per service-deployment ARN; a stop moves the status on as ECS
// does (ROLLBACK_REQUESTED) and is rejected once the deployment ended.
type ecsFake struct {
	*httptest.Server
	mu     sync.Mutex
	status map[string]string
	stage  map[string]string
	stops  []map[string]any
}

func newECSFake(t *testing.T) *ecsFake {
	f := &ecsFake{status: map[string]string{}, stage: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *ecsFake) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var in map[string]any
	_ = json.Unmarshal(b, &in)
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(code, msg string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	}
	switch r.Header.Get("X-Amz-Target") {
	case "AmazonEC2ContainerServiceV20141113.DescribeServiceDeployments":
		var sds, failures []map[string]any
		arns, _ := in["serviceDeploymentArns"].([]any)
		for _, a := range arns {
			arn, _ := a.(string)
			st, ok := f.status[arn]
			if !ok {
				failures = append(failures, map[string]any{"arn": arn, "reason": "MISSING"})
				continue
			}
			sds = append(sds, map[string]any{"serviceDeploymentArn": arn, "status": st, "lifecycleStage": f.stage[arn]})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"serviceDeployments": sds, "failures": failures})
	case "AmazonEC2ContainerServiceV20141113.StopServiceDeployment":
		arn, _ := in["serviceDeploymentArn"].(string)
		f.stops = append(f.stops, in)
		st, ok := f.status[arn]
		switch {
		case !ok:
			fail("ServiceDeploymentNotFoundException", "The service deployment does not exist.")
		case st != "PENDING" && st != "IN_PROGRESS":
			fail("ConflictException", "The service deployment is "+st+".")
		default:
			f.status[arn] = "ROLLBACK_REQUESTED"
			_ = json.NewEncoder(w).Encode(map[string]any{"serviceDeploymentArn": arn})
		}
	default:
		fail("UnknownOperationException", "not implemented by the fake")
	}
}

func (f *ecsFake) Stops() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.stops...)
}
