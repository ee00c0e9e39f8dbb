package cli

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// commandNames are every command Run knows.
var commandNames = []string{"demo", "render", "send", "routes", "replay", "serve", "version", "help"}

// failingReader fails the test when a command reads its input.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("help read standard input")
	return 0, errors.New("no input during help")
}

// runHelpless runs args with an environment that fails the test when it
// is read: printing usage must not read configuration or input.
func runHelpless(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Run(context.Background(), args, Env{
		Stdin:  failingReader{t},
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string {
			t.Errorf("%v read %s", args, k)
			return ""
		},
	})
	return out.String(), errb.String(), err
}

// TestHelpCommand proves `cutover help COMMAND` prints that command's usage
// and flags on stdout, exactly what `cutover COMMAND -h` prints on
// stderr, without running the command.
func TestHelpCommand(t *testing.T) {
	for _, name := range commandNames {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := runHelpless(t, "help", name)
			if err != nil || stderr != "" {
				t.Fatalf("help %s: %v, stderr %q", name, err, stderr)
			}
			cmd, ok := lookup(name)
			if !ok {
				t.Fatalf("lookup(%q) failed", name)
			}
			if !strings.HasPrefix(out, "Usage: cutover "+name) || !strings.HasPrefix(out, cmd.usage) {
				t.Errorf("help %s printed:\n%s\nwant it to start with the command's usage:\n%s", name, out, cmd.usage)
			}
			hout, hstderr, err := runHelpless(t, name, "-h")
			if exitCode(err) != 0 || hout != "" {
				t.Errorf("%s -h: exit %d (%v), stdout %q", name, exitCode(err), err, hout)
			}
			if hstderr != out {
				t.Errorf("%s -h printed\n%s\nhelp %s printed\n%s", name, hstderr, name, out)
			}
			if _, stderr, err := runHelpless(t, name, "--help"); exitCode(err) != 0 || stderr != out {
				t.Errorf("%s --help: exit %d, stderr\n%s", name, exitCode(err), stderr)
			}
		})
	}
}

// TestHelpFlags proves the flags a command defines show in its help.
func TestHelpFlags(t *testing.T) {
	for name, flags := range map[string][]string{
		"render": {"-to"},
		"send":   {"-no-records"},
		"replay": {"-function", "-queue-url", "-keep", "-max", "-no-records"},
		"serve":  {"-topics", "-addr", "CUTOVER_SNS_TOPIC_ARNS"},
	} {
		out, _, err := runHelpless(t, "help", name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "\nFlags:\n") {
			t.Errorf("help %s has no flags section:\n%s", name, out)
		}
		for _, f := range flags {
			if !strings.Contains(out, f) {
				t.Errorf("help %s lacks %s:\n%s", name, f, out)
			}
		}
	}
	if out, _, _ := runHelpless(t, "help", "routes"); strings.Contains(out, "Flags:") {
		t.Errorf("help routes shows a flags section for no flags:\n%s", out)
	}
	if out, _, _ := runHelpless(t, "help", "demo"); strings.Contains(out, "Flags:") {
		t.Errorf("help demo shows a flags section for no flags:\n%s", out)
	}
}

// TestHelpOverview proves `cutover help`, `-h` and `--help` print the
// overview on stdout and `cutover` alone prints it on stderr with a usage
// error; the overview names every command.
func TestHelpOverview(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		out, stderr, err := runHelpless(t, args...)
		if err != nil || out != usage || stderr != "" {
			t.Errorf("%v: err %v, stdout %q, stderr %q", args, err, out, stderr)
		}
	}
	_, stderr, err := runHelpless(t)
	if exitCode(err) != 2 || stderr != usage {
		t.Errorf("no args: exit %d, stderr %q", exitCode(err), stderr)
	}
	for _, name := range commandNames {
		if !strings.Contains(usage, "\n  cutover "+name) {
			t.Errorf("the overview does not list %s", name)
		}
	}
}

// TestHelpUnknown proves asking for help on what is not a command is a
// usage error.
func TestHelpUnknown(t *testing.T) {
	for _, args := range [][]string{{"help", "nope"}, {"help", "render", "send"}, {"help", "--nope"}} {
		out, _, err := runHelpless(t, args...)
		if exitCode(err) != 2 || out != "" {
			t.Errorf("%v: exit %d (%v), stdout %q", args, exitCode(err), err, out)
		}
	}
	_, stderr, err := runHelpless(t, "help", "nope")
	if !strings.Contains(err.Error(), `unknown command "nope"`) || stderr != usage {
		t.Errorf("help nope: %v, stderr %q", err, stderr)
	}
}

// TestUsageLivesWithCommand proves each command's usage text is declared
// in that command's file (version and help in cli.go).
func TestUsageLivesWithCommand(t *testing.T) {
	fset := token.NewFileSet()
	where := map[string]string{}
	for _, file := range []string{"cli.go", "demo.go", "render.go", "send.go", "routes.go", "replay.go", "serve.go"} {
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					if strings.HasSuffix(id.Name, "Usage") {
						where[id.Name] = file
					}
				}
			}
		}
	}
	for _, name := range commandNames {
		want := name + ".go"
		if name == "version" || name == "help" {
			want = "cli.go"
		}
		if got := where[name+"Usage"]; got != want {
			t.Errorf("%sUsage is declared in %q, want %s", name, got, want)
		}
	}
}
