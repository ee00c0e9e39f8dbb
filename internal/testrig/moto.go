package testrig

import (
	"bytes"
	"context"
	_ "embed" // for the moto launcher
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the AWS region used with moto by [Moto.AWSConfig] and
// [Moto.Env].
const Region = "us-east-1"

// motoLauncher starts moto's server with the CodeDeploy fixes; see the
// docstring of moto/launcher.py for what it patches.
//
//go:embed moto/launcher.py
var motoLauncher []byte

// Moto is a running moto server (AWS API mocks) with cutover's CodeDeploy
// fixes. Start one with [StartMoto].
type Moto struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string

	proc *proc
}

// StartMoto starts moto's server on a free 127.0.0.1 port through the
// Python launcher embedded in this package, waits until it answers and
// registers a cleanup that stops it. It sets
// MOTO_IAM_LOAD_MANAGED_POLICIES=true so that AWS managed policies exist.
// The test fails when python3 or moto is missing.
//
// The launcher makes CodeDeploy usable from aws-sdk-go-v2 and Terraform:
// timestamps are epoch-second numbers; UpdateApplication, DeleteApplication,
// UpdateDeploymentGroup, DeleteDeploymentGroup, BatchGetDeploymentGroups,
// Get/List/Create/DeleteDeploymentConfig, StopDeployment,
// ContinueDeployment and PutLifecycleEventHookExecutionStatus work;
// deployment IDs look like AWS ones (d-XXXXXXXXX). See
// [Moto.PatchDeployment] for moving a deployment along.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	python, err := resolveOnce("python3\x00"+os.Getenv("PATH"), findPython)
	if err != nil {
		t.Fatalf("testrig: python3 with moto is required: %v", err)
	}
	launcher := filepath.Join(t.TempDir(), "moto_launcher.py")
	if err := os.WriteFile(launcher, motoLauncher, 0o644); err != nil {
		t.Fatalf("testrig: write moto launcher: %v", err)
	}

	const attempts = 3
	var lastErr error
	for range attempts {
		port, err := freePort()
		if err != nil {
			t.Fatalf("testrig: start moto: %v", err)
		}
		m, err := startMotoOnce(python, launcher, port)
		if err == nil {
			m.proc.register(t)
			return m
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("testrig: python3 with moto is required and must start: %v", lastErr)
	return nil
}

// findPython returns the python3 interpreter's real path. Version-manager
// shims (pyenv) cost seconds per start, so the interpreter is asked for
// sys.executable once per test process; the path found in PATH is the
// fallback.
func findPython() (string, error) {
	shim, err := exec.LookPath("python3")
	if err != nil {
		return "", fmt.Errorf("python3 not found in PATH: %w", err)
	}
	// A python3 that cannot answer is left to the launcher to report.
	out, _ := exec.Command(shim, "-c", "import sys; print(sys.executable)").Output()
	if real := strings.TrimSpace(string(out)); real != "" {
		if _, err := os.Stat(real); err == nil {
			return real, nil
		}
	}
	return shim, nil
}

// errPortTaken marks a start that failed because another process took the
// port that FreePort had found.
var errPortTaken = errors.New("port taken")

func startMotoOnce(python, launcher string, port int) (*Moto, error) {
	cmd := exec.Command(python, launcher, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Dir = filepath.Dir(launcher)
	cmd.Env = append(os.Environ(),
		"MOTO_IAM_LOAD_MANAGED_POLICIES=true",
		"PYTHONUNBUFFERED=1",
		"PYTHONDONTWRITEBYTECODE=1",
	)
	p, err := startProc("moto", cmd)
	if err != nil {
		return nil, err
	}
	m := &Moto{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), proc: p}
	client := &http.Client{}
	err = p.waitReady(readyTimeout, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.Endpoint+"/moto-api/", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	})
	if err != nil {
		p.stop()
		if p.exited() && p.portInUse() {
			return nil, fmt.Errorf("moto on port %d: %w", port, errPortTaken)
		}
		return nil, fmt.Errorf("%w\n%s", err, p.out.String())
	}
	return m, nil
}

// Output returns what moto printed so far (stdout and stderr).
func (m *Moto) Output() string {
	return m.proc.out.String()
}

// Reset drops all state in every moto backend (POST /moto-api/reset). The
// CodeDeploy patches stay in place.
func (m *Moto) Reset(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.post(ctx, "/moto-api/reset", nil, nil); err != nil {
		t.Fatalf("testrig: moto reset: %v", err)
	}
}

// AWSConfig returns an aws-sdk-go-v2 configuration for moto: static
// credentials "test"/"test", region us-east-1 and BaseEndpoint set to
// [Moto.Endpoint]. It reads no environment variables or shared config
// files, so a developer's AWS settings cannot leak into a test.
func (m *Moto) AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(m.Endpoint),
	}
}

// Env returns environment variables ("KEY=value") that point an AWS SDK in
// a child process at moto: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_DEFAULT_REGION, and
// AWS_EC2_METADATA_DISABLED=true so that no SDK probes the instance
// metadata service.
func (m *Moto) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + m.Endpoint,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=" + Region,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// PatchDeployment merges fields into every later GetDeployment and
// BatchGetDeployments answer for the CodeDeploy deployment deploymentID, as
// if AWS had moved it along (moto leaves every deployment "Created").
// Field names and values are those of the CodeDeploy JSON API
// (DeploymentInfo), for example:
//
//	m.PatchDeployment(t, id, map[string]any{
//		"status":                             "Failed",
//		"errorInformation":                   map[string]any{"code": "ECS_UPDATE_ERROR", "message": "..."},
//		"instanceTerminationWaitTimeStarted": true,
//		"completeTime":                       time.Now().Unix(),
//	})
//
// Fields that moto itself keeps (status, createTime, startTime,
// completeTime, instanceTerminationWaitTimeStarted,
// deploymentStatusMessages, description, creator) are stored on the model,
// so ListDeployments filters on the new status and a later StopDeployment
// or ContinueDeployment still changes it; other fields are overlaid as
// given on every later answer.
func (m *Moto) PatchDeployment(t testing.TB, deploymentID string, fields map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body, err := json.Marshal(map[string]any{"deploymentId": deploymentID, "fields": fields})
	if err != nil {
		t.Fatalf("testrig: moto patch deployment: %v", err)
	}
	hdr := http.Header{
		"X-Amz-Target":  {"CodeDeploy_20141006.TestrigPatchDeployment"},
		"Content-Type":  {"application/x-amz-json-1.1"},
		"Authorization": {"AWS4-HMAC-SHA256 Credential=test/20260101/" + Region + "/codedeploy/aws4_request, SignedHeaders=host, Signature=0"},
	}
	if err := m.post(ctx, "/", body, hdr); err != nil {
		t.Fatalf("testrig: moto patch deployment %s: %v", deploymentID, err)
	}
}

// post sends a POST to moto and fails on any status but 200.
func (m *Moto) post(ctx context.Context, path string, body []byte, hdr http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("post %s: status %d: %s", path, resp.StatusCode, out)
	}
	return nil
}
