package stack

import (
	"sort"
	"strings"
)

// ProjectSummary is one compose project the engine has containers of,
// stopped ones included, as its containers' labels describe it.
type ProjectSummary struct {
	Name       string   `json:"name"`
	WorkingDir string   `json:"working_dir"`
	Files      []string `json:"config_files"`
	// States counts its containers by state ("running", "exited", ...).
	States map[string]int `json:"states"`
}

// Projects groups containers by their compose project label, sorted by
// name. Containers without the label are not compose's.
func Projects(cs []ContainerRef) []ProjectSummary {
	by := map[string]*ProjectSummary{}
	for _, c := range cs {
		name := c.Labels[LabelProject]
		if name == "" {
			continue
		}
		s := by[name]
		if s == nil {
			s = &ProjectSummary{Name: name, States: map[string]int{}}
			by[name] = s
		}
		if s.WorkingDir == "" {
			s.WorkingDir = c.Labels[LabelWorkingDir]
		}
		if len(s.Files) == 0 && c.Labels[LabelConfigFiles] != "" {
			s.Files = strings.Split(c.Labels[LabelConfigFiles], ",")
		}
		s.States[c.State]++
	}
	out := make([]ProjectSummary, 0, len(by))
	for _, s := range by {
		s.Files = nonNilStrings(s.Files)
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
