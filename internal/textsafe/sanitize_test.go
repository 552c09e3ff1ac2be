package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestSanitize(t *testing.T) {
	long := strings.Repeat("x", 5000)
	cases := []struct {
		name, in, want string
		flags          Flags
	}{
		{"plain", "hello world", "hello world", Plain},
		{"empty", "", "", Plain},
		{"sgr kept, reset added", "\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m\x1b[m", SGR},
		{"sgr colons and empty", "\x1b[38:2::255:0:0mx\x1b[m", "\x1b[38:2::255:0:0mx\x1b[m\x1b[m", SGR},
		{"erase and home", "\x1b[2J\x1b[Hhi", "hi", Plain},
		{"cursor moves", "a\x1b[5Ab\x1b[10;20Hc\x1b[Kd", "abcd", Plain},
		{"private mode", "\x1b[?25lx\x1b[?1049h", "x", Plain},
		{"sgr-like with private marker", "\x1b[>4;2mx", "x", Plain},
		{"sgr with intermediate", "\x1b[1 mx", "x", Plain},
		{"osc title bel", "\x1b]0;pwned\x07text", "text", Plain},
		{"osc 52 clipboard st", "\x1b]52;c;aGVsbG8=\x1b\\after", "after", Plain},
		{"osc 8 hyperlink", "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link", Plain},
		{"osc ended by other esc", "\x1b]0;t\x1b[31mred", "\x1b[31mred\x1b[m", SGR},
		{"osc unterminated", "a\x1b]0;title", "a", Plain},
		{"dcs", "\x1bP1$r0m\x1b\\ok", "ok", Plain},
		{"apc kitty image", "\x1b_Gf=100;AAAA\x1b\\img", "img", Plain},
		{"pm and sos", "\x1b^privacy\x1b\\a\x1bXstring\x1b\\b", "ab", Plain},
		{"bare esc at end", "a\x1b", "a", Plain},
		{"esc esc sgr", "\x1b\x1b[32mg", "\x1b[32mg\x1b[m", SGR},
		{"esc c reset", "\x1bcX", "X", Plain},
		{"charset and save cursor", "\x1b(0lqk\x1b7\x1b8", "lqk", Plain},
		{"esc then utf-8", "\x1bé", "é", 0},
		{"c0 controls", "a\x07b\x08c\rd\x00e\x0ef\x1ag", "abcdefg", Plain},
		{"del", "a\x7fb", "ab", Plain},
		{"tab", "a\tb", "a       b", Plain},
		{"tab at stop", "12345678\tx", "12345678        x", Plain},
		{"tabs", "\t\tx", "                x", Plain},
		{"tab after wide rune", "日\tx", "日      x", 0},
		{"tab after sgr", "\x1b[1mab\x1b[m\tx", "\x1b[1mab\x1b[m      x\x1b[m", SGR},
		{"c1 csi utf-8", "a\u009b2Jb", "a" + "b", 0},
		{"c1 osc utf-8", "\u009d0;title\u0007x", "x", 0},
		{"c1 osc ended by c1 st", "\u009d0;t\u009cx", "x", 0},
		{"c1 nel utf-8", "\u0085x", "x", 0},
		{"raw 8-bit csi", "\x9b2J", "\uFFFD2J", 0},
		{"invalid utf-8", "a\xffb\xc3", "a\uFFFDb\uFFFD", 0},
		{"utf-8 kept", "grüße 日本 🙂", "grüße 日本 🙂", 0},
		{"csi unterminated", "a\x1b[12", "a", Plain},
		{"csi cut by control", "a\x1b[1\x07b", "ab", Plain},
		{"sgr too long", "\x1b[" + strings.Repeat("1;", 40) + "mx", "x", Plain},
		{"long plain line cut", long, long[:DefaultMaxCells-1] + Ellipsis, 0},
		{"bidi override shown", "file\u202etxt.exe", "file<U+202E>txt.exe", 0},
		{"bidi isolates shown", "a\u2066b\u2067c\u2068d\u2069", "a<U+2066>b<U+2067>c<U+2068>d<U+2069>", 0},
		{"rtl and lrm marks shown", "x\u200fy\u200ez\u061c", "x<U+200F>y<U+200E>z<U+061C>", 0},
		{"zero-width space and bom shown", "pass\u200bword\ufeff", "pass<U+200B>word<U+FEFF>", 0},
		{"line separator shown", "one\u2028two", "one<U+2028>two", 0},
		{"zwj emoji kept", "\U0001F468\u200d\U0001F4BB", "\U0001F468\u200d\U0001F4BB", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, flags := Sanitize(c.in, 0)
			if got != c.want {
				t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
			if flags != c.flags {
				t.Errorf("flags = %b, want %b", flags, c.flags)
			}
			checkSafe(t, got, DefaultMaxCells)
		})
	}
}

