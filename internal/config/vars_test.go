package config

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/source/ecsnative"
)

// readmeRow renders v as its row of the README's configuration table.
func readmeRow(v Var) string {
	names := []string{"`" + v.Name + "`"}
	for _, a := range v.Also {
		names = append(names, "`"+a+"`")
	}
	def := "—"
	switch {
	case v.DefaultText != "":
		def = v.DefaultText
	case v.Default != "":
		def = "`" + v.Default + "`"
	}
	return "| " + strings.Join(names, " / ") + " | " + def + " | " + v.Meaning + " |"
}

// TestVarsMatchREADME proves the README's configuration table documents
// exactly Vars, in order: a variable added, renamed, re-defaulted or
// re-explained on one side only fails here.
func TestVarsMatchREADME(t *testing.T) {
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## Configuration"
		case in && strings.HasPrefix(line, "| `"+Prefix):
			rows = append(rows, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no configuration table found under \"## Configuration\" in README.md")
	}
	var want []string
	for _, v := range Vars {
		want = append(want, readmeRow(v))
	}
	for i := range max(len(rows), len(want)) {
		var got, w string
		if i < len(rows) {
			got = rows[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if got != w {
			t.Errorf("README configuration row %d:\n got %s\nwant %s", i+1, got, w)
		}
	}
}

// TestVarsDefaults proves each documented Default is what Load uses when
// the variable is unset: setting it explicitly changes nothing.
func TestVarsDefaults(t *testing.T) {
	def, err := load(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(def, func() *Config {
		c := Defaults()
		c.known, c.types = def.known, def.types
		c.CloudFront = c.CloudFront.Normalized()
		return c
	}()) {
		t.Errorf("Load with nothing set = %+v, want Defaults()", def)
	}
	seen := map[string]bool{}
	for _, v := range Vars {
		if seen[v.Name] {
			t.Errorf("%s documented twice", v.Name)
		}
		seen[v.Name] = true
		if !strings.HasPrefix(v.Name, Prefix) || v.Meaning == "" {
			t.Errorf("%+v: want a %s name and a meaning", v, Prefix)
		}
		if v.Default == "" {
			continue
		}
		for _, name := range append([]string{v.Name}, v.Also...) {
			c, err := load(envOf(map[string]string{name: v.Default}))
			if err != nil {
				t.Errorf("%s=%s: %v", name, v.Default, err)
				continue
			}
			if !reflect.DeepEqual(c, def) {
				t.Errorf("%s=%s gives %+v, want the defaults %+v", name, v.Default, c, def)
			}
		}
	}
	if c, _ := load(envOf(nil)); c.RecordsFile != "" {
		t.Errorf("RecordsFile = %q: its default (DefaultRecordsFile) is applied by the CLI", c.RecordsFile)
	}
}

// TestNamesDefinedOnlyHere proves no code outside this package spells a
// CUTOVER_ variable: each name is one of the constants here. Tests may
// (they pin the contract, and read a few test-only variables).
func TestNamesDefinedOnlyHere(t *testing.T) {
	literal := regexp.MustCompile(`"` + Prefix + `[A-Z0-9_]*`)
	for _, root := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if filepath.Base(path) == "config" && filepath.Base(filepath.Dir(path)) == "internal" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range literal.FindAll(data, -1) {
				t.Errorf("%s spells %s\": use the constant in internal/config", path, m)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// oneEvent is a source that produces one event name.
type oneEvent string

func (oneEvent) Claims(*source.Message) bool { return false }
func (oneEvent) Decode(*source.Message) (deploy.Event, error) {
	return deploy.Event{}, nil
}
func (o oneEvent) EventNames() []string { return []string{string(o)} }

// TestEventNamesFromSources proves CUTOVER_EVENTS is checked against the
// names the given sources produce, not one source's list.
func TestEventNamesFromSources(t *testing.T) {
	reg := source.New(oneEvent("TaskSetStable"), codedeploy.Decoder{})
	c, err := Load(envOf(map[string]string{EnvEvents: "tasksetstable,InstanceSuccess"}), reg, testTypes)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.EventNames(); !slices.Equal(got, []string{"TaskSetStable", "InstanceSuccess"}) {
		t.Errorf("EventNames() = %q, want the sources' order", got)
	}
	_, err = Load(envOf(map[string]string{EnvEvents: "InstanceSuccess"}), source.New(oneEvent("TaskSetStable")), testTypes)
	if err == nil || !strings.Contains(err.Error(), `unknown event "InstanceSuccess" (known: TaskSetStable)`) {
		t.Errorf("an event no source produces: %v", err)
	}
	c, err = Load(envOf(nil), source.New(oneEvent("TaskSetStable")), testTypes)
	if err != nil || len(c.Events) != 0 {
		t.Errorf("defaults no source produces must not notify: %v, %v", c.Events, err)
	}
	known := append(append(slices.Clone(codedeploy.Names), ecsnative.Names...), hook.Names{}.EventNames()...)
	for _, k := range DefaultEvents {
		if !slices.Contains(known, k) {
			t.Errorf("default event %q is not a CodeDeploy, ECS-native or lifecycle-hook event", k)
		}
	}
}
