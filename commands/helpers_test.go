package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// basicDir is a project of five services over three profiles.
var basicDir = filepath.Join("..", "testdata", "compose", "basic")

// run runs stackui in-process with a real backend of its own, as Main does.
func run(args []string, stdout, stderr io.Writer) int {
	b := backend.New(backend.Options{})
	defer b.Close()
	return Run(&Factory{Stdout: stdout, Stderr: stderr, Stdin: strings.NewReader(""), Version: "dev", Backend: b}, args)
}

// noEngine is the error of the scripted backends' engine.
var noEngine = errors.New(`scripted: cannot connect to the engine at unix:///nonexistent/docker.sock`)

// scriptedCLI is the compose CLI the scripted backends detect.
var scriptedCLI = stack.ComposeCLI{Name: "docker compose", Path: "/nonexistent/docker", Prefix: []string{"compose"}, Version: "0.0.0-scripted"}

// runScripted runs stackui in-process with a scripted backend: no engine
// (noEngine) and scriptedCLI, which nothing here execs. It replaces
// pointing DOCKER_HOST at a dead socket.
func runScripted(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	b := backend.New(backend.Options{
		Connect:       func(context.Context) (*docker.Client, error) { return nil, noEngine },
		DetectCompose: func(context.Context) (stack.ComposeCLI, error) { return scriptedCLI, nil },
	})
	defer b.Close()
	var out, errOut bytes.Buffer
	code = Run(&Factory{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(""), Version: "dev", Backend: b}, args)
	return code, out.String(), errOut.String()
}

// newBackend is a real backend closed after the test.
func newBackend(t *testing.T) *backend.Backend {
	b := backend.New(backend.Options{})
	t.Cleanup(func() { b.Close() })
	return b
}

// scriptedJSON runs stackui with a scripted backend (runScripted) and
// decodes what it printed into v.
func scriptedJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	code, out, errOut := runScripted(t, args...)
	if code != exitOK {
		t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v: not JSON: %v\n%s", args, err, out)
	}
}
