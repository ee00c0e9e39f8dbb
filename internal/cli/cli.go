// Package cli is the cutover command line: render, send, routes, demo,
// replay, serve, version and help. Each command's file holds its usage text and
// its code; cli.go dispatches. Run does the work; cmd/cutover only maps
// its error to an exit code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/snshttp"
)

// Version is the cutover version, set at build time with
// -ldflags "-X github.com/cutover-dev/cutover/internal/cli.Version=v1.2.3".
var Version = "dev"

// Env gives the command its outside world, so tests can run it in-process.
type Env struct {
	// Stdin is read by commands given "-" or no file.
	Stdin io.Reader
	// Stdout receives the command's output.
	Stdout io.Writer
	// Stderr receives logs and usage.
	Stderr io.Writer
	// Getenv reads cutover's CUTOVER_* variables (os.Getenv by default).
	// The AWS SDK reads its own variables (AWS_REGION, AWS_ENDPOINT_URL,
	// credentials) from the process environment.
	Getenv func(string) string

	// snsOptions adds verifier options for `serve` (tests: trust a fake
	// SNS's certificate). Unexported: configuration cannot loosen SNS
	// signature checks.
	snsOptions []snshttp.Option
	// listening, when set, is told serve's address once it listens.
	listening func(addr string)
	// types, when set, replaces the destination type names configuration
	// accepts (tests: routing over types this build does not have).
	types []string
	// appOptions, when set, adjusts the options the system is built with
	// (tests: slack-app specs and AWS endpoints).
	appOptions func(*app.Options)
}

// ExitError carries a process exit code: 1 for a failure, 2 for a usage
// error.
type ExitError struct {
	// Code is the process exit code.
	Code int
	// Err is what went wrong.
	Err error
}

// Error returns the underlying error's text.
func (e *ExitError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }

func usageErr(format string, args ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, args...)}
}

// usage is the overview `cutover`, `cutover help` and `cutover -h` print.
const usage = `cutover: act the moment an ECS blue/green deployment switches production traffic.

Usage:
  cutover demo                          play an ECS blue/green deployment through the real pipeline
  cutover render [--to TYPE|NAME] [FILE|-]
                                        print the exact message body for each event, one JSON document per line
  cutover send [--no-records] [FILE|-]  run exactly what the Lambda runs on the input
  cutover routes [FILE|-]               explain which destinations would receive each event, and why
  cutover check [--all] [--timeout 2m] [FILE|-]
                                        run the checks of CUTOVER_CHECKS for each event and print what they found
  cutover replay [--function NAME] [--queue-url URL] [--keep] [--max N] [--no-records]
                 [--poison-dir DIR] [--drop-poison] [FILE...]
                                        re-run failed events from the failure queue or saved files
  cutover serve --topics ARN[,ARN] [--addr 127.0.0.1:8080]
                                        receive SNS HTTP/S notifications (signatures verified)
  cutover version
  cutover help [COMMAND]                this overview, or a command's usage and flags

Configuration comes from CUTOVER_* environment variables; see the README.
`

// versionUsage is the usage of `cutover version`.
const versionUsage = `Usage: cutover version

Print cutover's version (and the commit it was built from, when known).
`

// helpUsage is the usage of `cutover help`.
const helpUsage = `Usage: cutover help [COMMAND]

Print the overview of the commands, or COMMAND's usage and flags (the
same as cutover COMMAND -h).
`

// command is one cutover command: its usage, which lives beside the
// command's code, and what runs it.
type command struct {
	usage string
	run   func(ctx context.Context, args []string, env Env) error
}

