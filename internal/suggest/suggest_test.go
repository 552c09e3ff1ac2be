package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"database", "database", 0},
		{"databse", "database", 1},  // a dropped letter
		{"databsae", "database", 1}, // two neighbours swapped
		{"services.stpo", "services.stop", 1},
		{"web", "", 3},
		{"kitten", "sitting", 3},
		{"naïve", "naive", 1}, // runes, not bytes
		{"dtaabase", "database", 1},
		{"redis", "postgres", 7},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (not symmetric)", c.b, c.a, got, c.want)
		}
	}
}
