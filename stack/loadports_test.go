package stack

import (
	"strings"
	"testing"
)

// A host port out of range in an inactive profile's service, which
// compose-go and the compose plugin refuse for the whole project, loads
// with a warning naming the file and line of the entry.
func TestLoadWarnsAboutBadHostPort(t *testing.T) {
	p := ltLoad(t, LoadOptions{WorkDir: ltFixture(t, "bad-port-inactive"), Env: map[string]string{}})
	var got []string
	for _, w := range p.Warnings {
		if strings.Contains(w, "99999") {
			got = append(got, w)
		}
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "compose.yaml:11: ") || !strings.Contains(got[0], `service "bad" publishes host port "99999"`) {
		t.Errorf("warnings %q; want one for bad at compose.yaml:11", p.Warnings)
	}
	// The CLI is still handed the user's file; stackui's model lists bad,
	// without the port it cannot have.
	if len(p.Files) != 1 || !strings.HasSuffix(p.Files[0], "bad-port-inactive/compose.yaml") {
		t.Errorf("files %v", p.Files)
	}
	if s, ok := p.Service("bad"); !ok || s.Enabled || len(s.Config.Ports) != 0 {
		t.Errorf("bad: %+v, %v", s, ok)
	}
	for _, ok := range []string{"", "80", "0", "8000-8010", "65535"} {
		if !validHostPort(ok) {
			t.Errorf("validHostPort(%q) = false", ok)
		}
	}
	for _, bad := range []string{"99999", "70000-70001", "x", "1-99999"} {
		if validHostPort(bad) {
			t.Errorf("validHostPort(%q) = true", bad)
		}
	}
}
