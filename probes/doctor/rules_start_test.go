package doctor

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

func TestStartRulesOverRecordedEvidence(t *testing.T) {
	cases := []struct {
		file    string
		want    []string
		summary map[string][]string // by finding id
		fixes   map[string][]string
	}{
		{"mount-command", []string{"bad/command-not-found", "web/mount-error"}, map[string][]string{
			"bad/command-not-found": {"/usr/bin/node", "its entrypoint"},
			"web/mount-error":       {"./site.conf", "empty folder", "/stackui"},
		}, nil},
		{"listen-localhost", []string{"local/listen-localhost"}, map[string][]string{"local/listen-localhost": {"127.0.0.1:3000"}}, nil},
		{"unknown-host", []string{"worker/unknown-host"}, map[string][]string{"worker/unknown-host": {"databse", "did you mean database?"}},
			map[string][]string{"worker/unknown-host": {"replace-host"}}},
		{"unknown-host-fixed", nil, nil, nil},
		{"blocked", []string{"api/blocked", "migrate/error-exit", "sick/unhealthy", "web/blocked"}, map[string][]string{
			"api/blocked": {"waits for sick", "unhealthy"},
			"web/blocked": {"waits for migrate", "exited with code 3"},
		}, nil},
		{"blocked-v1", []string{"api/blocked", "migrate/error-exit", "sick/unhealthy", "web/blocked"}, map[string][]string{
			"api/blocked": {"waits for sick"},
			"web/blocked": {"waits for migrate"},
		}, nil},
		{"dependency-unreachable", []string{"app/dependency-unreachable"}, map[string][]string{"app/dependency-unreachable": {"could not reach db at", "nothing listens on port 5432"}},
			map[string][]string{"app/dependency-unreachable": {"restart-on-failure"}}},
		{"dependency-unreachable-fixed", nil, nil, nil},
		{"start-quiet", nil, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			fs := Diagnose(loadEvidence(t, tc.file))
			var ids []string
			for _, f := range fs {
				ids = append(ids, f.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("findings %v, want %v", ids, tc.want)
			}
			for _, f := range fs {
				for _, s := range tc.summary[f.ID] {
					if !strings.Contains(f.Summary, s) {
						t.Errorf("%s: summary %q lacks %q", f.ID, f.Summary, s)
					}
				}
				if want, ok := tc.fixes[f.ID]; ok {
					var got []string
					for _, x := range f.Fixes {
						got = append(got, x.ID)
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: fixes %v, want %v", f.ID, got, want)
					}
				}
			}
		})
	}
}

// project is evidence of several services.
func project(ss ...ServiceEvidence) Evidence {
	for i := range ss {
		for j := range ss[i].Containers {
			c := &ss[i].Containers[j]
			c.Service = ss[i].Model.Name
			c.ID = ss[i].Model.Name + "-id"
			c.Name = "proj-" + ss[i].Model.Name + "-1"
		}
	}
	return Evidence{Project: "proj", EngineReachable: true, Engine: stack.EngineInfo{OS: "linux", Arch: "amd64", Local: true}, Services: ss}
}

