package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// TestLogsAtDeathRealEngine: a container that logged, printed its error
// and exited is shown at its death by a pane that never streamed it: the
// jump attaches, the engine sends the exited container's history, and the
// page lands on its last line with the quoted error marked.
func TestLogsAtDeathRealEngine(t *testing.T) {
	c, id := engineWorkload(t, "web", "--print", "KeyError: 'DATABASE_URL'", "--log-lines", "40",
		"--log-rate", "0", "--log-size", "24", "--exit-code", "1", "--exit-after", "300ms")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	res := c.API().ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case <-res.Result:
	case err := <-res.Error:
		t.Fatalf("wait for the workload to exit: %v", err)
	}
	snap := inspectSnapshot(t, c, id)
	dead := snap.Services[0].Containers[0]
	if dead.State != "exited" || dead.ExitCode != 1 || dead.FinishedAt.IsZero() {
		t.Fatalf("workload: state %s, exit %d, finished %s; want exited 1 at a known time", dead.State, dead.ExitCode, dead.FinishedAt)
	}

	m := newTestLogs(t, LogsOptions{Streamer: c})
	m.SetSize(120, 12) // room for the whole status line
	m.SetSnapshot(snap)
	m.SetService("web")
	m.jumpTo(dead.FinishedAt, []string{"KeyError: 'DATABASE_URL'"})
	placed := func() bool {
		m.Update(logsChangedMsg{})
		return !m.death.pending && strings.Contains(logsPlain(m), "1 evidence line marked")
	}
	for end := time.Now().Add(20 * time.Second); !placed(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the exited container's history was not placed (pending %v):\n%s", m.death.pending, logsPlain(m))
		}
	}
	lines := logsLines(m)
	rows := m.view().Rows
	if last := lines[rows-1]; !strings.Contains(last, "exiting with code 1") || m.pos.Follow {
		t.Errorf("the page does not end paused at the death line (row %d = %q):\n%s", rows-1, last, logsPlain(m))
	}
	if !strings.Contains(logsPlain(m), "web's logs at its death ("+dead.FinishedAt.UTC().Format("15:04:05")+" UTC)") {
		t.Errorf("status does not name the time of death:\n%s", logsPlain(m))
	}
	if a, ok := m.store.NextMark(m.view(), -1, 1); !ok || !strings.Contains(logsLineOf(m, a), "KeyError") {
		t.Errorf("the quoted error is not the marked line (%d %v)", a, ok)
	}
}
