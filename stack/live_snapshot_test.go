package stack

import (
	"reflect"
	"testing"
	"time"
)

func TestAggregate(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	svc := Service{Name: "api", Enabled: true}

	cases := []struct {
		name      string
		cs        []Container
		reachable bool
		want      ServiceState // Service and Containers are not compared
	}{
		{name: "no containers, engine up", reachable: true,
			want: ServiceState{State: StateMissing}},
		{name: "no containers, engine down", reachable: false,
			want: ServiceState{State: StateUnknown}},
		{name: "one running", reachable: true,
			cs:   []Container{{ID: "1", State: StateRunning, Health: "healthy", StartedAt: at(1)}},
			want: ServiceState{State: StateRunning, Health: "healthy", Running: 1, Total: 1}},
		{name: "any running wins over a later exit", reachable: true,
			cs: []Container{
				{ID: "1", Number: 1, State: StateRunning, StartedAt: at(1), RestartCount: 2},
				{ID: "2", Number: 2, State: StateExited, ExitCode: 1, FinishedAt: at(5), RestartCount: 3},
			},
			want: ServiceState{State: StateRunning, Running: 1, Total: 2, RestartCount: 5}},
		{name: "none running: the latest to finish", reachable: true,
			cs: []Container{
				{ID: "1", Number: 1, State: StateExited, ExitCode: 0, FinishedAt: at(9), Created: at(0)},
				{ID: "2", Number: 2, State: StateExited, ExitCode: 137, OOMKilled: true, FinishedAt: at(4), Created: at(0)},
			},
			want: ServiceState{State: StateExited, ExitCode: 0, Total: 2}},
		{name: "none running: OOM of the latest", reachable: true,
			cs: []Container{
				{ID: "1", Number: 1, State: StateExited, ExitCode: 0, FinishedAt: at(2)},
				{ID: "2", Number: 2, State: StateExited, ExitCode: 137, OOMKilled: true, FinishedAt: at(4)},
			},
			want: ServiceState{State: StateExited, ExitCode: 137, OOMKilled: true, Total: 2}},
		{name: "created after an exit is newer", reachable: true,
			cs: []Container{
				{ID: "1", Number: 1, State: StateExited, ExitCode: 2, FinishedAt: at(2), Created: at(0)},
				{ID: "2", Number: 2, State: StateCreated, Created: at(3)},
			},
			want: ServiceState{State: StateCreated, Total: 2}},
		{name: "restarting", reachable: true,
			cs:   []Container{{ID: "1", State: StateRestarting, ExitCode: 1, FinishedAt: at(3), RestartCount: 7}},
			want: ServiceState{State: StateRestarting, ExitCode: 1, RestartCount: 7, Total: 1}},
		{name: "worst health of the running", reachable: true,
			cs: []Container{
				{ID: "1", Number: 1, State: StateRunning, Health: "healthy"},
				{ID: "2", Number: 2, State: StateRunning, Health: "unhealthy"},
				{ID: "3", Number: 3, State: StateRunning, Health: "starting"},
			},
			want: ServiceState{State: StateRunning, Health: "unhealthy", Running: 3, Total: 3}},
		{name: "starting beats healthy", reachable: true,
			cs: []Container{
				{ID: "1", Number: 1, State: StateRunning, Health: "healthy"},
				{ID: "2", Number: 2, State: StateRunning, Health: "starting"},
			},
			want: ServiceState{State: StateRunning, Health: "starting", Running: 2, Total: 2}},
		{name: "a stopped container's stale health is ignored", reachable: true,
			cs: []Container{
				{ID: "1", Number: 1, State: StateRunning, Health: "healthy"},
				{ID: "2", Number: 2, State: StateExited, Health: "unhealthy"},
			},
			want: ServiceState{State: StateRunning, Health: "healthy", Running: 1, Total: 2}},
		{name: "stale containers while the engine is down", reachable: false,
			cs:   []Container{{ID: "1", State: StateRunning}},
			want: ServiceState{State: StateRunning, Running: 1, Total: 1}},
		{name: "list-only container without a state", reachable: true,
			cs:   []Container{{ID: "1"}},
			want: ServiceState{State: StateUnknown, Total: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := aggregate(svc, tc.cs, tc.reachable)
			if got.Service.Name != "api" || len(got.Containers) != len(tc.cs) {
				t.Fatalf("service %q with %d containers; want api with %d", got.Service.Name, len(got.Containers), len(tc.cs))
			}
			got.Service, got.Containers = Service{}, nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("aggregate =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func TestAggregateOrdersReplicas(t *testing.T) {
	cs := []Container{{ID: "c", Number: 3}, {ID: "a", Number: 1}, {ID: "b", Number: 2}}
	got := aggregate(Service{Name: "x"}, cs, true)
	for i, want := range []string{"a", "b", "c"} {
		if got.Containers[i].ID != want {
			t.Fatalf("containers = %+v; want by number", got.Containers)
		}
	}
	if cs[0].ID != "c" {
		t.Errorf("aggregate reordered its caller's slice")
	}
}

func TestBuildSnapshotKeepsModelOrder(t *testing.T) {
	p := &Project{Name: "p", Services: []Service{{Name: "a"}, {Name: "b", Profiles: []string{"x"}}, {Name: "c"}}}
	snap := buildSnapshot(p, EngineStatus{Reachable: true}, map[string]Container{
		"1": {ID: "1", Service: "c", State: StateRunning},
		"2": {ID: "2", Service: "zz", State: StateRunning},
	})
	var names []string
	for _, s := range snap.Services {
		names = append(names, s.Service.Name+"="+s.State)
	}
	want := []string{"a=" + StateMissing, "b=" + StateMissing, "c=" + StateRunning}
	if len(names) != 3 || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Errorf("services = %q, want %q", names, want)
	}
	if len(snap.Orphans) != 1 || snap.Orphans[0].ID != "2" {
		t.Errorf("orphans = %+v", snap.Orphans)
	}
}
