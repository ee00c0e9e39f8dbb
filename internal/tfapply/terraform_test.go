package tfapply

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// Terraform's setup for the test.
const (
	// envPluginDir overrides defaultPluginDir.
	envPluginDir = "CUTOVER_TF_PLUGIN_DIR"
	// defaultPluginDir is the filesystem mirror holding hashicorp/aws.
	defaultPluginDir = "/opt/tf-plugins"
	// awsProvider is the provider the module needs, as the mirror lays it
	// out.
	awsProvider = "registry.terraform.io/hashicorp/aws"
	// exampleDir is the example applied, relative to the module root.
	exampleDir = "terraform/examples/complete"
	// motoOverride is the example's provider override for moto, copied
	// into the working copy under the name overrideName.
	motoOverride = "moto_override.tf.example"
	overrideName = "moto_override.tf"
)

// requireTerraform returns the path of the terraform binary; the test fails
// when there is none.
func requireTerraform(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("tfapply: the terraform binary is required on PATH (>= 1.5; https://developer.hashicorp.com/terraform/install): %v", err)
	}
	return bin
}

// requirePluginMirror returns the provider mirror directory
// ($CUTOVER_TF_PLUGIN_DIR, else /opt/tf-plugins); the test fails when it
// does not hold hashicorp/aws.
func requirePluginMirror(t *testing.T) string {
	t.Helper()
	dir := defaultPluginDir
	if v := os.Getenv(envPluginDir); v != "" {
		dir = v
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		var fi os.FileInfo
		fi, err = os.Stat(filepath.Join(dir, filepath.FromSlash(awsProvider)))
		if err == nil && !fi.IsDir() {
			err = errors.New("not a directory")
		}
	}
	if err != nil {
		t.Fatalf("tfapply: a filesystem mirror of the hashicorp/aws provider is required (terraform init runs offline): %s/%s: %v; "+
			"make one with `terraform providers mirror DIR` and set %s=DIR", dir, awsProvider, err, envPluginDir)
	}
	return dir
}

