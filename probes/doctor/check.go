package doctor

import (
	"context"
	"fmt"
	"sync"
)

// Logf is the injected logger; nil discards.
type Logf func(format string, args ...any)

func (l Logf) printf(format string, args ...any) {
	if l != nil {
		l(format, args...)
	}
}

// Check is one step of gathering evidence, shaped like tailscale's doctor
// checks: a name for the log, and Run.
type Check interface {
	Name() string
	Run(ctx context.Context, logf Logf) error
}

// CheckFunc makes a Check of a name and a function.
func CheckFunc(name string, run func(ctx context.Context, logf Logf) error) Check {
	return checkFunc{name, run}
}

type checkFunc struct {
	name string
	run  func(context.Context, Logf) error
}

func (c checkFunc) Name() string                             { return c.name }
func (c checkFunc) Run(ctx context.Context, logf Logf) error { return c.run(ctx, logf) }

// RunChecks runs the checks in parallel and returns their failures, each
// wrapped with its check's name, in the order of the checks. A panic in a
// check is its failure, not the process's.
func RunChecks(ctx context.Context, logf Logf, checks ...Check) []error {
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("%s: panic: %v", c.Name(), r)
				}
			}()
			prefixed := func(format string, args ...any) { logf.printf(c.Name()+": "+format, args...) }
			if err := c.Run(ctx, prefixed); err != nil {
				errs[i] = fmt.Errorf("%s: %w", c.Name(), err)
				logf.printf("%v", errs[i])
			}
		})
	}
	wg.Wait()
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}
