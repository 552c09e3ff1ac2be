package edit

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/stackui/stackui/stack"
	"gopkg.in/yaml.v3"
)

// defaultStopGrace is compose's stop_grace_period when none is set.
const defaultStopGrace = 10 * time.Second

// memoryPath is where the compose spec's own memory limit lives.
func memoryPath() []string { return []string{"deploy", "resources", "limits", "memory"} }

// SetMemLimit sets the service's memory limit to bytes: mem_limit or
// deploy.resources.limits.memory, whichever the files use, both when both
// are set (compose-go refuses them differing), each in the file that sets
// it. With neither set it adds memory to a deploy.resources.limits mapping
// the service already has (compose-go would refuse a mem_limit next to
// it), else mem_limit. A limited memswap_limit moves with it, keeping the
// same amount of swap (see setMemSwap), since the engine refuses one below
// the memory limit.
func SetMemLimit(p *stack.Project, service string, bytes int64) (_ Plan, err error) {
	defer recoverFix(&err)
	if bytes <= 0 {
		return Plan{}, fmt.Errorf("set %s's memory limit: %d bytes is not a limit", service, bytes)
	}
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("set %s's memory limit: %w", service, err)
	}
	value := func(old *yaml.Node) string { return formatSize(bytes, old) }
	ml, mh, hasML := lastSet(ls, "mem_limit")
	_, _, hasDeploy := lastSet(ls, memoryPath()...)
	switch {
	case hasML || hasDeploy:
		if hasML {
			if mh.shared {
				err = b.insert(ml, nil, "mem_limit", value(mh.val), false)
			} else {
				err = b.replace(ml, mh, []string{"mem_limit"}, value(mh.val), false)
			}
		}
		if err == nil && hasDeploy {
			// the compose schema wants deploy's sizes as strings
			err = b.set(ls, memoryPath(), value, true)
		}
	default:
		if ll, lh, ok := lastSet(ls, memoryPath()[:3]...); ok && lh.val.Kind == yaml.MappingNode {
			err = b.insert(ll, memoryPath()[:3], "memory", value(nil), true)
		} else {
			err = b.insert(newKeyLayer(ls), nil, "mem_limit", value(nil), false)
		}
	}
	swap, swapEdited := int64(0), false
	if err == nil {
		swap, swapEdited, err = b.setMemSwap(p, ls, bytes)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("set %s's memory limit: %w", service, err)
	}
	old := int64(0)
	if s, ok := p.Service(service); ok {
		old = s.MemLimit
	}
	title := fmt.Sprintf("set %s's memory limit to %s", service, humanBytes(bytes))
	switch {
	case old > 0 && old < bytes:
		title = fmt.Sprintf("raise %s's memory limit from %s to %s", service, humanBytes(old), humanBytes(bytes))
	case old > bytes:
		title = fmt.Sprintf("lower %s's memory limit from %s to %s", service, humanBytes(old), humanBytes(bytes))
	}
	if swapEdited {
		title += fmt.Sprintf(" and its memswap_limit to %s", humanBytes(swap))
	}
	plan, err := b.plan(title)
	if err == nil {
		plan.Setting = &Setting{Service: service, Key: "memory", From: old, To: bytes}
	}
	return plan, err
}

// setMemSwap keeps the service's memswap_limit (memory plus swap) valid
// for a memory limit of mem: the engine refuses to create a container
// whose memswap_limit is below its memory limit ("Minimum memoryswap limit
// should be larger than memory limit"), though compose-go loads it. A
// limited memswap_limit keeps the swap it allowed on top of the old limit,
// and is edited in the last file that sets it. Unset (0) and unlimited
// (-1) stay as they are, as does a ${VARIABLE} whose value still allows
// mem: the variable is not the editor's to change. It returns the new
// value and whether it is edited.
func (b *builder) setMemSwap(p *stack.Project, ls []layer, mem int64) (int64, bool, error) {
	s, ok := p.Service(b.service)
	if !ok {
		return 0, false, nil
	}
	swap, ok, err := memSwapFor(s.MemLimit, int64(s.Config.MemSwapLimit), mem)
	if err != nil || !ok {
		return 0, false, err
	}
	path := []string{"memswap_limit"}
	if _, h, found := lastSet(ls, path...); found && h.val.Kind == yaml.ScalarNode &&
		reVariable.MatchString(h.val.Value) && int64(s.Config.MemSwapLimit) >= mem {
		return 0, false, nil
	}
	err = b.set(ls, path, func(old *yaml.Node) string { return formatSize(swap, old) }, false)
	return swap, err == nil, err
}

// memSwapFor is the memswap_limit that keeps oldSwap-oldMem of swap above
// a memory limit of mem, never below mem; ok is false when oldSwap is
// unset (0) or unlimited (negative), or stays the same.
func memSwapFor(oldMem, oldSwap, mem int64) (swap int64, ok bool, err error) {
	if oldSwap <= 0 {
		return 0, false, nil
	}
	headroom := max(oldSwap-max(oldMem, 0), 0)
	if headroom > math.MaxInt64-mem {
		return 0, false, fmt.Errorf("%w: memswap_limit would overflow", ErrUnsupported)
	}
	swap = mem + headroom
	return swap, swap != oldSwap, nil
}

// rePlatform is os/arch[/variant] as compose and OCI write it.
var rePlatform = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?$`)

// SetPlatform sets the service's `platform:`.
func SetPlatform(p *stack.Project, service, platform string) (_ Plan, err error) {
	defer recoverFix(&err)
	if !rePlatform.MatchString(platform) {
		return Plan{}, fmt.Errorf("set %s's platform: %q is not os/arch[/variant]", service, platform)
	}
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("set %s's platform: %w", service, err)
	}
	if err := b.set(ls, []string{"platform"}, func(*yaml.Node) string { return platform }, true); err != nil {
		return Plan{}, fmt.Errorf("set %s's platform: %w", service, err)
	}
	title := fmt.Sprintf("set %s's platform to %s", service, platform)
	if s, ok := p.Service(service); ok && s.Platform != "" {
		title = fmt.Sprintf("change %s's platform from %s to %s", service, s.Platform, platform)
	}
	return b.plan(title)
}

// SetStopGracePeriod sets the service's stop_grace_period, how long the
// engine waits after SIGTERM before it sends SIGKILL.
func SetStopGracePeriod(p *stack.Project, service string, d time.Duration) (_ Plan, err error) {
	defer recoverFix(&err)
	if d <= 0 {
		return Plan{}, fmt.Errorf("set %s's stop grace period: %v is not a period", service, d)
	}
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("set %s's stop grace period: %w", service, err)
	}
	v := formatDuration(d)
	if err := b.set(ls, []string{"stop_grace_period"}, func(*yaml.Node) string { return v }, true); err != nil {
		return Plan{}, fmt.Errorf("set %s's stop grace period: %w", service, err)
	}
	old := defaultStopGrace
	if s, ok := p.Service(service); ok && s.Config.StopGracePeriod != nil {
		old = time.Duration(*s.Config.StopGracePeriod)
	}
	verb := "raise"
	if d < old {
		verb = "lower"
	}
	return b.plan(fmt.Sprintf("%s %s's stop grace period from %s to %s", verb, service, formatDuration(old), v))
}

// errInternal marks a fix that failed on a bug of the editor rather than
// on the file; tests look for it.
var errInternal = errors.New("internal error")

// recoverFix turns a panic while computing a fix into an error: the user's
// file is bad input to refuse, and the doctor must keep running.
func recoverFix(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %w: %v", ErrUnsupported, errInternal, r)
	}
}
