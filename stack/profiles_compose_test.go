package stack

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stackui/stackui/internal/testenv"
)

// TestProfilesAsCompose compares which services are enabled with what
// docker compose v2+ says (`config --services` applies profiles there;
// docker-compose 1.x lists every service whatever the profiles), for the
// profile cases that real projects showed stackui getting wrong: the ""
// profile, a service in several profiles turned on by .env, and a
// selection compose refuses.
func TestProfilesAsCompose(t *testing.T) {
	if err := exec.Command("docker", "compose", "version").Run(); err != nil {
		if testenv.InCI() {
			t.Fatalf("CI=true and no docker compose plugin (.ci/compose-v5.sh builds it): %v", err)
		}
		t.Skipf("no docker compose plugin: %v", err)
	}
	cases := []struct {
		fixture  string
		profiles []string
		enabled  []string // what stackui must enable; nil when both refuse
	}{
		{"profile-empty", nil, []string{"ollama-cpu", "web"}},
		{"profile-empty", []string{"cuda"}, []string{"ollama-cuda", "web"}},
		{"profile-empty", []string{"cpu"}, []string{"ollama-cpu", "web"}},
		{"profile-empty", []string{"cpu", "cuda"}, []string{"ollama-cpu", "ollama-cuda", "web"}},
		{"profile-multi", nil, []string{"app", "metadata", "mysql"}}, // COMPOSE_PROFILES in .env
		{"profile-multi", []string{"mysql"}, []string{"app", "mysql"}},
		{"profile-refused", nil, []string{"web"}},
		{"profile-refused", []string{"kibana"}, nil},
		{"profile-refused", []string{"kibana", "elastic"}, []string{"es01", "kibana", "web"}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture+"/"+strings.Join(tc.profiles, "+"), func(t *testing.T) {
			dir := ltFixture(t, tc.fixture)
			args := []string{"compose"}
			for _, p := range tc.profiles {
				args = append(args, "--profile", p)
			}
			cmd := exec.Command("docker", append(args, "config", "--services")...)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, cliErr := cmd.Output()
			theirs := strings.Fields(string(out))
			sort.Strings(theirs)

			p, err := Load(t.Context(), LoadOptions{WorkDir: dir, Profiles: tc.profiles, Env: map[string]string{}})
			if tc.enabled == nil {
				if cliErr == nil {
					t.Fatalf("docker compose accepted the selection: %q", theirs)
				}
				var le *LoadError
				if !errors.As(err, &le) || !errors.Is(err, ErrProfileSelection) {
					t.Fatalf("Load = %v, want a LoadError matching ErrProfileSelection (compose: %s)", err, stderr.String())
				}
				if le.File == "" || le.Line != 11 || !strings.Contains(le.Msg, `"kibana" depends on "es01"`) {
					t.Errorf("error %q at %s:%d; want it at compose.yaml:11 naming kibana and es01", le.Msg, le.File, le.Line)
				}
				return
			}
			if cliErr != nil {
				t.Fatalf("docker compose config: %v\n%s", cliErr, stderr.String())
			}
			if err != nil {
				t.Fatal(err)
			}
			ltEqualList(t, "docker compose", theirs, tc.enabled)
			ltEqualList(t, "stackui", ltNames(p, true), tc.enabled)
			for _, a := range p.ActiveProfiles {
				if a == "" {
					t.Errorf("ActiveProfiles %q shows the empty profile", p.ActiveProfiles)
				}
			}
		})
	}
}