func TestLines(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain\ntwo", "plain\ntwo"},
		{"a\x1b]52;c;QUFB\x07b\r\nc\x1b[2Jd", "ab\ncd"},
		{"\x1b]2;PWNED\x07\x1b[2Jx\ry", "x\ny"},
		{"red \x1b[31mR\x1b[0m\nnext", "red \x1b[31mR\x1b[0m\x1b[m\nnext"},
		{"rtl\u202eexe", "rtl<U+202E>exe"},
	}
	for _, c := range cases {
		if got := Lines(c.in); got != c.want {
			t.Errorf("Lines(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := Line(strings.ReplaceAll(c.in, "\n", " ")); strings.ContainsAny(got, "\n\r\x07") {
			t.Errorf("Line(%q) = %q keeps a control", c.in, got)
		}
	}
}

func TestSanitizeCaps(t *testing.T) {
	wide := strings.Repeat("日", 3000)
	got, _ := Sanitize(wide, 0)
	if w := ansi.StringWidth(got); w > DefaultMaxCells || w < DefaultMaxCells-2 || !strings.HasSuffix(got, Ellipsis) {
		t.Errorf("wide line: width %d, suffix %q", w, got[len(got)-6:])
	}
	colour := "\x1b[31m" + strings.Repeat("r", 100)
	got, f := Sanitize(colour, 10)
	if got != "\x1b[31mrrrrrrrrr…\x1b[m" || f != SGR {
		t.Errorf("coloured line cut = %q (%b), want the colour kept and a reset", got, f)
	}
	// The common case does not allocate.
	line := "2024-05-01 10:00:00 INFO request served in 3ms path=/health status=200"
	if allocs := testing.AllocsPerRun(100, func() { Sanitize(line, 0) }); allocs != 0 {
		t.Errorf("plain line allocates %v times", allocs)
	}
}

// checkSafe is the property the sanitizer promises, checked by scanning the
// output on its own terms: valid UTF-8; any ESC starts ESC [ params m with
// params of digits, ';' and ':' only; no other C0 control, DEL or C1 rune;
// a line with colours ends with a reset; the width is capped.
func checkSafe(t *testing.T, out string, maxCells int) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 in %q", out)
	}
	sawESC := false
	for i := 0; i < len(out); {
		c := out[i]
		if c == 0x1b {
			sawESC = true
			if i+1 >= len(out) || out[i+1] != '[' {
				t.Fatalf("ESC not starting a CSI at %d in %q", i, out)
			}
			j := i + 2
			for j < len(out) && (out[j] >= '0' && out[j] <= '9' || out[j] == ';' || out[j] == ':') {
				j++
			}
			if j >= len(out) || out[j] != 'm' {
				t.Fatalf("escape sequence other than SGR at %d in %q", i, out)
			}
			i = j + 1
			continue
		}
		if c < 0x20 || c == 0x7f {
			t.Fatalf("control byte %#x at %d in %q", c, i, out)
		}
		r, size := utf8.DecodeRuneInString(out[i:])
		if r >= 0x80 && r <= 0x9f {
			t.Fatalf("C1 control %U at %d in %q", r, i, out)
		}
		if invisible(r) {
			t.Fatalf("invisible format character %U at %d in %q", r, i, out)
		}
		i += size
	}
	if sawESC && !strings.HasSuffix(out, "\x1b[m") {
		t.Fatalf("colours without a final reset in %q", out)
	}
	if w := ansi.StringWidth(out); w > maxCells {
		t.Fatalf("width %d over the cap %d in %q", w, maxCells, out)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"plain", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x1b]52;c;AAAA\x1b\\", "\x1bP+q\x1b\\",
		"\x1b[2J\x1b[H", "\x9b31m", "\u009b31m", "\u009dx\u009c", "a\tb\tc", "\xff\xfe", "\x1b", "\x1b[",
		"\x1b[38;5;196m日本\t語", "\x1b_G\x1b\\", "\x1b[?1049h", "\r\n\b\x00",
	} {
		f.Add(s, 0)
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, in string, maxCells int) {
		maxCells = 2 + int(uint(maxCells)%200)
		out, flags := Sanitize(in, maxCells)
		checkSafe(t, out, maxCells)
		if flags&Plain != 0 && !isPlain(out) {
			t.Fatalf("flagged plain but is not: %q", out)
		}
		if flags&SGR == 0 && strings.IndexByte(out, 0x1b) >= 0 {
			t.Fatalf("escapes without the SGR flag: %q", out)
		}
		// Sanitizing is idempotent on what has no colours to reset.
		if flags&SGR == 0 {
			if again, _ := Sanitize(out, maxCells); again != out {
				t.Fatalf("not idempotent: %q -> %q", out, again)
			}
		}
	})
}
