package themes

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// renderAll renders a sample with every style in s, by field name, so tests
// cover styles added later without being edited.
func renderAll(t *testing.T, s Styles) map[string]string {
	t.Helper()
	out := map[string]string{}
	v := reflect.ValueOf(s)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		switch f := v.Field(i).Interface().(type) {
		case lipgloss.Style:
			out[name] = f.Render("sample")
		case []lipgloss.Style:
			if len(f) == 0 {
				t.Errorf("%s is empty; panes index it modulo its length", name)
			}
			for j, st := range f {
				out[name+"["+strconv.Itoa(j)+"]"] = st.Render("sample")
			}
		default:
			t.Fatalf("Styles.%s has type %T, which this test does not know how to render", name, f)
		}
	}
	return out
}

// hasColour reports whether s sets a foreground or background colour
// (SGR 30-37, 38;..., 40-47, 48;..., 90-97, 100-107).
func hasColour(s string) bool {
	for _, params := range sgrParams(s) {
		for _, p := range strings.Split(params, ";") {
			n, err := strconv.Atoi(p)
			if err != nil {
				continue
			}
			if (n >= 30 && n <= 49) || (n >= 90 && n <= 107) {
				return true
			}
		}
	}
	return false
}

// sgrParams returns the parameters of every SGR sequence (ESC [ ... m) in s.
func sgrParams(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.IndexByte(s, 'm')
		if j < 0 {
			return out
		}
		out = append(out, s[:j])
		s = s[j+1:]
	}
}

func TestBuiltinsLoadAndBuild(t *testing.T) {
	names := Builtins()
	for _, want := range []string{"default", "high-contrast"} {
		if !slices.Contains(names, want) {
			t.Errorf("Builtins() = %v, missing %q", names, want)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p, err := Load(name, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries(&p) {
				if e.c.Dark == "" || e.c.Light == "" {
					t.Errorf("%s: colour %s incomplete: %+v", name, e.name, *e.c)
				}
			}
			dark, light := BuildBoth(p, false)
			for field, r := range renderAll(t, dark) {
				if field == "Selected" || field == "Match" {
					continue // reverse video, no colour by design
				}
				if !hasColour(r) {
					t.Errorf("%s dark: %s renders no colour: %q", name, field, r)
				}
			}
			if reflect.DeepEqual(renderAll(t, dark), renderAll(t, light)) {
				t.Errorf("%s: dark and light styles render the same; the theme does not adapt", name)
			}
		})
	}
}

func TestDefaultMatchesLoad(t *testing.T) {
	p, err := Load("", "")
	if err != nil {
		t.Fatal(err)
	}
	if p != Default() {
		t.Errorf(`Load("") = %+v, Default() = %+v`, p, Default())
	}
	if p.Accent.Dark != "#7aa2f7" {
		t.Errorf("default accent dark = %q, want #7aa2f7", p.Accent.Dark)
	}
}

func TestNoColor(t *testing.T) {
	for _, name := range Builtins() {
		p, err := Load(name, "")
		if err != nil {
			t.Fatal(err)
		}
		dark, light := BuildBoth(p, true)
		for field, r := range renderAll(t, dark) {
			if hasColour(r) || strings.Contains(r, "38;") || strings.Contains(r, "48;") {
				t.Errorf("%s NO_COLOR: %s renders colour: %q", name, field, r)
			}
		}
		if !reflect.DeepEqual(renderAll(t, dark), renderAll(t, light)) {
			t.Errorf("%s NO_COLOR: dark and light differ; without colour the background cannot matter", name)
		}
		// The distinctions colour made must survive as attributes.
		attrs := func(s lipgloss.Style) string { return strings.Join(sgrParams(s.Render("x")), ";") }
		for _, c := range []struct {
			field string
			style lipgloss.Style
			sgr   string // one SGR parameter it must set
		}{
			{"Selected", dark.Selected, "7"},
			{"Match", dark.Match, "7"},
			{"MatchCurrent", dark.MatchCurrent, "4"},
			{"Mark", dark.Mark, "4"},
			{"Mark", dark.Mark, "1"},
			{"Bad", dark.Bad, "1"},
			{"Warn", dark.Warn, "4"},
			{"Dim", dark.Dim, "2"},
			{"HeaderOff", dark.HeaderOff, "2"},
			{"HeaderOn", dark.HeaderOn, "1"},
			{"Badge", dark.Badge, "7"},
		} {
			if !slices.Contains(strings.Split(attrs(c.style), ";"), c.sgr) {
				t.Errorf("%s NO_COLOR: %s sets SGR %q, want it to include %s", name, c.field, attrs(c.style), c.sgr)
			}
		}
		if r := dark.Mark.Render("x"); r == dark.Match.Render("x") || r == dark.MatchCurrent.Render("x") || r == dark.Warn.Render("x") {
			t.Errorf("%s NO_COLOR: evidence marks look like search matches or warnings", name)
		}
		if dark.Border.Render("x") == dark.BorderFocus.Render("x") {
			t.Errorf("%s NO_COLOR: the focused frame looks like the others", name)
		}
		if w, fw := lipgloss.Width(dark.Border.Render("x")), lipgloss.Width(dark.BorderFocus.Render("x")); w != fw {
			t.Errorf("%s NO_COLOR: focused frame is %d wide, others %d; focus would move the layout", name, fw, w)
		}
	}
}

// TestHighContrast holds the high-contrast theme to its promise: WCAG AAA
// (7:1) for every colour against black (dark variant) and white (light), and
// AA (4.5:1) for dim text.
func TestHighContrast(t *testing.T) {
	p, err := Load("high-contrast", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries(&p) {
		want := 7.0
		if e.name == "dim" {
			want = 4.5
		}
		if r := contrast(t, e.c.Dark, "#000000"); r < want {
			t.Errorf("%s dark %s on black: contrast %.2f, want >= %.1f", e.name, e.c.Dark, r, want)
		}
		if r := contrast(t, e.c.Light, "#ffffff"); r < want {
			t.Errorf("%s light %s on white: contrast %.2f, want >= %.1f", e.name, e.c.Light, r, want)
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two "#rrggbb" colours.
func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 {
		t.Fatalf("contrast test needs #rrggbb, got %q", hex)
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("bad colour %q: %v", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func BenchmarkBuildBoth(b *testing.B) {
	p := Default()
	for b.Loop() {
		BuildBoth(p, false)
	}
}

func BenchmarkLoadBuiltin(b *testing.B) {
	for b.Loop() {
		if _, err := Load("high-contrast", ""); err != nil {
			b.Fatal(err)
		}
	}
}
