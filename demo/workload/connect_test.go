package workload

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// --serve-after says it waits, and only then listens.
func TestServeAfter(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	out, _, stop := started(t, []string{"--serve", addr, "--serve-after", "300ms"}, nil)
	out.waitFor(t, `listening on \S+ in 300ms \(--serve-after\)`)
	if strings.Contains(out.String(), "serving http") {
		t.Fatalf("served before the delay:\n%s", out.String())
	}
	out.waitFor(t, `serving http on `+addr)
	resp, err := http.Get("http://" + addr + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("health %d", resp.StatusCode)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// --connect to a port nobody listens on exits 1 with Go's dial error, as
// a real app prints it; to a listening one it says so and keeps running.
func TestConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	out, _, stop := started(t, []string{"--connect", addr}, nil)
	out.waitFor(t, `connected to `+addr)
	if code := stop(); code != 0 {
		t.Errorf("exit %d after a good connect", code)
	}
	ln.Close()
	var errOut syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if code := Run(ctx, []string{"--connect", addr}, &syncBuffer{}, &errOut, nil); code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if want := "dial tcp " + addr + ": connect: connection refused"; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q lacks %q", errOut.String(), want)
	}
}

func TestServeAfterNeedsServe(t *testing.T) {
	var errOut syncBuffer
	if code := Run(context.Background(), []string{"--serve-after", "1s"}, &syncBuffer{}, &errOut, nil); code != exitBadArgs {
		t.Errorf("exit %d, want %d", code, exitBadArgs)
	}
	if !strings.Contains(errOut.String(), "--serve-after needs --serve") {
		t.Errorf("stderr %q", errOut.String())
	}
}
