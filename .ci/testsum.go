//go:build ignore

// testsum reads `go test -json` on stdin and prints what a plain `go test`
// would (each package's result line, and the output of each test that
// failed), then one line counting the tests that ran:
//
//	go test -json ./... | go run .ci/testsum.go "docker compose"
//
// It exits 1 when a test or package failed, so CI can rely on it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	label := "tests"
	if len(os.Args) > 1 {
		label = os.Args[1]
	}
	buffered := map[string][]string{} // package + test: its output until it ends
	counts := map[string]int{}        // action: tests and subtests
	top := 0                          // top-level tests that ran
	var skipped []string              // named, since a skip proves nothing
	packageFailed := false
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	for in.Scan() {
		var e event
		if err := json.Unmarshal(in.Bytes(), &e); err != nil {
			// go test prints build failures as text, not JSON.
			fmt.Println(in.Text())
			packageFailed = true
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch {
		case e.Action == "build-output": // compiler errors (Go 1.24+)
			fmt.Print(e.Output)
		case e.Test == "" && e.Action == "output":
			if e.Output != "PASS\n" { // plain go test does not print it either
				fmt.Print(e.Output)
			}
		case e.Test == "" && e.Action == "fail":
			packageFailed = true
			// A panic or timeout ends the package with tests that never
			// said pass or fail: their output says why.
			for k, out := range buffered {
				if strings.HasPrefix(k, e.Package+"\x00") {
					fmt.Print(strings.Join(out, ""))
					delete(buffered, k)
				}
			}
		case e.Test == "": // a package's own pass, skip (no test files) or start
		case e.Action == "output":
			buffered[key] = append(buffered[key], e.Output)
		case e.Action == "pass" || e.Action == "fail" || e.Action == "skip":
			counts[e.Action]++
			if e.Action != "skip" && !strings.Contains(e.Test, "/") {
				top++
			}
			if e.Action == "fail" {
				fmt.Print(strings.Join(buffered[key], ""))
			}
			if e.Action == "skip" {
				skipped = append(skipped, e.Test+" ("+e.Package+")")
			}
			delete(buffered, key)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(2)
	}
	ran := counts["pass"] + counts["fail"]
	fmt.Printf("== under %s: %d tests ran (%d top-level, the rest subtests): %d passed, %d failed, %d skipped\n",
		label, ran, top, counts["pass"], counts["fail"], counts["skip"])
	for _, name := range skipped {
		fmt.Println("   skipped:", name)
	}
	if counts["fail"] > 0 || packageFailed {
		os.Exit(1)
	}
}
