package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
)

// scaleDir is the 300-service project of issue 11's scale item: svc001 to
// svc100 run by default, each logging a line every 5 s; the rest are in
// the profile "more".
var scaleDir = filepath.Join("..", "testdata", "compose", "scale300")

// TestPsSees100Running starts the 100 default services of scale300 as the
// compose CLI labels them (through the Engine API: a hundred at once is
// what the test is about, not the CLI's start-up) and checks that
// `ps --json` reports every one running and measured, and the other 200
// without containers. Its timing goes to the log, for the closing note,
// never into an assert.
func TestPsSees100Running(t *testing.T) {
	testenv.DemoImages(t)
	api := testenv.Engine(t)
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make([]error, 100)
	for i := range 100 {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = startScaleService(ctx, api, project, fmt.Sprintf("svc%03d", i+1))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("100 containers started in %s", time.Since(start).Round(time.Millisecond))

	var out, errOut bytes.Buffer
	at := time.Now()
	code := run([]string{"--project-directory", scaleDir, "-p", project, "ps", "--json"}, &out, &errOut)
	took := time.Since(at)
	if code != 0 {
		t.Fatalf("ps --json: exit %d: %s", code, errOut.String())
	}
	t.Logf("ps --json with 300 services, 100 running: %s", took.Round(time.Millisecond))
	var ps psOutput
	if err := json.Unmarshal(out.Bytes(), &ps); err != nil {
		t.Fatal(err)
	}
	if len(ps.Services) != 300 {
		t.Fatalf("%d services, want 300", len(ps.Services))
	}
	running, measured := 0, 0
	for i, s := range ps.Services {
		want := fmt.Sprintf("svc%03d", i+1)
		switch {
		case s.Name != want:
			t.Errorf("service %d is %s, want %s (ordered)", i, s.Name, want)
		case i < 100:
			if s.State != stack.StateRunning || len(s.Containers) != 1 || s.Containers[0].Pid <= 0 {
				t.Errorf("%s: state %q with %d containers, want one running", s.Name, s.State, len(s.Containers))
				continue
			}
			running++
			if s.CPUPercent != nil && s.MemUsedBytes != nil && *s.MemUsedBytes > 0 {
				measured++
			}
		case len(s.Containers) != 0 || s.Enabled:
			t.Errorf("%s: enabled %v with %d containers, want off without any", s.Name, s.Enabled, len(s.Containers))
		}
	}
	if running != 100 || measured != 100 {
		t.Errorf("%d running and %d measured, want 100 of each", running, measured)
	}
}

// startScaleService creates and starts one container of the scale300
// project's service svc, labelled as the compose CLI labels it.
func startScaleService(ctx context.Context, api *client.Client, project, svc string) error {
	_, err := testenv.StartService(ctx, api, project, svc, nil, "--log-rate", "0.2")
	return err
}
