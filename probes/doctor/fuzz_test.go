package doctor

import (
	"strings"
	"testing"
)

const procNetTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1
`

func TestListeningInodes(t *testing.T) {
	if got := listeningInodes([]byte(procNetTCP), 8080); len(got) != 1 || got[0] != 12345 {
		t.Errorf("listeningInodes = %v, want [12345] (the LISTEN socket only)", got)
	}
	if got := listeningInodes([]byte(procNetTCP), 8081); len(got) != 0 {
		t.Errorf("other port: %v", got)
	}
}

// The kernel's table is parsed defensively; garbage yields nothing, never
// a panic.
func FuzzListeningInodes(f *testing.F) {
	f.Add([]byte(procNetTCP), 8080)
	f.Add([]byte("header\n0: :: 0A a b c d e f g\n"), 0)
	f.Fuzz(func(t *testing.T, b []byte, port int) {
		for _, ino := range listeningInodes(b, port) {
			if ino == 0 {
				t.Error("inode 0")
			}
		}
	})
}

// Compose output, state errors and logs are untrusted text: any of it
// yields findings with ids and summaries, never a panic.
func FuzzDiagnoseText(f *testing.F) {
	f.Add("ERROR: for web  Cannot start service web: driver failed programming external connectivity on endpoint p_web_1 (x): Bind for 0.0.0.0:8080 failed: port is already allocated", "exec /app: exec format error")
	f.Add("Pulling web (a/b:c)...\nGet \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host", "panic: boom")
	f.Add("listen tcp4 [::1]:99999: bind: address already in use", "CUDA driver version is insufficient for CUDA runtime version")
	f.Fuzz(func(t *testing.T, compose, logs string) {
		c := exited(1)
		c.Error = compose
		ev := evidence(ServiceModel{Name: "web", Ports: []Port{{Published: 8080, Target: 80}}}, c)
		ev.ComposeFailure = strings.Split(compose, "\n")
		for _, l := range strings.Split(logs, "\n") {
			ev.Services[0].Logs = append(ev.Services[0].Logs, LogLine{Text: l})
		}
		for _, f := range Diagnose(ev) {
			if f.ID == "" || f.Summary == "" || f.Kind == "" {
				t.Errorf("incomplete finding %+v", f)
			}
		}
		if p := conflictPort(compose); p < 0 || p > 65535 {
			t.Errorf("conflictPort = %d", p)
		}
	})
}
