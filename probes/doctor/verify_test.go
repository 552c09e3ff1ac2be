package doctor

import (
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

func TestJudge(t *testing.T) {
	run := stack.Container{ID: "a", State: stack.StateRunning}
	cases := []struct {
		name        string
		c           *stack.Container
		done, grace bool
		want        OutcomeKind
	}{
		{"running, window open", &run, false, false, ""},
		{"running the whole window", &run, true, false, StaysUp},
		{"exit 0", &stack.Container{ID: "a", State: stack.StateExited}, false, false, ExitedOK},
		{"exit 1", &stack.Container{ID: "a", State: stack.StateExited, ExitCode: 1}, false, false, FailedAgain},
		{"restarted by its policy", &stack.Container{ID: "a", State: stack.StateRunning, RestartCount: 1}, false, false, FailedAgain},
		{"restarting", &stack.Container{ID: "a", State: stack.StateRestarting}, false, false, FailedAgain},
		{"unhealthy", &stack.Container{ID: "a", State: stack.StateRunning, Health: "unhealthy"}, false, false, FailedAgain},
		{"healthcheck starting at the window's end", &stack.Container{ID: "a", State: stack.StateRunning, Health: "starting"}, true, false, ""},
		{"healthcheck starting past the grace", &stack.Container{ID: "a", State: stack.StateRunning, Health: "starting"}, true, true, Unsettled},
		{"healthy", &stack.Container{ID: "a", State: stack.StateRunning, Health: "healthy"}, true, false, StaysUp},
		{"no container yet", nil, false, false, ""},
		{"no container at all", nil, true, false, FailedAgain},
	}
	for _, tc := range cases {
		first := tc.c
		if first == nil {
			first = &run
		}
		if got := judge(tc.c, first, tc.done, tc.grace); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	f := &Finding{Kind: KindShmTooSmall, Summary: "loader ran out of shared memory"}
	cases := []struct {
		o    Outcome
		want string
	}{
		{Outcome{Service: "web", Kind: StaysUp, Watched: 30 * time.Second, Container: stack.Container{Health: "healthy"}}, "web stays up: running and healthy for 30s"},
		{Outcome{Service: "job", Kind: ExitedOK}, "job finished with exit code 0"},
		{Outcome{Service: "loader", Kind: FailedAgain, Finding: f}, "loader failed again (shm-too-small): loader ran out of shared memory"},
		{Outcome{Service: "x", Kind: FailedAgain, Container: stack.Container{ID: "a", State: stack.StateExited, ExitCode: 2}}, "x failed again: exited with exit code 2"},
	}
	for _, tc := range cases {
		if got := tc.o.String(); got != tc.want || strings.Contains(got, "\n") {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}
