package stack

import (
	"io"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"
)

// warnHook collects what compose-go logs at warning level or above.
type warnHook struct {
	mu   sync.Mutex
	msgs []string
}

func (h *warnHook) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (h *warnHook) Fire(e *logrus.Entry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, foldLines(e.Message))
	return nil
}

// captureWarnings runs fn with logrus's standard logger silenced and returns
// the warnings it logged. The logger's output, level and hooks are restored
// afterwards, so a program that uses logrus itself is left as it was. The
// logger is process-wide: the caller must hold loadSlot, so that two loads
// do not swap it at the same time and lose or mix each other's warnings.
func captureWarnings(fn func() error) ([]string, error) {
	std := logrus.StandardLogger()
	hook := &warnHook{}
	oldHooks := std.ReplaceHooks(logrus.LevelHooks{})
	std.AddHook(hook)
	oldOut := std.Out
	std.SetOutput(io.Discard)
	oldLevel := std.GetLevel()
	if oldLevel < logrus.WarnLevel {
		std.SetLevel(logrus.WarnLevel)
	}
	defer func() {
		std.SetLevel(oldLevel)
		std.SetOutput(oldOut)
		std.ReplaceHooks(oldHooks)
	}()

	err := fn()
	hook.mu.Lock()
	defer hook.mu.Unlock()
	return append([]string(nil), hook.msgs...), err
}

// oneLine folds a multi-line message into one line.
func foldLines(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// appendUnique appends the warnings of more not already in list.
func appendNewWarnings(list []string, more ...string) []string {
	for _, m := range more {
		dup := false
		for _, l := range list {
			if l == m {
				dup = true
				break
			}
		}
		if !dup && m != "" {
			list = append(list, m)
		}
	}
	return list
}
