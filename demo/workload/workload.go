// Package workload is the program inside stackui's demo images (the hidden
// `stackui workload` subcommand): a stand-in for a web service, a database
// or a trainer whose behaviour the compose file's command line sets. It
// serves HTTP with a health endpoint that can turn bad, writes numbered log
// lines at a given rate, grows its memory step by step until it holds a
// given size (or the OOM killer stops it), exits with a chosen code, and
// can ignore SIGTERM. --probe turns it into the healthcheck client that
// scratch images lack.
//
// Everything it does is logged as plain lines on stdout, so what a
// container did is visible in its logs.
package workload

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// Exit statuses besides the one --exit-code asks for.
const (
	exitOK      = 0
	exitFailure = 1
	exitBadArgs = 2
)

type config struct {
	serve          string
	serveAfter     time.Duration
	connect        string
	logRate        float64 // <0: no log lines
	logSize        int
	logLines       int64
	alloc          byteSize
	allocStep      byteSize
	allocEvery     time.Duration
	exitCode       int
	exitCodeSet    bool
	exitAfter      time.Duration
	print          string
	ignoreSigterm  bool
	unhealthyAfter time.Duration
	probe          string
	shmAlloc       byteSize
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("stackui workload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.serve, "serve", "", "serve HTTP on `addr` (e.g. :8080): / and /health")
	fs.DurationVar(&c.serveAfter, "serve-after", 0, "start listening for --serve only after this `duration` (a slow database)")
	fs.StringVar(&c.connect, "connect", "", "dial `host:port` (TCP) at start; on failure print Go's error and exit 1, like an app whose database is not there")
	fs.Float64Var(&c.logRate, "log-rate", -1, "write `n` numbered log lines per second (0: as fast as possible; default: none)")
	fs.IntVar(&c.logSize, "log-size", 80, "size of each log line in `bytes`, newline excluded")
	fs.Int64Var(&c.logLines, "log-lines", 0, "stop logging after `n` lines (0: never)")
	fs.Var(&c.alloc, "alloc", "allocate and touch this much memory (`size`, e.g. 256M, 1GiB), then hold it")
	fs.Var(&c.allocStep, "alloc-step", "allocate in steps of this `size` (default: all at once)")
	fs.DurationVar(&c.allocEvery, "alloc-every", time.Second, "wait this `duration` between allocation steps")
	fs.IntVar(&c.exitCode, "exit-code", 0, "exit with this `code` (at once, or after --exit-after)")
	fs.DurationVar(&c.exitAfter, "exit-after", 0, "exit after this `duration` (with --exit-code, default 0)")
	fs.StringVar(&c.print, "print", "", "print `text` to stderr at start")
	fs.BoolVar(&c.ignoreSigterm, "ignore-sigterm", false, "ignore SIGTERM and SIGINT (docker stop then has to kill)")
	fs.DurationVar(&c.unhealthyAfter, "unhealthy-after", 0, "make /health answer 500 after this `duration` (needs --serve)")
	fs.Var(&c.shmAlloc, "shm-alloc", "map a file of this `size` in /dev/shm and touch every page, then hold it (past the container's shm_size: dies of SIGBUS, exit 135)")
	fs.StringVar(&c.probe, "probe", "", "only GET `url`: exit 0 if it answers 200 within 2s, else 1 (for healthchecks)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "exit-code" {
			c.exitCodeSet = true
		}
	})
	var problems []error
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	if math.IsNaN(c.logRate) || math.IsInf(c.logRate, 0) || (c.logRate < 0 && c.logRate != -1) {
		problems = append(problems, fmt.Errorf("--log-rate %v: want 0 or more lines per second", c.logRate))
	}
	if c.logSize < 1 || c.logSize > maxLineSize {
		problems = append(problems, fmt.Errorf("--log-size %d: want 1 to %d bytes", c.logSize, maxLineSize))
	}
	if c.logLines < 0 {
		problems = append(problems, fmt.Errorf("--log-lines %d: want 0 or more", c.logLines))
	}
	if c.allocEvery < 0 || c.exitAfter < 0 || c.unhealthyAfter < 0 || c.serveAfter < 0 {
		problems = append(problems, errors.New("durations must not be negative"))
	}
	if c.exitCode < 0 || c.exitCode > 255 {
		problems = append(problems, fmt.Errorf("--exit-code %d: want 0 to 255", c.exitCode))
	}
	if c.unhealthyAfter > 0 && c.serve == "" {
		problems = append(problems, errors.New("--unhealthy-after needs --serve"))
	}
	if c.serveAfter > 0 && c.serve == "" {
		problems = append(problems, errors.New("--serve-after needs --serve"))
	}
	if err := errors.Join(problems...); err != nil {
		fmt.Fprintf(stderr, "stackui workload: %v\n", err)
		return c, err
	}
	return c, nil
}