func svc(name string, c *stack.Container, logs ...string) ServiceEvidence {
	s := ServiceEvidence{Model: ServiceModel{Name: name, Enabled: true, Image: "app:1"}}
	if c != nil {
		s.Containers = []stack.Container{*c}
	}
	for _, l := range logs {
		s.Logs = append(s.Logs, LogLine{Text: l})
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// stale dates the evidence d after t0.
func stale(ev Evidence, d time.Duration) Evidence {
	ev.GatheredAt = t0.Add(d)
	return ev
}

func TestStartRulesTable(t *testing.T) {
	run := stack.Container{State: stack.StateRunning, StartedAt: t0, Pid: 42}
	dbUp := svc("db", &run)
	dbUp.Net = &NetEvidence{Addresses: []string{"172.18.0.2"}, ListenChecked: true, Listeners: []Listener{{Addr: "::", Port: 5432}}}
	dbDown := svc("database", ptr(exited(143)))
	dbDown.Model.Start.Aliases = []string{"pg"}

	withEnv := svc("worker", ptr(exited(1)), "getaddrinfo ENOTFOUND databse")
	withEnv.Model.Start.Environment = []string{"DB_HOST=databse"}

	localhost := svc("web", &run)
	localhost.Model.Ports = []Port{{Published: 3000, Target: 3000}}
	localhost.Net = &NetEvidence{ListenChecked: true, Listeners: []Listener{{Addr: "127.0.0.1", Port: 3000}}}
	allAddrs := svc("web", &run)
	allAddrs.Model.Ports = []Port{{Published: 3000, Target: 3000}}
	allAddrs.Net = &NetEvidence{ListenChecked: true, Listeners: []Listener{{Addr: "127.0.0.1", Port: 3000}, {Addr: "::", Port: 3000}}}
	unchecked := svc("web", &run)
	unchecked.Model.Ports = []Port{{Published: 3000, Target: 3000}}

	created := stack.Container{State: stack.StateCreated, ExitCode: 127}
	waiting := svc("web", &stack.Container{State: stack.StateCreated})
	waiting.Model.DependsOn = []Dependency{{Service: "migrate", Condition: "service_completed_successfully"}}
	waitingStarted := waiting
	waitingStarted.Model.DependsOn = []Dependency{{Service: "migrate", Condition: "service_started"}}
	neverUp := svc("web", nil)
	neverUp.Model.DependsOn = waiting.Model.DependsOn

	cases := []struct {
		name    string
		ev      Evidence
		want    []string
		summary string // in the first finding's summary
		fix     string // the first finding's first fix
	}{
		{"refused by a service's IP", project(svc("app", ptr(exited(1)), "dial tcp 172.18.0.2:5432: connect: connection refused"), dbUp),
			[]string{"app/dependency-unreachable"}, "db runs and listens on port 5432 now", "restart-on-failure"},
		{"libpq names host and IP", project(svc("app", ptr(exited(2)), `psql: error: connection to server at "db" (172.18.0.2), port 5432 failed: Connection refused`), dbUp),
			[]string{"app/dependency-unreachable"}, "could not reach db at db:5432", "restart-on-failure"},
		{"node ECONNREFUSED to an alias of a stopped service", project(svc("app", ptr(exited(1)), "Error: connect ECONNREFUSED pg:5432"), dbDown),
			[]string{"app/dependency-unreachable"}, "database is not running", "restart-on-failure"},
		{"refused by a host outside the project is error-exit", project(svc("app", ptr(exited(1)), "dial tcp 10.9.9.9:5432: connect: connection refused"), dbUp),
			[]string{"app/error-exit"}, "", ""},
		{"refused while running is history", project(svc("app", &run, "dial tcp 172.18.0.2:5432: connect: connection refused"), dbUp), nil, "", ""},
		{"refused then exit 0 is fine", project(svc("app", ptr(exited(0)), "dial tcp 172.18.0.2:5432: connect: connection refused"), dbUp), nil, "", ""},
		{"refused then stopped is fine", project(svc("app", ptr(exited(143)), "dial tcp 172.18.0.2:5432: connect: connection refused"), dbUp), nil, "", ""},
		{"typo in the environment", project(withEnv, dbDown), []string{"worker/unknown-host"}, "did you mean database?", "replace-host"},
		{"unknown host far from every name", project(svc("worker", ptr(exited(1)), "dial tcp: lookup api.example.com on 127.0.0.11:53: no such host"), dbUp),
			[]string{"worker/unknown-host"}, "cannot resolve the host name api.example.com: no service", ""},
		{"lookup of a stopped service is that service", project(svc("worker", ptr(exited(1)), "dial tcp: lookup database on 127.0.0.11:53: no such host"), dbDown),
			[]string{"worker/dependency-unreachable"}, "database is not running", "restart-on-failure"},
		{"no such host while running is fine", project(svc("worker", &run, "lookup databse: no such host"), dbUp), nil, "", ""},
		{"listens on 127.0.0.1", project(localhost), []string{"web/listen-localhost"}, "127.0.0.1:3000", ""},
		{"listens on all addresses too", project(allAddrs), nil, "", ""},
		{"listeners unknown", project(unchecked), nil, "", ""},
		{"exit 127 from a shell", project(svc("app", ptr(exited(127)), "/bin/sh: 1: gunicorn: not found")), []string{"app/command-not-found"}, "the command gunicorn is not in the image", ""},
		{"executable not in PATH", project(svc("app", ptr(stack.Container{State: stack.StateCreated, ExitCode: 127,
			Error: `OCI runtime create failed: runc create failed: unable to start container process: exec: "uvicorn": executable file not found in $PATH: unknown`}))),
			[]string{"app/command-not-found"}, "uvicorn", ""},
		{"bind source missing", project(svc("app", ptr(stack.Container{State: stack.StateCreated,
			Error: `invalid mount config for type "bind": bind source path does not exist: /srv/app/certs`}))),
			[]string{"app/mount-error"}, "mounting /srv/app/certs failed", ""},
		{"created, dependency failed", project(waiting, svc("migrate", ptr(exited(3)))), []string{"migrate/error-exit", "web/blocked"}, "", ""},
		{"created, dependency only started", project(waitingStarted, svc("migrate", ptr(exited(3)))), []string{"migrate/error-exit"}, "", ""},
		{"never brought up", project(neverUp, svc("migrate", ptr(exited(3)))), []string{"migrate/error-exit"}, "", ""},
		{"created a moment ago: an up may still start it", stale(project(svc("app", &stack.Container{State: stack.StateCreated, Created: t0})), 30*time.Second), nil, "", ""},
		{"left created by an up that stopped", stale(project(svc("app", &stack.Container{State: stack.StateCreated, Created: t0})), 5*time.Minute),
			[]string{"app/not-started"}, "created 5m0s ago", "restart"},
		{"created with an unknown error", project(svc("app", &created)), []string{"app/not-started"}, "never started", "restart"},
	}
	cases[len(cases)-1].ev.Services[0].Containers[0].Error = "something new the engine says"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := Diagnose(tc.ev)
			var ids []string
			for _, f := range fs {
				ids = append(ids, f.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("findings %v, want %v", ids, tc.want)
			}
			if len(fs) == 0 {
				return
			}
			if !strings.Contains(fs[0].Summary, tc.summary) {
				t.Errorf("summary %q lacks %q", fs[0].Summary, tc.summary)
			}
			if tc.fix != "" && (len(fs[0].Fixes) == 0 || fs[0].Fixes[0].ID != tc.fix) {
				t.Errorf("fixes %+v, want %s first", fs[0].Fixes, tc.fix)
			}
		})
	}
}