// lookup returns the command called name.
func lookup(name string) (command, bool) {
	switch name {
	case "demo":
		return command{demoUsage, runDemo}, true
	case "render":
		return command{renderUsage, runRender}, true
	case "send":
		return command{sendUsage, runSend}, true
	case "routes":
		return command{routesUsage, runRoutes}, true
	case "check":
		return command{checkUsage, runCheck}, true
	case "replay":
		return command{replayUsage, runReplay}, true
	case "serve":
		return command{serveUsage, runServe}, true
	case "version":
		return command{versionUsage, runVersion}, true
	case "help":
		return command{helpUsage, runHelp}, true
	}
	return command{}, false
}

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, env Env) error {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Stdin == nil {
		env.Stdin = os.Stdin
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return usageErr("no command given")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "--version", "-v":
		name = "version"
	case "-h", "--help":
		name = "help"
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprint(env.Stderr, usage)
		return usageErr("unknown command %q", name)
	}
	return cmd.run(ctx, rest, env)
}

func runVersion(_ context.Context, args []string, env Env) error {
	fs := newFlags("version", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "cutover", versionString())
	return nil
}

// runHelp prints the overview, or one command's usage and flags on
// stdout. A command's flags are defined where it parses them, first thing
// (tests hold every command to that), so its usage is printed by running
// it with -h: no flag is described twice.
func runHelp(ctx context.Context, args []string, env Env) error {
	fs := newFlags("help", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
		fmt.Fprint(env.Stdout, usage)
		return nil
	case 1:
	default:
		return usageErr("help takes at most one command, got %d", fs.NArg())
	}
	name := fs.Arg(0)
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprint(env.Stderr, usage)
		return usageErr("help: unknown command %q", name)
	}
	env.Stderr = env.Stdout
	err := cmd.run(ctx, []string{"-h"}, env)
	if ee := (*ExitError)(nil); errors.As(err, &ee) && ee.Code == 0 && errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err == nil {
		return fmt.Errorf("help: %s did not stop at -h", name)
	}
	return err
}

func versionString() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

// newFlags returns the flag set of the command called name. It reports
// errors as usage errors, and its usage (-h, or after a bad flag) is the
// command's usage text and then its flags.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("cutover "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		cmd, _ := lookup(name)
		fmt.Fprint(fs.Output(), cmd.usage)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(fs.Output(), "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &ExitError{Code: 0, Err: err}
		}
		return &ExitError{Code: 2, Err: err}
	}
	return nil
}

// readInput reads FILE, or standard input for "-" or no argument.
func readInput(args []string, env Env) ([]byte, string, error) {
	if len(args) > 1 {
		return nil, "", usageErr("expected at most one input file, got %d", len(args))
	}
	if len(args) == 0 || args[0] == "-" {
		b, err := readBounded(env.Stdin, "standard input")
		return b, "stdin", err
	}
	b, err := readFile(args[0])
	return b, args[0], err
}

// maxInputFile bounds every input the CLI reads (a file, standard input):
// far above any notification (source.MaxInput) and a failure-queue batch,
// and far below what could exhaust memory (`cutover render /dev/zero`).
const maxInputFile = 8 << 20

// readFile reads the file at path, at most maxInputFile bytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("read input: %w", err)}
	}
	defer f.Close()
	return readBounded(f, path)
}

// readBounded reads r to its end, failing clearly past maxInputFile bytes
// instead of growing without bound or cutting the input silently.
func readBounded(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInputFile+1))
	if err != nil {
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("read input %s: %w", name, err)}
	}
	if len(b) > maxInputFile {
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("read input %s: larger than %d MiB; cutover reads single notifications and saved batches", name, maxInputFile>>20)}
	}
	return b, nil
}

// cliLogger logs text to stderr at the configured level.
func cliLogger(env Env, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
}

func loadConfig(env Env) (*config.Config, error) {
	types := env.types
	if types == nil {
		types = app.Destinations().Names()
	}
	cfg, err := config.Load(env.Getenv, app.Sources(), types)
	if err != nil {
		return nil, &ExitError{Code: 1, Err: err}
	}
	return cfg, nil
}

// oneLine flattens an error for the single stderr line bad input gets.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
