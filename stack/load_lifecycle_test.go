package stack

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/testenv"
)

// lifecycleDecoyName is the COMPOSE_PROJECT_NAME in the lifecycle fixture's
// .env, which the CLI must never use: -p names the project.
const lifecycleDecoyName = "stackui-lifecycle-decoy"

// lifecycleFixture loads testdata/compose/lifecycle with -f compose.yaml
// under a unique name, in the process environment as stackui runs, and
// tears the project down after the test.
func lifecycleFixture(t *testing.T, opts LoadOptions) (ComposeCLI, *Project, *client.Client) {
	t.Helper()
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	cli, err := DetectCompose(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	opts.WorkDir = ltFixture(t, "lifecycle")
	opts.Files = []string{"compose.yaml"}
	opts.ProjectName = testenv.ProjectName(t)
	p, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	t.Cleanup(func() { composeTeardown(t, cli, p, api) })
	return cli, p, api
}

// serviceEnv is the environment of the service's container, as the engine
// reports it.
func serviceEnv(t *testing.T, api *client.Client, project, service string) []string {
	t.Helper()
	ctx := context.Background()
	res, err := api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).
		Add("label", LabelProject+"="+project).Add("label", LabelService+"="+service)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 {
		t.Fatalf("%d containers for service %s, want 1", len(res.Items), service)
	}
	ins, err := api.ContainerInspect(ctx, res.Items[0].ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ins.Container.Config.Env
}

// TestComposeUpTwoEnvFiles: docker-compose 1.29 takes one --env-file and
// exits with its usage on two, so the values of both reach it through its
// environment, the later file winning as in the loader.
func TestComposeUpTwoEnvFiles(t *testing.T) {
	cli, p, api := lifecycleFixture(t, LoadOptions{EnvFiles: []string{"one.env", "two.env"}})
	args := p.ComposeArgs(nil)
	if n := strings.Count(strings.Join(args, "\x00")+"\x00", "--env-file\x00"); n != 1 {
		t.Errorf("ComposeArgs = %q: %d --env-file, want 1", args, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cli.Up(ctx, p, UpOptions{}, nil); err != nil {
		t.Fatalf("%s up with two env files: %v", cli, err)
	}
	env := serviceEnv(t, api, p.Name, "app")
	for _, want := range []string{"FROM_ONE=one", "FROM_TWO=two", "IN_BOTH=two"} {
		if !slices.Contains(env, want) {
			t.Errorf("container environment %q lacks %s", env, want)
		}
	}
}

// TestComposeUpProfilesOffDespiteDotEnv: the fixture's .env sets
// COMPOSE_PROFILES=extra, which is stackui's default too; once the user
// turns the profile off, the CLI must not turn it back on from the .env.
// The .env's COMPOSE_FILE and COMPOSE_PROJECT_NAME lose to -f and -p.
func TestComposeUpProfilesOffDespiteDotEnv(t *testing.T) {
	cli, p, api := lifecycleFixture(t, LoadOptions{})
	ltEqualList(t, "ActiveProfiles from .env", p.ActiveProfiles, []string{"extra"})
	off, err := p.WithProfiles(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cli.Up(ctx, off, UpOptions{}, nil); err != nil {
		t.Fatalf("up: %v", err)
	}
	if got := runningServices(t, api, p.Name); !slices.Equal(got, []string{"app"}) {
		t.Errorf("running after up with profiles off = %q; want only app", got)
	}
	decoy, err := api.ContainerList(ctx, client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", LabelProject+"="+lifecycleDecoyName)})
	if err != nil {
		t.Fatal(err)
	}
	if len(decoy.Items) > 0 {
		testenv.RemoveProject(t, api, lifecycleDecoyName)
		t.Errorf("%d containers under the .env's COMPOSE_PROJECT_NAME; -p must win", len(decoy.Items))
	}
}
