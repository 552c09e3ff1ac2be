package textsafe

import (
	"strings"
	"testing"
)

// A sequence cut in two by Write boundaries (compose output copied in
// chunks) is still recognised and dropped; a plain prompt shows at once.
func TestWriterAcrossWrites(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	for _, p := range []string{"ok \x1b]52;c;", "cHdu\x07 done\nApply? [y/N] "} {
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := b.String(), "ok  done\nApply? [y/N] "; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if NewWriter(w) != w {
		t.Error("a Writer wrapped twice")
	}
}

// Frame keeps a safe frame as it is and cleans only the lines that are not.
func TestFrame(t *testing.T) {
	safeFrame := "\x1b[1mtitle\x1b[m │ x\nplain"
	if Frame(safeFrame) != safeFrame {
		t.Errorf("safe frame changed: %q", Frame(safeFrame))
	}
	got := Frame("a\nb\x1b]8;;http://x/\x1b\\link\u202e\nc")
	if got != "a\nblink<U+202E>\nc" {
		t.Errorf("got %q", got)
	}
}
