package stack

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/client"
)

// profilesFixtureYAML has an always-on service, two profiles, and a
// service both profiles enable: turning one of them off must leave it.
const profilesFixtureYAML = `services:
  app:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
  trainer:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
    profiles: [train]
  server:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
    profiles: [serve]
  shared:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
    profiles: [train, serve]
`

// projectServices returns the services of the project that have a
// container, running or not.
func projectServices(t *testing.T, api *client.Client, project string) []string {
	t.Helper()
	res, err := api.ContainerList(context.Background(), client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", LabelProject+"="+project)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range res.Items {
		names = append(names, c.Labels[LabelService])
	}
	slices.Sort(names)
	return names
}

func TestProfileOnOff(t *testing.T) {
	cli, p, api := composeFixture(t, profilesFixtureYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	var lines []string
	train, err := cli.ProfileOn(ctx, p, "train", func(s string) { lines = append(lines, s) })
	if err != nil {
		t.Fatalf("train on: %v", err)
	}
	if len(lines) == 0 {
		t.Error("train on streamed no output")
	}
	ltEqualList(t, "active after train on", train.ActiveProfiles, []string{"train"})
	ltEqualList(t, "active of the original project", p.ActiveProfiles, []string{})
	if got := runningServices(t, api, p.Name); !slices.Equal(got, []string{"shared", "trainer"}) {
		t.Fatalf("running after train on = %q; want only the train profile's shared and trainer", got)
	}

	// The always-on service, started the ordinary way.
	if err := cli.Up(ctx, train, UpOptions{}, nil); err != nil {
		t.Fatalf("up: %v", err)
	}
	both, err := cli.ProfileOn(ctx, train, "serve", nil)
	if err != nil {
		t.Fatalf("serve on: %v", err)
	}
	ltEqualList(t, "active after serve on", both.ActiveProfiles, []string{"serve", "train"})
	if got := runningServices(t, api, p.Name); !slices.Equal(got, []string{"app", "server", "shared", "trainer"}) {
		t.Fatalf("running after serve on = %q; want all four", got)
	}

	// train off: trainer goes, shared stays since serve still enables it.
	serve, err := cli.ProfileOff(ctx, both, "train", nil)
	if err != nil {
		t.Fatalf("train off: %v", err)
	}
	ltEqualList(t, "active after train off", serve.ActiveProfiles, []string{"serve"})
	if got := projectServices(t, api, p.Name); !slices.Equal(got, []string{"app", "server", "shared"}) {
		t.Errorf("containers after train off = %q; want trainer removed, the rest kept", got)
	}
	if got := runningServices(t, api, p.Name); !slices.Equal(got, []string{"app", "server", "shared"}) {
		t.Errorf("running after train off = %q; want app, server and shared", got)
	}

	none, err := cli.ProfileOff(ctx, serve, "serve", nil)
	if err != nil {
		t.Fatalf("serve off: %v", err)
	}
	ltEqualList(t, "active after serve off", none.ActiveProfiles, []string{})
	if got := projectServices(t, api, p.Name); !slices.Equal(got, []string{"app"}) {
		t.Errorf("containers after serve off = %q; want only the always-on app", got)
	}
	if got := runningServices(t, api, p.Name); !slices.Equal(got, []string{"app"}) {
		t.Errorf("running after serve off = %q; want app still running", got)
	}
}

// Turning off a profile that is already off still removes its leftovers:
// containers someone started by hand with `--profile`.
func TestProfileOffWhenAlreadyOff(t *testing.T) {
	cli, p, api := composeFixture(t, profilesFixtureYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cli.Up(ctx, p, UpOptions{Profiles: []string{"serve"}}, nil); err != nil {
		t.Fatalf("up --profile serve: %v", err)
	}
	q, err := cli.ProfileOff(ctx, p, "serve", nil)
	if err != nil {
		t.Fatalf("serve off: %v", err)
	}
	ltEqualList(t, "active", q.ActiveProfiles, []string{})
	if got := projectServices(t, api, p.Name); !slices.Equal(got, []string{"app"}) {
		t.Errorf("containers after serve off = %q; want only app", got)
	}
}

// Unknown profiles and missing projects are errors before any CLI runs: the
// zero ComposeCLI would fail differently if it were reached.
func TestProfileErrors(t *testing.T) {
	p := &Project{Name: "x", Profiles: []string{"train"}, ActiveProfiles: []string{},
		Services: []Service{profiledService("trainer", "train")}}
	var cli ComposeCLI
	for _, tc := range []struct {
		name string
		call func() (*Project, error)
		is   error
	}{
		{"on unknown", func() (*Project, error) { return cli.ProfileOn(context.Background(), p, "serve", nil) }, ErrUnknownProfile},
		{"off unknown", func() (*Project, error) { return cli.ProfileOff(context.Background(), p, "serve", nil) }, ErrUnknownProfile},
		{"on nil project", func() (*Project, error) { return cli.ProfileOn(context.Background(), nil, "train", nil) }, nil},
		{"off nil project", func() (*Project, error) { return cli.ProfileOff(context.Background(), nil, "train", nil) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := tc.call()
			if err == nil || q != nil {
				t.Fatalf("got (%v, %v), want an error and no project", q, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not match %v", err, tc.is)
			}
		})
	}
}

// A failing CLI leaves the active set as it was: nil project, the
// ComposeError passed on.
func TestProfileOnCLIFails(t *testing.T) {
	dir := t.TempDir()
	writeComposeScript(t, dir, "docker-compose", `echo "ERROR: pull access denied for nope" >&2; exit 1`)
	cli := ComposeCLI{Name: "docker-compose", Path: dir + "/docker-compose"}
	p := &Project{Name: "x", WorkingDir: dir, Profiles: []string{"train"}, ActiveProfiles: []string{},
		Services: []Service{profiledService("trainer", "train")}}
	q, err := cli.ProfileOn(context.Background(), p, "train", nil)
	var ce *ComposeError
	if q != nil || !errors.As(err, &ce) {
		t.Fatalf("got (%v, %v); want nil and a *ComposeError", q, err)
	}
	if !slices.Contains(ce.Output, "ERROR: pull access denied for nope") {
		t.Errorf("output %q lacks the CLI's message", ce.Output)
	}
	if len(p.ActiveProfiles) != 0 {
		t.Errorf("the original project changed: active %q", p.ActiveProfiles)
	}
}

// profiledService is a hand-made service with its profiles where both
// stackui and compose-go look for them.
func profiledService(name string, profiles ...string) Service {
	return Service{Name: name, Profiles: profiles, Config: types.ServiceConfig{Name: name, Profiles: profiles}}
}

func TestProfileOnlyServices(t *testing.T) {
	p := &Project{Name: "x", Profiles: []string{"serve", "train"}, Services: []Service{
		profiledService("app"),
		profiledService("trainer", "train"),
		profiledService("shared", "train", "serve"),
		profiledService("server", "serve"),
	}}
	for _, tc := range []struct {
		active []string
		off    string
		want   []string
	}{
		{active: []string{"serve"}, off: "train", want: []string{"trainer"}},
		{active: []string{}, off: "train", want: []string{"shared", "trainer"}},
		{active: []string{"train"}, off: "serve", want: []string{"server"}},
		{active: []string{}, off: "serve", want: []string{"server", "shared"}},
	} {
		q, err := p.WithProfiles(tc.active)
		if err != nil {
			t.Fatal(err)
		}
		if got := profileOnlyServices(q, tc.off); !slices.Equal(got, tc.want) {
			t.Errorf("active %q, %s off: remove %q, want %q", tc.active, tc.off, got, tc.want)
		}
	}
	if got := ProfileServices(p, "train"); !slices.Equal(got, []string{"shared", "trainer"}) {
		t.Errorf("ProfileServices(train) = %q", got)
	}
}
