package workload

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a stdout that a test can read while Run writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls until the output matches re; the deadline only bounds a
// hang, it asserts nothing about speed.
func (b *syncBuffer) waitFor(t *testing.T, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(b.String()); m != nil {
			return m
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("output never matched %q:\n%s", re, b.String())
	return nil
}

// started runs the workload in the background and returns its stdout and
// a function that stops it and returns its exit status.
func started(t *testing.T, args []string, signals <-chan os.Signal) (*syncBuffer, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	code := make(chan int, 1)
	go func() { code <- Run(ctx, args, &out, &errOut, signals) }()
	var once sync.Once
	result := -1
	stop := func() int {
		once.Do(func() {
			cancel()
			select {
			case result = <-code:
			case <-time.After(20 * time.Second):
				t.Errorf("workload did not stop after cancel; output:\n%s", out.String())
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })
	return &out, &errOut, stop
}

func TestBadArguments(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--nope"}, "flag provided but not defined"},
		{[]string{"--log-rate", "-3"}, "--log-rate"},
		{[]string{"--log-rate", "NaN"}, "--log-rate"},
		{[]string{"--log-size", "0"}, "--log-size"},
		{[]string{"--alloc", "lots"}, "size \"lots\""},
		{[]string{"--alloc", "12Q"}, "size \"12Q\""},
		{[]string{"--exit-after", "soon"}, "invalid value"},
		{[]string{"--exit-code", "300"}, "--exit-code 300"},
		{[]string{"--unhealthy-after", "1s"}, "needs --serve"},
		{[]string{"extra"}, "unexpected arguments"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Run(context.Background(), tc.args, &out, &errOut, nil)
			if code != exitBadArgs {
				t.Errorf("exit %d, want %d", code, exitBadArgs)
			}
			if !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("stderr %q does not mention %q", errOut.String(), tc.want)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"512", 512, true},
		{"16k", 16 << 10, true},
		{"256M", 256 << 20, true},
		{"256MiB", 256 << 20, true},
		{"256mb", 256 << 20, true},
		{"1G", 1 << 30, true},
		{"1.5GiB", 3 << 29, true},
		{"", 0, false},
		{"M", 0, false},
		{"-1M", 0, false},
		{"1.2.3M", 0, false},
		{"10X", 0, false},
		{"99999999999T", 0, false},
	}
	for _, tc := range cases {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if got := formatSize(64 << 20); got != "64MiB" {
		t.Errorf("formatSize(64MiB) = %q", got)
	}
	if got := formatSize(3 << 29); got != "1.5GiB" {
		t.Errorf("formatSize(1.5GiB) = %q", got)
	}
}

func TestExitCodeAfterPrint(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"--print", "hi", "--exit-code", "3", "--exit-after", "10ms"}, &out, &errOut, nil)
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	if errOut.String() != "hi\n" {
		t.Errorf("stderr %q, want \"hi\\n\"", errOut.String())
	}
	if !strings.Contains(out.String(), "exiting with code 3") {
		t.Errorf("stdout does not log the exit:\n%s", out.String())
	}
}

func TestExitCodeAloneExitsAtOnce(t *testing.T) {
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"--exit-code", "7"}, &out, io.Discard, nil); code != 7 {
		t.Errorf("exit %d, want 7", code)
	}
}