func TestParseProcNet(t *testing.T) {
	tcp := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 112399 2 0 100 0 0 10 0
   1: 0B00007F:9C3B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 2 0 100 0 0 10 0
   2: 0200A8C0:1F90 0300A8C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 1 2 0 100 0 0 10 0
`
	tcp6 := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
`
	got, err := parseProcNet(strings.NewReader(tcp))
	if err != nil || !slices.Equal(got, []Listener{{Addr: "127.0.0.1", Port: 3000}}) {
		t.Errorf("tcp: %v, %v", got, err)
	}
	got, err = parseProcNet(strings.NewReader(tcp6))
	if err != nil || !slices.Equal(got, []Listener{{Addr: "::", Port: 8080}, {Addr: "::1", Port: 80}}) {
		t.Errorf("tcp6: %v, %v", got, err)
	}
	if got, err := parseProcNet(strings.NewReader("header\n garbage: zz:zz 00 0A\n")); err != nil || len(got) != 0 {
		t.Errorf("garbage: %v, %v", got, err)
	}
}

// State errors, compose output and logs are untrusted: the start and
// network rules yield complete findings from any of it, never a panic.
func FuzzStartText(f *testing.F) {
	f.Add(`error mounting "/p/site.conf" to rootfs at "/etc/site.conf": not a directory: Are you trying to mount a directory onto a file`, "dial tcp 172.18.0.2:5432: connect: connection refused")
	f.Add(`exec: "node": executable file not found in $PATH`, "dial tcp: lookup databse on 127.0.0.11:53: no such host")
	f.Add("ERROR: for web  Container \"abc\" exited with code 3.", `connection to server at "db" (172.18.0.2), port 5432 failed: Connection refused`)
	f.Add("bind source path does not exist: /x", "/bin/sh: 1: gunicorn: not found")
	f.Fuzz(func(t *testing.T, state, logs string) {
		c := stack.Container{State: stack.StateCreated, ExitCode: 127, Error: state}
		web := svc("web", &c)
		web.Model.Start.Binds = []Bind{{Source: "/p/site.conf", Target: "/etc/site.conf"}}
		web.Model.DependsOn = []Dependency{{Service: "db", Condition: "service_healthy"}}
		app := svc("app", ptr(exited(127)))
		for _, l := range strings.Split(logs, "\n") {
			app.Logs = append(app.Logs, LogLine{Text: l})
		}
		db := svc("db", ptr(exited(1)))
		db.Net = &NetEvidence{Addresses: []string{"172.18.0.2"}}
		ev := project(web, app, db)
		ev.ComposeFailure = strings.Split(state, "\n")
		for _, f := range Diagnose(ev) {
			if f.ID == "" || f.Summary == "" || f.Kind == "" {
				t.Errorf("incomplete finding %+v", f)
			}
		}
	})
}
