package edit

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
	"gopkg.in/yaml.v3"
)

func TestFormatSize(t *testing.T) {
	tests := []struct {
		old  string // "" for a new key
		n    int64
		want string
	}{
		{"", 128 << 20, "128m"},
		{"", 2 << 30, "2g"},
		{"64m", 128 << 20, "128m"},
		{"1G", 2 << 30, "2G"},
		{"1G", 1536 << 20, "1536M"},
		{"512MiB", 1 << 30, "1GiB"},
		{"64mb", 96 << 20, "96mb"},
		{"67108864", 128 << 20, "134217728"},
		{"64m", 1000, "1000"},
		{"null", 64 << 20, "64m"},
	}
	for _, tt := range tests {
		var old *yaml.Node
		if tt.old != "" {
			old = &yaml.Node{Kind: yaml.ScalarNode, Value: tt.old}
		}
		if got := formatSize(tt.n, old); got != tt.want {
			t.Errorf("formatSize(%d, %q) = %q, want %q", tt.n, tt.old, got, tt.want)
		}
	}
	for n, want := range map[int64]string{64 << 20: "64 MiB", 1536 << 20: "1.5 GiB", 512: "512 B"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{30 * time.Second: "30s", 90 * time.Second: "1m30s", 2 * time.Minute: "2m", time.Hour: "1h", 1500 * time.Millisecond: "1.5s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseShortPort(t *testing.T) {
	tests := []struct {
		in         string
		old, new   int
		want       string
		publishing bool
	}{
		{"8080:80", 8080, 9000, "9000:80", true},
		{"127.0.0.1:8080:80/tcp", 8080, 9000, "127.0.0.1:9000:80/tcp", true},
		{"[::1]:8080:80", 8080, 9000, "[::1]:9000:80", true},
		{"8080-8081:80-81", 8080, 9000, "9000-9001:80-81", true},
		{"8080-8081:80-81", 8081, 9000, "8999-9000:80-81", true},
		{"80", 80, 9000, "", false},
		{"127.0.0.1::80", 80, 9000, "", false},
		{"8080:80", 8081, 9000, "", false},
	}
	for _, tt := range tests {
		got, ok, err := remapValue(tt.in, true, tt.old, tt.new)
		if err != nil || ok != tt.publishing || got != tt.want {
			t.Errorf("remapValue(%q, %d->%d) = %q, %v, %v; want %q, %v", tt.in, tt.old, tt.new, got, ok, err, tt.want, tt.publishing)
		}
	}
	if _, _, err := remapValue("65535-65535:80", true, 65535, 65535); err != nil {
		t.Errorf("remap onto itself: %v", err)
	}
	if _, _, err := remapValue("100-200:80", true, 100, 65535); err == nil {
		t.Error("a range moved past 65535 was accepted")
	}
}

func TestFreePort(t *testing.T) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	got, err := FreePort(taken)
	if err != nil {
		t.Fatal(err)
	}
	if got == taken {
		t.Fatalf("FreePort(%d) returned the taken port", taken)
	}
	// the port it returns is one that can be bound
	l2, err := net.Listen("tcp", ":"+strconv.Itoa(got))
	if err != nil {
		t.Fatalf("FreePort returned %d, which cannot be bound: %v", got, err)
	}
	l2.Close()
	if _, err := FreePort(-1); err == nil {
		t.Error("FreePort(-1) succeeded")
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(applyBase), 0o644); err != nil {
		t.Fatal(err)
	}
	p := loadDir(t, dir, "compose.yaml")
	tests := []struct {
		name string
		do   func() (Plan, error)
		want error
	}{
		{"no service", func() (Plan, error) { return SetMemLimit(p, "nope", 1<<30) }, ErrNotFound},
		{"no port", func() (Plan, error) { return RemapPort(p, "trainer", 8080, 9000) }, ErrNotFound},
		{"same value", func() (Plan, error) { return SetMemLimit(p, "trainer", 64<<20) }, ErrNoChange},
		{"zero bytes", func() (Plan, error) { return SetMemLimit(p, "trainer", 0) }, nil},
		{"bad platform", func() (Plan, error) { return SetPlatform(p, "trainer", "amd64; rm -rf /") }, nil},
		{"bad grace", func() (Plan, error) { return SetStopGracePeriod(p, "trainer", -time.Second) }, nil},
		{"bad port", func() (Plan, error) { return RemapPort(p, "trainer", 8080, 70000) }, nil},
		{"no project", func() (Plan, error) { return SetPlatform(&stack.Project{}, "trainer", "linux/amd64") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := tt.do()
			if err == nil {
				t.Fatalf("no error; plan %+v", plan)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestValidateIncluded checks an edit of an included file against
// compose-go: a bad value there is reported against the included file,
// whose relative paths (env_file) still resolve from its own folder.
func TestValidateIncluded(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "testdata", "edit", "mem-include"))
	p := loadDir(t, dir, "before.yaml")
	plan, err := SetMemLimit(p, "trainer", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	inc := filepath.Join(dir, "train", "compose.yaml")
	if len(plan.Changes) != 1 || plan.Changes[0].File != inc {
		t.Fatalf("plan edits %+v, want only %s", plan.Changes, inc)
	}
	if err := Validate(p, plan); err != nil {
		t.Fatal(err)
	}
	plan.Changes[0].After = []byte(strings.Replace(string(plan.Changes[0].After), "1g", "[1, 2]", 1))
	err = Validate(p, plan)
	var le *stack.LoadError
	if !errors.As(err, &le) || le.File != inc {
		t.Fatalf("Validate of a broken include: %v (want a LoadError about %s)", err, inc)
	}
	if strings.Contains(err.Error(), "stackui-check") {
		t.Errorf("the error names the temporary copy: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "train", ".*stackui-check*"))
	if len(left) > 0 {
		t.Errorf("Validate left %v behind", left)
	}
}

// TestNewKeyNotInGeneratedOverride: a key no file sets goes into the
// user's compose file, not into an override stackui generated (which it
// may rewrite or drop), even though that override loads last.
func TestNewKeyNotInGeneratedOverride(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	if got, _ := os.UserConfigDir(); got != cfg {
		t.Skipf("the config folder on %s does not follow XDG_CONFIG_HOME", runtime.GOOS)
	}
	dir := t.TempDir()
	user := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(user, []byte("services:\n  trainer:\n    image: stackui-demo/workload:latest\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(cfg, "stackui", "overrides", "proj", "no-gpu-trainer.yaml")
	if err := os.MkdirAll(filepath.Dir(gen), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gen, []byte("services:\n  trainer:\n    labels:\n      generated: \"yes\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := loadDir(t, dir, user, gen)
	plan, err := SetMemLimit(p, "trainer", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].File != user {
		t.Fatalf("the fix edits %s, want %s:\n%s", plan.Changes[0].File, user, plan.Diff())
	}
	if err := Validate(p, plan); err != nil {
		t.Fatal(err)
	}
}