func TestSigtermStops(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	out, _, stop := started(t, []string{"--log-rate", "5"}, sigs)
	out.waitFor(t, `line 000001 `)
	sigs <- syscall.SIGTERM
	out.waitFor(t, `received SIGTERM, exiting`)
	if code := stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

func TestIgnoreSigterm(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	out, _, stop := started(t, []string{"--ignore-sigterm", "--log-rate", "50"}, sigs)
	sigs <- syscall.SIGTERM
	sigs <- syscall.SIGINT
	out.waitFor(t, `received SIGINT, ignoring it`)
	// Still alive: log lines keep coming after both signals were ignored.
	n := strings.Count(out.String(), "\nline ")
	out.waitFor(t, fmt.Sprintf(`line %06d `, n+2))
	if strings.Contains(out.String(), "exiting") {
		t.Errorf("workload exited on an ignored signal:\n%s", out.String())
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
}

func TestLogLinesAreNumberedAndSized(t *testing.T) {
	out, _, stop := started(t, []string{"--log-rate", "0", "--log-lines", "5000", "--log-size", "40"}, nil)
	out.waitFor(t, `line 005000 `)
	stop()
	var want int
	for _, l := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(l, "line ") {
			continue
		}
		want++
		if !strings.HasPrefix(l, fmt.Sprintf("line %06d ", want)) {
			t.Fatalf("line %d is %q", want, l)
		}
		if len(l) != 40 {
			t.Fatalf("line %d is %d bytes, want 40", want, len(l))
		}
	}
	if want != 5000 {
		t.Errorf("%d log lines, want exactly 5000 (--log-lines)", want)
	}
}

func TestLogLineLongerThanSize(t *testing.T) {
	g := newLineGen(3)
	if got := string(g.next()); got != "line 000001 \n" {
		t.Errorf("tiny size: %q", got)
	}
	g = newLineGen(10)
	g.n = 1234567
	if got := string(g.next()); got != "line 1234568 \n" {
		t.Errorf("wide number: %q", got)
	}
}

func TestLinesDue(t *testing.T) {
	cases := []struct {
		elapsed time.Duration
		rate    float64
		want    int64
	}{
		{-time.Second, 2, 0},
		{0, 2, 1},
		{499 * time.Millisecond, 2, 1},
		{500 * time.Millisecond, 2, 2},
		{10 * time.Second, 2, 21},
		{time.Second, 0.5, 1},
		{2 * time.Second, 0.5, 2},
		{time.Second, 1000, 1001},
	}
	for _, tc := range cases {
		if got := linesDue(tc.elapsed, tc.rate); got != tc.want {
			t.Errorf("linesDue(%s, %v) = %d, want %d", tc.elapsed, tc.rate, got, tc.want)
		}
	}
}

// TestLogRateNeverRunsAhead checks the pacing against the time the run
// really took: a rate-limited writer may fall behind, never ahead.
func TestLogRateNeverRunsAhead(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	code := Run(context.Background(), []string{"--log-rate", "200", "--exit-after", "300ms"}, &out, io.Discard, nil)
	elapsed := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	n := int64(strings.Count(out.String(), "\nline "))
	if n < 1 || n > linesDue(elapsed, 200) {
		t.Errorf("%d lines in %s at 200/s; want 1..%d", n, elapsed, linesDue(elapsed, 200))
	}
}

func rssBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("read RSS: %v", err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmRSS in /proc/self/status")
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

func TestAllocStepsGrowRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/status")
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := rssBytes(t)
	out, _, stop := started(t, []string{"--alloc", "64M", "--alloc-step", "16M", "--alloc-every", "1ms"}, nil)
	out.waitFor(t, `holding 64MiB`)
	grown := rssBytes(t) - before
	stop()
	for _, step := range []string{"16MiB", "32MiB", "48MiB", "64MiB"} {
		if !strings.Contains(out.String(), "allocated "+step+" of 64MiB\n") {
			t.Errorf("no step %q in output:\n%s", step, out.String())
		}
	}
	if grown < 48<<20 {
		t.Errorf("RSS grew by %s while holding 64MiB; the pages were not touched", formatSize(grown))
	}
}

func TestServeAndHealth(t *testing.T) {
	out, _, _ := started(t, []string{"--serve", "127.0.0.1:0"}, nil)
	addr := out.waitFor(t, `serving http on (\S+)`)[1]
	for path, want := range map[string]int{"/": 200, "/health": 200} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	if code := Run(context.Background(), []string{"--probe", "http://" + addr + "/health"}, io.Discard, io.Discard, nil); code != 0 {
		t.Errorf("probe of a healthy workload: exit %d", code)
	}
}

func TestUnhealthyAfter(t *testing.T) {
	out, _, _ := started(t, []string{"--serve", "127.0.0.1:0", "--unhealthy-after", "50ms"}, nil)
	addr := out.waitFor(t, `serving http on (\S+)`)[1]
	out.waitFor(t, `health: answering 500`)
	resp, err := http.Get("http://" + addr + "/health")
	if err != nil {
		t.Fatalf("GET /health: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("GET /health after --unhealthy-after: %d, want 500", resp.StatusCode)
	}
	var pout bytes.Buffer
	if code := Run(context.Background(), []string{"--probe", "http://" + addr + "/health"}, &pout, io.Discard, nil); code != 1 {
		t.Errorf("probe of an unhealthy workload: exit %d, want 1", code)
	}
	if !strings.Contains(pout.String(), "500") {
		t.Errorf("probe output %q does not say 500", pout.String())
	}
}

func TestProbe(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ok.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer bad.Close()
	closed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	closed.Close()
	cases := []struct {
		url  string
		want int
	}{
		{ok.URL, 0},
		{bad.URL, 1},
		{closed.URL, 1},
		{"http://[::1", 1},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		if code := Run(context.Background(), []string{"--probe", tc.url}, &out, io.Discard, nil); code != tc.want {
			t.Errorf("probe %s: exit %d, want %d (%s)", tc.url, code, tc.want, out.String())
		}
		if out.Len() == 0 {
			t.Errorf("probe %s printed nothing", tc.url)
		}
	}
}

func TestServeOnTakenPortFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var errOut bytes.Buffer
	if code := Run(context.Background(), []string{"--serve", ln.Addr().String()}, io.Discard, &errOut, nil); code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(errOut.String(), "listen") {
		t.Errorf("stderr %q does not explain", errOut.String())
	}
}

// BenchmarkLogLinesToPipe measures --log-rate 0 through a real pipe, the
// way a container's stdout is read; it reports lines/s.
func BenchmarkLogLinesToPipe(b *testing.B) {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan int64)
	go func() {
		n, _ := io.Copy(io.Discard, bufio.NewReaderSize(r, 1<<16))
		done <- n
	}()
	o := newOutput(w)
	b.ResetTimer()
	start := time.Now()
	if err := writeLines(context.Background(), o, 0, 80, int64(b.N)); err != nil {
		b.Fatal(err)
	}
	w.Close()
	<-done
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lines/s")
}