// Run is the workload: it does what args ask and returns the exit status.
// It stops with status 0 when ctx ends or a signal arrives on signals
// (unless --ignore-sigterm), or with --exit-code's status when
// --exit-after's time is up. The caller owns signal delivery, so tests can
// send signals without raising real ones.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, signals <-chan os.Signal) int {
	c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitBadArgs
	}
	if c.probe != "" {
		return probe(ctx, c.probe, stdout)
	}
	if c.print != "" {
		fmt.Fprintln(stderr, c.print)
	}
	o := newOutput(stdout)
	o.logf("workload started, pid %d", os.Getpid())
	if c.connect != "" {
		if err := connect(ctx, c.connect); err != nil {
			// What a real app prints when its database is not there: Go's
			// own dial error, host and port included.
			fmt.Fprintf(stderr, "stackui workload: %v\n", err)
			return exitFailure
		}
		o.logf("connected to %s", c.connect)
	}

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	failed := make(chan error, 2)

	if c.serve != "" && c.serveAfter > 0 {
		wg.Go(func() {
			if err := serveAfter(ctx, o, c.serve, c.serveAfter, c.unhealthyAfter); err != nil {
				failed <- err
			}
		})
	}
	if c.serve != "" && c.serveAfter == 0 {
		ln, err := net.Listen("tcp", c.serve)
		if err != nil {
			fmt.Fprintf(stderr, "stackui workload: listen %s: %v\n", c.serve, err)
			return exitFailure
		}
		srv := newServer()
		o.logf("serving http on %s", ln.Addr())
		wg.Go(func() {
			if err := srv.serve(ln); err != nil {
				failed <- err
			}
		})
		defer srv.shutdown()
		if c.unhealthyAfter > 0 {
			t := time.AfterFunc(c.unhealthyAfter, func() {
				srv.unhealthy.Store(true)
				o.logf("health: answering 500 from now on (--unhealthy-after %s)", c.unhealthyAfter)
			})
			defer t.Stop()
		}
	}
	if c.logRate >= 0 {
		wg.Go(func() {
			if err := writeLines(ctx, o, c.logRate, c.logSize, c.logLines); err != nil {
				failed <- fmt.Errorf("write log lines: %w", err)
			}
		})
	}
	if c.alloc > 0 {
		wg.Go(func() { allocate(ctx, o, int64(c.alloc), int64(c.allocStep), c.allocEvery) })
	}
	if c.shmAlloc > 0 {
		wg.Go(func() {
			if err := shmAlloc(ctx, o, shmDir, int64(c.shmAlloc)); err != nil {
				failed <- err
			}
		})
	}
	var exit <-chan time.Time
	if c.exitCodeSet || c.exitAfter > 0 {
		t := time.NewTimer(c.exitAfter)
		defer t.Stop()
		exit = t.C
	}
	for {
		select {
		case <-ctx.Done():
			o.logf("stopping")
			return exitOK
		case err := <-failed:
			fmt.Fprintf(stderr, "stackui workload: %v\n", err)
			return exitFailure
		case <-exit:
			o.logf("exiting with code %d", c.exitCode)
			return c.exitCode
		case sig := <-signals:
			if c.ignoreSigterm {
				o.logf("received %s, ignoring it (--ignore-sigterm)", signalName(sig))
				continue
			}
			o.logf("received %s, exiting", signalName(sig))
			return exitOK
		}
	}
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return sig.String()
}
