package docker

import (
	"reflect"
	"testing"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/stackui/stackui/stack"
)

func TestEventFromMessage(t *testing.T) {
	labels := func(extra map[string]string) map[string]string {
		m := map[string]string{
			"name":             "web-1",
			"image":            "stackui-demo/workload:latest",
			stack.LabelProject: "shop",
			stack.LabelService: "web",
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	when := time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC)
	base := func(action string, attrs map[string]string) events.Message {
		return events.Message{
			Type:     events.ContainerEventType,
			Action:   events.Action(action),
			Actor:    events.Actor{ID: "abc123", Attributes: attrs},
			Time:     when.Unix(),
			TimeNano: when.UnixNano(),
		}
	}
	tests := []struct {
		name string
		in   events.Message
		want stack.Event
	}{
		{"start", base("start", labels(nil)),
			stack.Event{Action: "start"}},
		{"die carries the exit code", base("die", labels(map[string]string{"exitCode": "137"})),
			stack.Event{Action: "die", ExitCode: 137}},
		{"die with a garbled exit code", base("die", labels(map[string]string{"exitCode": "x"})),
			stack.Event{Action: "die"}},
		{"kill carries the signal", base("kill", labels(map[string]string{"signal": "15"})),
			stack.Event{Action: "kill", Signal: "15"}},
		{"oom", base("oom", labels(nil)),
			stack.Event{Action: "oom"}},
		{"health_status: healthy", base("health_status: healthy", labels(nil)),
			stack.Event{Action: "health_status", Health: "healthy"}},
		{"health_status: unhealthy", base("health_status: unhealthy", labels(nil)),
			stack.Event{Action: "health_status", Health: "unhealthy"}},
		{"exec_start keeps only the verb", base("exec_start: sh -c 'echo a: b'", labels(nil)),
			stack.Event{Action: "exec_start"}},
		{"exec_create", base("exec_create: curl -f http://localhost/", labels(nil)),
			stack.Event{Action: "exec_create"}},
		{"destroy", base("destroy", labels(nil)),
			stack.Event{Action: "destroy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := eventFromMessage(tt.in)
			want := tt.want
			want.Time = when
			want.ContainerID = "abc123"
			want.Name = "web-1"
			want.Project = "shop"
			want.Service = "web"
			want.Attributes = tt.in.Actor.Attributes
			if !got.Time.Equal(want.Time) {
				t.Errorf("time = %v, want %v", got.Time, want.Time)
			}
			got.Time, want.Time = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestEventTimeFallsBackToSeconds(t *testing.T) {
	ev := eventFromMessage(events.Message{Action: "start", Time: 1714557600})
	if !ev.Time.Equal(time.Unix(1714557600, 0)) {
		t.Fatalf("time = %v", ev.Time)
	}
	if ev.Name != "" || ev.Service != "" {
		t.Fatalf("attributes from nowhere: %+v", ev)
	}
}
