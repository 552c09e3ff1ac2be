package edit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeProject(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const startYAML = `services:
  # the one-shot
  worker:
    image: app:1
    command: ["--connect", "databse:5432", "--db=databse"] # keep me
    environment:
      DB_HOST: databse
      DB_URL: postgres://u@databse:5432/app
      OTHER: databse2
    depends_on:
      database:
        condition: service_started
  api:
    image: app:1
    entrypoint: /usr/bin/node server.js
    environment:
      - DB_HOST=databse
    depends_on: [database]
    volumes:
      - ./site.conf:/etc/site.conf
  database:
    image: postgres:16
`

func TestReplaceHost(t *testing.T) {
	p := loadDir(t, writeProject(t, startYAML), "compose.yaml")
	plan, err := ReplaceHost(p, "worker", "databse", "database")
	if err != nil {
		t.Fatal(err)
	}
	d := plan.Diff()
	for _, want := range []string{
		`+    command: ["--connect", "database:5432", "--db=database"] # keep me`,
		"+      DB_HOST: database",
		`+      DB_URL: "postgres://u@database:5432/app"`,
	} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "database2") || strings.Contains(d, "api") {
		t.Errorf("replaced beyond the name or the service:\n%s", d)
	}
	if err := Validate(p, plan); err != nil {
		t.Fatal(err)
	}
	plan, err = ReplaceHost(p, "api", "databse", "database")
	if err != nil || !strings.Contains(plan.Diff(), `+      - "DB_HOST=database"`) {
		t.Errorf("list environment: %v\n%s", err, plan.Diff())
	}
	if _, err := ReplaceHost(p, "database", "databse", "database"); !errors.Is(err, ErrNoChange) {
		t.Errorf("nothing to replace: %v, want ErrNoChange", err)
	}
}

func TestSetRestartAndDependsOn(t *testing.T) {
	p := loadDir(t, writeProject(t, startYAML), "compose.yaml")
	plan, err := SetRestart(p, "worker", "on-failure")
	if err != nil || !strings.Contains(plan.Diff(), "+    restart: on-failure") {
		t.Fatalf("restart: %v\n%s", err, plan.Diff())
	}
	if _, err := SetRestart(p, "worker", "sometimes"); err == nil {
		t.Error("a bad policy was accepted")
	}
	plan, err = SetDependsOnCondition(p, "worker", "database", "service_healthy")
	if err != nil || !strings.Contains(plan.Diff(), "+        condition: service_healthy") {
		t.Fatalf("depends_on: %v\n%s", err, plan.Diff())
	}
	if err := Validate(p, plan); err != nil {
		t.Fatal(err)
	}
	if _, err := SetDependsOnCondition(p, "api", "database", "service_healthy"); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "is a list") {
		t.Errorf("list form: %v, want ErrUnsupported", err)
	}
}

func TestWhere(t *testing.T) {
	p := loadDir(t, writeProject(t, startYAML), "compose.yaml")
	for _, tc := range []struct{ service, key, text, want string }{
		{"api", "entrypoint", "/usr/bin/node", "compose.yaml:15"},
		{"api", "volumes", "site.conf", "compose.yaml:20"},
		{"worker", "command", "--connect", "compose.yaml:5"},
	} {
		if got, ok := Where(p, tc.service, tc.key, tc.text); !ok || got != tc.want {
			t.Errorf("Where(%s, %s, %s) = %q, %v; want %q", tc.service, tc.key, tc.text, got, ok, tc.want)
		}
	}
	if _, ok := Where(p, "api", "command", "x"); ok {
		t.Error("found a key the service does not set")
	}
}