// writeCLIConfig writes a Terraform CLI configuration that installs
// hashicorp/aws from the mirror only, and returns its path.
func writeCLIConfig(t *testing.T, mirror string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "terraformrc")
	rc := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q]
  }
  direct {
    exclude = [%q]
  }
}
`, mirror, awsProvider, awsProvider)
	if err := os.WriteFile(path, []byte(rc), 0o644); err != nil {
		t.Fatalf("tfapply: write CLI config: %v", err)
	}
	return path
}

// copyExample copies the module (the .tf files of terraform/) and the
// complete example into a temporary directory, keeping their relative
// layout so that the example's source = "../.." still finds the module,
// adds the example's moto override as moto_override.tf, and returns the
// example's directory in the copy. Local state, .terraform directories and
// a developer's own *_override.tf files are not copied.
func copyExample(t *testing.T, root string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "repo")
	copyTF := func(rel string) {
		entries, err := os.ReadDir(filepath.Join(root, rel))
		if err != nil {
			t.Fatalf("tfapply: copy %s: %v", rel, err)
		}
		n := 0
		for _, e := range entries {
			name := e.Name()
			if !e.Type().IsRegular() || !strings.HasSuffix(name, ".tf") ||
				strings.HasSuffix(name, "_override.tf") || name == "override.tf" {
				continue
			}
			copyFile(t, filepath.Join(root, rel, name), filepath.Join(dst, rel, name))
			n++
		}
		if n == 0 {
			t.Fatalf("tfapply: no .tf files in %s", filepath.Join(root, rel))
		}
	}
	copyTF("terraform")
	copyTF(filepath.FromSlash(exampleDir))
	example := filepath.Join(dst, filepath.FromSlash(exampleDir))
	copyFile(t, filepath.Join(root, filepath.FromSlash(exampleDir), motoOverride), filepath.Join(example, overrideName))
	return example
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("tfapply: copy: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatalf("tfapply: copy: %v", err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatalf("tfapply: copy: %v", err)
	}
}

// writeLambdaZip packages the bootstrap as `make package` does (one file
// named bootstrap, executable) and returns the zip's path. moto's Lambda
// stores the package without running it.
func writeLambdaZip(t *testing.T, bootstrap string) string {
	t.Helper()
	bin, err := os.ReadFile(bootstrap)
	if err != nil {
		t.Fatalf("tfapply: read bootstrap: %v", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Now()}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = w.Write(bin)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatalf("tfapply: zip bootstrap: %v", err)
	}
	path := filepath.Join(t.TempDir(), "cutover-lambda.zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatalf("tfapply: write zip: %v", err)
	}
	return path
}

// terraform runs the terraform CLI in one working directory with an
// environment of the test's own, and keeps every command's output so that
// the test can print it when it fails.
type terraform struct {
	bin string
	dir string
	env []string

	mu   sync.Mutex
	runs []string // "$ terraform ARGS (took D, err)\nOUTPUT"
}

// newTerraform returns a runner for dir. vars become TF_VAR_ variables, so
// every command (apply, output, destroy) sees the same values. The
// caller's AWS_* and Terraform settings (TF_VAR_*, TF_CLI_ARGS*,
// TF_DATA_DIR, TF_WORKSPACE, the CLI config) are left out so that they
// cannot change what is applied or where. The collected output is logged
// when the test fails.
func newTerraform(t *testing.T, bin, dir, cliConfig string, vars map[string]string) *terraform {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "AWS_"), strings.HasPrefix(k, "TF_VAR_"), strings.HasPrefix(k, "TF_CLI_ARGS"),
			k == "TF_DATA_DIR", k == "TF_WORKSPACE", k == "TF_CLI_CONFIG_FILE", k == "TERRAFORM_CONFIG",
			k == "TF_PLUGIN_CACHE_DIR", k == "TF_IN_AUTOMATION", k == "TF_INPUT":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
		"AWS_EC2_METADATA_DISABLED=true",
	)
	for k, v := range vars {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	tf := &terraform{bin: bin, dir: dir, env: env}
	t.Cleanup(func() {
		if t.Failed() {
			tf.mu.Lock()
			defer tf.mu.Unlock()
			for _, r := range tf.runs {
				t.Log(r)
			}
		}
	})
	return tf
}

// run runs terraform args with -no-color and returns its standard output
// (standard error is kept with it for the failure log). It gives up after
// timeout or when ctx ends: Terraform is interrupted first, so that it
// stops its provider plugins, then killed.
func (tf *terraform) run(ctx context.Context, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args = append(args[:1:1], append([]string{"-no-color"}, args[1:]...)...)
	cmd := exec.CommandContext(ctx, tf.bin, args...)
	cmd.Dir = tf.dir
	cmd.Env = tf.env
	var stdout bytes.Buffer
	combined := &testrig.SyncBuffer{}
	cmd.Stdout = io.MultiWriter(&stdout, combined)
	cmd.Stderr = combined
	cmd.WaitDelay = 30 * time.Second
	inProcessGroup(cmd)
	start := time.Now()
	err := cmd.Run()
	killProcessGroup(cmd)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", err, ctx.Err())
	}
	tf.mu.Lock()
	tf.runs = append(tf.runs, fmt.Sprintf("$ terraform %s (took %s, err %v)\n%s",
		strings.Join(args, " "), time.Since(start).Round(time.Millisecond), err, combined.String()))
	tf.mu.Unlock()
	if err != nil {
		return stdout.String(), fmt.Errorf("terraform %s: %w", args[0], err)
	}
	return stdout.String(), nil
}

// output is one value of `terraform output -json`.
type output struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type"`
	Value     json.RawMessage `json:"value"`
}

// outputs runs `terraform output -json` and returns the raw JSON and the
// decoded outputs.
func (tf *terraform) outputs(ctx context.Context) (string, map[string]output, error) {
	raw, err := tf.run(ctx, time.Minute, "output", "-json")
	if err != nil {
		return "", nil, err
	}
	var outs map[string]output
	if err := json.Unmarshal([]byte(raw), &outs); err != nil {
		return raw, nil, fmt.Errorf("terraform output -json: %w", err)
	}
	return raw, outs, nil
}

// stringOutput returns the string output name, failing the test when it is
// missing, not a string or empty.
func stringOutput(t *testing.T, outs map[string]output, name string) string {
	t.Helper()
	o, ok := outs[name]
	if !ok {
		t.Fatalf("terraform output %s: missing", name)
	}
	var s string
	if err := json.Unmarshal(o.Value, &s); err != nil || s == "" {
		t.Fatalf("terraform output %s = %s: want a non-empty string", name, o.Value)
	}
	return s
}

// resourceCount returns N from the "Resources: N added" (or destroyed)
// summary of an apply or destroy, or -1.
func resourceCount(out, verb string) int {
	i := strings.Index(out, "Resources: ")
	if i < 0 {
		return -1
	}
	var n int
	s := out[i+len("Resources: "):]
	if verb == "destroyed" {
		if _, err := fmt.Sscanf(s, "%d destroyed", &n); err != nil {
			return -1
		}
		return n
	}
	if _, err := fmt.Sscanf(s, "%d added", &n); err != nil {
		return -1
	}
	return n
}
