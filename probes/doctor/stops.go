package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/stackui/stackui/stack/edit"
)

// IssuedStop is a stop that stackui itself ran: the TUI's stop, restart,
// remove, kill, down and profile-off, through whichever process. A
// container that exits 137 while one runs was killed by it (its grace
// period ran out), which Docker's events show (kill 15, kill 9, stop) and
// Podman's do not (die, cleanup): on Podman this record is the only kill
// evidence the doctor has of a stop.
type IssuedStop struct {
	// Service is the service stopped; "" stands for every service (down).
	Service string    `json:"service,omitempty"`
	Action  string    `json:"action"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// covers says whether a container that finished at t was stopped by s:
// the engine's clock and this one may differ by a little.
func (s IssuedStop) covers(service string, t time.Time) bool {
	const skew = 2 * time.Second
	return (s.Service == "" || s.Service == service) && !t.IsZero() &&
		!t.Before(s.Start.Add(-skew)) && !t.After(s.End.Add(skew))
}

// Stops are kept a day, and at most this many per project.
const (
	stopsKept = 64
	stopsAge  = 24 * time.Hour
)

// RecordStop adds a stop stackui ran to the project's record under the
// state folder ($XDG_STATE_HOME/stackui/stops), where every stackui
// process (the TUI, stackui doctor) reads it.
func RecordStop(project string, s IssuedStop) error {
	path, err := edit.ProjectFile("stops", project)
	if err != nil {
		return fmt.Errorf("record stop: %w", err)
	}
	stops, err := readStops(path)
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax), errors.As(err, &typeErr):
		// A record cut short or garbled (a full disk, an edit) starts
		// again: kept, it would refuse every stop recorded after it.
		stops = nil
	case err != nil:
		return err
	}
	stops = append(stops, s)
	cut := time.Now().Add(-stopsAge)
	stops = slices.DeleteFunc(stops, func(x IssuedStop) bool { return x.End.Before(cut) })
	stops = stops[max(0, len(stops)-stopsKept):]
	b, err := json.Marshal(stops)
	if err != nil {
		return fmt.Errorf("record stop: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("record stop: %w", err)
	}
	return edit.WriteAtomic(path, b)
}

// IssuedStops are the stops stackui ran for the project in the last day.
func IssuedStops(project string) ([]IssuedStop, error) {
	path, err := edit.ProjectFile("stops", project)
	if err != nil {
		return nil, fmt.Errorf("stops stackui ran: %w", err)
	}
	return readStops(path)
}

func readStops(path string) ([]IssuedStop, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stops stackui ran: %w", err)
	}
	var stops []IssuedStop
	if err := json.Unmarshal(b, &stops); err != nil {
		return nil, fmt.Errorf("stops stackui ran: %s: %w", path, err)
	}
	return stops, nil
}
