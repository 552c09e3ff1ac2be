package gpu

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// script is a fake nvidia-smi: the output for each query, counted.
type script struct {
	gpus, apps string
	err        error
	calls      int
}

func (s *script) exec(ctx context.Context, path string, args ...string) ([]byte, error) {
	s.calls++
	if s.err != nil {
		return []byte(s.gpus), s.err
	}
	if strings.HasPrefix(args[0], "--query-gpu=") {
		if args[0] != "--query-gpu="+GPUFields || args[1] != "--format=csv,noheader,nounits" {
			return nil, errors.New("unexpected arguments")
		}
		return []byte(s.gpus), nil
	}
	return []byte(s.apps), nil
}

// exitError stands for *exec.ExitError, which only a real process makes.
type exitError int

func (e exitError) Error() string { return "exit status " + strconv.Itoa(int(e)) }
func (e exitError) ExitCode() int { return int(e) }

func exitErr(_ *testing.T, code int) error {
	return fmt.Errorf("run nvidia-smi: %w", exitError(code))
}

func TestRunner(t *testing.T) {
	ctx := context.Background()
	t.Run("ok, at most one run per interval", func(t *testing.T) {
		s := &script{gpus: readTestdata(t, "several-gpus.gpus.csv"), apps: readTestdata(t, "several-gpus.apps.csv")}
		r := NewRunner(RunnerOptions{Local: true, Path: "nvidia-smi", Exec: s.exec, MinInterval: time.Hour})
		rd := r.Query(ctx)
		if rd.Status != StatusOK || len(rd.GPUs) != 4 || len(rd.Apps) != 2 || rd.Detail != "" {
			t.Fatalf("%+v", rd)
		}
		r.Query(ctx)
		if s.calls != 2 {
			t.Errorf("%d runs, want 2 (one per query kind, once)", s.calls)
		}
	})
	t.Run("remote engine: never runs", func(t *testing.T) {
		s := &script{}
		r := NewRunner(RunnerOptions{Local: false, Path: "nvidia-smi", Exec: s.exec, MinInterval: time.Nanosecond})
		for range 3 {
			if rd := r.Query(ctx); rd.Status != StatusRemote {
				t.Fatalf("%+v", rd)
			}
		}
		if s.calls != 0 {
			t.Errorf("%d runs", s.calls)
		}
	})
	t.Run("not installed: looked up once", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		s := &script{}
		r := NewRunner(RunnerOptions{Local: true, Exec: s.exec, MinInterval: time.Nanosecond})
		for range 3 {
			if rd := r.Query(ctx); rd.Status != StatusNoSMI {
				t.Fatalf("%+v", rd)
			}
		}
		if s.calls != 0 {
			t.Errorf("%d runs", s.calls)
		}
	})
	t.Run("no devices (exit 6): final", func(t *testing.T) {
		s := &script{gpus: "No devices were found\n", err: exitErr(t, 6)}
		r := NewRunner(RunnerOptions{Local: true, Path: "nvidia-smi", Exec: s.exec, MinInterval: time.Nanosecond})
		for range 3 {
			if rd := r.Query(ctx); rd.Status != StatusNoGPU {
				t.Fatalf("%+v", rd)
			}
		}
		if s.calls != 1 {
			t.Errorf("%d runs, want 1", s.calls)
		}
	})
	t.Run("driver not loaded (exit 9): no GPU", func(t *testing.T) {
		s := &script{gpus: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n", err: exitErr(t, 9)}
		rd := NewRunner(RunnerOptions{Local: true, Path: "nvidia-smi", Exec: s.exec}).Query(ctx)
		if rd.Status != StatusNoGPU || !strings.Contains(rd.Detail, "NVIDIA driver") {
			t.Fatalf("%+v", rd)
		}
	})
	t.Run("other failure: retried only after RetryFailed", func(t *testing.T) {
		s := &script{err: errors.New("run nvidia-smi: signal: killed")}
		r := NewRunner(RunnerOptions{Local: true, Path: "nvidia-smi", Exec: s.exec, MinInterval: time.Nanosecond, RetryFailed: time.Hour})
		for range 3 {
			if rd := r.Query(ctx); rd.Status != StatusFailed || !strings.Contains(rd.Detail, "killed") {
				t.Fatalf("%+v", rd)
			}
		}
		if s.calls != 1 {
			t.Errorf("%d runs, want 1", s.calls)
		}
	})
	t.Run("garbage output: failed with the parse error", func(t *testing.T) {
		s := &script{gpus: "<html>\n"}
		rd := NewRunner(RunnerOptions{Local: true, Path: "nvidia-smi", Exec: s.exec}).Query(ctx)
		if rd.Status != StatusFailed || !strings.Contains(rd.Detail, "line 1") {
			t.Fatalf("%+v", rd)
		}
	})
	t.Run("empty GPU list: no GPU", func(t *testing.T) {
		rd := NewRunner(RunnerOptions{Local: true, Path: "nvidia-smi", Exec: (&script{}).exec}).Query(ctx)
		if rd.Status != StatusNoGPU {
			t.Fatalf("%+v", rd)
		}
	})
}
