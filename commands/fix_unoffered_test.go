package commands

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack/edit"
)

// The loser of two concurrent fixes examines after the winner wrote the
// new limit: its raise plans to no change, and is unoffered. stackui fix
// says that, and what to do, rather than "has no fix stackui can apply".
func TestFixSaysWhyAFixCannotApply(t *testing.T) {
	finding := doctor.Finding{
		ID: "trainer/oom", Summary: "trainer ran out of memory", Fixes: []doctor.Fix{},
		Unoffered: []doctor.Unoffered{{FixID: "raise-memory", Err: fmt.Errorf("raise trainer's memory to 128m: %w", edit.ErrNoChange)}},
	}
	finding.Unoffered[0].Reason = finding.Unoffered[0].Err.Error()
	var errOut bytes.Buffer
	_, _, code, ok := chooseFix(&Factory{Stderr: &errOut}, []doctor.Finding{finding}, []string{"trainer/oom"})
	msg := errOut.String()
	if ok || code != exitFailure {
		t.Errorf("chose a fix (ok %v, code %d)", ok, code)
	}
	for _, want := range []string{"raise-memory", "the compose files already say so", "another fix may have written it meanwhile", "docker compose up -d"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "has no fix stackui can apply") {
		t.Errorf("the loser is told only that there is no fix: %s", msg)
	}
}
