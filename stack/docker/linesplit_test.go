package docker

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

// frame builds one multiplexed frame as the engine writes it.
func frame(stream byte, payload string) []byte {
	b := make([]byte, 8, 8+len(payload))
	b[0] = stream
	binary.BigEndian.PutUint32(b[4:], uint32(len(payload)))
	return append(b, payload...)
}

func frames(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

type got struct {
	stream stack.LogStream
	text   string
	time   time.Time
}

func collect(t *testing.T, tty, timestamps bool, in io.Reader) ([]got, error) {
	t.Helper()
	var out []got
	sp := newLineSplitter("c1", timestamps, func(l stack.LogLine) error {
		if l.ContainerID != "c1" {
			t.Errorf("ContainerID = %q", l.ContainerID)
		}
		out = append(out, got{l.Stream, l.Text, l.Time})
		return nil
	})
	var err error
	if tty {
		err = sp.copyRaw(in)
	} else {
		err = sp.copyMux(in)
	}
	return out, err
}

// oneByte reads one byte at a time, the worst case for a splitter's state.
type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestLineSplitter(t *testing.T) {
	long := strings.Repeat("x", MaxLineBytes+5000)
	ts := "2024-05-01T10:00:00.123456789Z"
	ts2 := "2024-05-01T10:00:00.223456789Z"
	wantTime, _ := time.Parse(time.RFC3339Nano, ts)
	tests := []struct {
		name       string
		tty        bool
		timestamps bool
		in         []byte
		want       []got
		wantErr    string
	}{
		{
			name: "mux: stdout and stderr apart",
			in:   frames(frame(1, "out one\n"), frame(2, "err one\n"), frame(1, "out two\n")),
			want: []got{{stack.Stdout, "out one", time.Time{}}, {stack.Stderr, "err one", time.Time{}}, {stack.Stdout, "out two", time.Time{}}},
		},
		{
			name: "mux: several lines in a frame, empty line kept",
			in:   frame(1, "a\n\nb\n"),
			want: []got{{stack.Stdout, "a", time.Time{}}, {stack.Stdout, "", time.Time{}}, {stack.Stdout, "b", time.Time{}}},
		},
		{
			name: "mux: a line split over frames, interleaved with the other stream",
			in:   frames(frame(1, "hel"), frame(2, "oops\n"), frame(1, "lo\n")),
			want: []got{{stack.Stderr, "oops", time.Time{}}, {stack.Stdout, "hello", time.Time{}}},
		},
		{
			name: "mux: partial last lines still delivered",
			in:   frames(frame(1, "done\nno newline"), frame(2, "err tail")),
			want: []got{{stack.Stdout, "done", time.Time{}}, {stack.Stdout, "no newline", time.Time{}}, {stack.Stderr, "err tail", time.Time{}}},
		},
		{
			name: "mux: CRLF loses its CR",
			in:   frame(1, "dos\r\n"),
			want: []got{{stack.Stdout, "dos", time.Time{}}},
		},
		{
			name: "mux: overlong line cut at the cap, rest dropped, next line intact",
			in:   frames(frame(1, long[:40000]), frame(1, long[40000:]+"\nnext\n")),
			want: []got{{stack.Stdout, long[:MaxLineBytes] + TruncatedSuffix, time.Time{}}, {stack.Stdout, "next", time.Time{}}},
		},
		{
			name: "mux: overlong partial last line",
			in:   frame(1, long),
			want: []got{{stack.Stdout, long[:MaxLineBytes] + TruncatedSuffix, time.Time{}}},
		},
		{
			name: "mux: cut does not split a UTF-8 character",
			in:   frame(1, strings.Repeat("a", MaxLineBytes-1)+"é and more\n"),
			want: []got{{stack.Stdout, strings.Repeat("a", MaxLineBytes-1) + TruncatedSuffix, time.Time{}}},
		},
		{
			name:       "mux: timestamps parsed and stripped, also from continuation frames",
			timestamps: true,
			in:         frames(frame(1, ts+" first\n"), frame(2, ts+" long "), frame(2, ts2+" line\n")),
			want:       []got{{stack.Stdout, "first", wantTime}, {stack.Stderr, "long line", wantTime}},
		},
		{
			name:       "mux: the cap counts text, not the timestamp",
			timestamps: true,
			in:         frames(frame(1, ts+" "+long[:20000]), frame(1, ts2+" "+long[20000:]+"\n")),
			want:       []got{{stack.Stdout, long[:MaxLineBytes] + TruncatedSuffix, wantTime}},
		},
		{
			name:    "mux: truncated frame is an unexpected EOF",
			in:      frame(1, "abcdef")[:10],
			want:    []got{{stack.Stdout, "ab", time.Time{}}},
			wantErr: io.ErrUnexpectedEOF.Error(),
		},
		{
			name:    "mux: system error frame",
			in:      frames(frame(1, "ok\n"), frame(3, "log driver failed\n")),
			want:    []got{{stack.Stdout, "ok", time.Time{}}},
			wantErr: "engine error in log stream: log driver failed",
		},
		{
			name:    "mux: garbage header (a TTY stream read as framed)",
			in:      []byte("hello world, this is raw output\n"),
			wantErr: "bad frame header",
		},
		{
			name: "tty: raw stream, all stdout, CRLF",
			tty:  true,
			in:   []byte("one\r\ntwo\r\nthree"),
			want: []got{{stack.Stdout, "one", time.Time{}}, {stack.Stdout, "two", time.Time{}}, {stack.Stdout, "three", time.Time{}}},
		},
		{
			name: "tty: overlong line",
			tty:  true,
			in:   []byte(long + "\nafter\n"),
			want: []got{{stack.Stdout, long[:MaxLineBytes] + TruncatedSuffix, time.Time{}}, {stack.Stdout, "after", time.Time{}}},
		},
		{
			name:       "tty: timestamps",
			tty:        true,
			timestamps: true,
			in:         []byte(ts + " hi\n"),
			want:       []got{{stack.Stdout, "hi", wantTime}},
		},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			name := tt.name
			if slow {
				name += " (one byte at a time)"
			}
			t.Run(name, func(t *testing.T) {
				var r io.Reader = bytes.NewReader(tt.in)
				if slow {
					r = oneByte{r}
				}
				out, err := collect(t, tt.tty, tt.timestamps, r)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want %q", err, tt.wantErr)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				if len(out) != len(tt.want) {
					t.Fatalf("got %d lines, want %d: %.300v", len(out), len(tt.want), out)
				}
				for i := range out {
					if out[i].stream != tt.want[i].stream || out[i].text != tt.want[i].text || !out[i].time.Equal(tt.want[i].time) {
						t.Errorf("line %d = %v %.80q %v, want %v %.80q %v", i, out[i].stream, out[i].text, out[i].time, tt.want[i].stream, tt.want[i].text, tt.want[i].time)
					}
				}
			})
		}
	}
}

func TestLineSplitterStopsOnCallbackError(t *testing.T) {
	stop := errors.New("enough")
	n := 0
	sp := newLineSplitter("c1", false, func(stack.LogLine) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	err := sp.copyMux(bytes.NewReader(frames(frame(1, "a\nb\nc\n"), frame(1, "d\n"))))
	if !errors.Is(err, stop) || n != 2 || sp.fnErr != stop {
		t.Fatalf("err = %v after %d lines, want the callback's error after 2", err, n)
	}
}

// TestLineSplitterMemoryBounded feeds a 20 MiB line with no newline and
// checks that the held line never grows past the cap.
func TestLineSplitterMemoryBounded(t *testing.T) {
	var lines []string
	sp := newLineSplitter("c1", false, func(l stack.LogLine) error { lines = append(lines, l.Text); return nil })
	chunk := bytes.Repeat([]byte("y"), 1<<20)
	for i := 0; i < 20; i++ {
		if err := sp.write(&sp.out, chunk); err != nil {
			t.Fatal(err)
		}
		if cap(sp.out.buf) > 2*MaxLineBytes {
			t.Fatalf("held line grew to %d bytes of capacity", cap(sp.out.buf))
		}
	}
	if err := sp.flush(); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || len(lines[0]) != MaxLineBytes+len(TruncatedSuffix) {
		t.Fatalf("got %d lines, first %d bytes", len(lines), len(lines[0]))
	}
}

// muxRecording is a multiplexed log stream like one from a container that
// logs 120-byte lines to stdout with an occasional stderr line, one line
// per frame as the json-file driver sends them.
func muxRecording(lines int) []byte {
	var b bytes.Buffer
	text := strings.Repeat("0123456789", 11) + "abcdefghi\n"
	for i := 0; i < lines; i++ {
		stream := byte(1)
		if i%10 == 9 {
			stream = 2
		}
		b.Write(frame(stream, text))
	}
	return b.Bytes()
}

func BenchmarkDemuxSplit(b *testing.B) {
	const lines = 100_000
	rec := muxRecording(lines)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	var n int
	sp := newLineSplitter("c1", false, func(l stack.LogLine) error { n += len(l.Text); return nil })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sp.copyMux(bytes.NewReader(rec)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkDemuxSplitTimestamps(b *testing.B) {
	const lines = 100_000
	var buf bytes.Buffer
	for i := 0; i < lines; i++ {
		buf.Write(frame(1, "2024-05-01T10:00:00.123456789Z "+strings.Repeat("x", 89)+"\n"))
	}
	rec := buf.Bytes()
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	sp := newLineSplitter("c1", true, func(stack.LogLine) error { return nil })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sp.copyMux(bytes.NewReader(rec)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// chunked reads at most n bytes at a time, so that fuzzing also varies
// where reads split frames and lines.
type chunked struct {
	r io.Reader
	n int
}

func (c chunked) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// FuzzLineSplitter feeds random streams to both splitters: no panic, no
// line over the cap, no stream but stdout and stderr. A non-zero long
// starts the stream with a line just short of the cap (not part of the
// fuzzed bytes, which keeps inputs small and minimizing fast), so that the
// fuzzed bytes decide how it crosses the cap.
func FuzzLineSplitter(f *testing.F) {
	ts := "2024-05-01T10:00:00.123456789Z "
	f.Add(frames(frame(1, "out\n"), frame(2, "err\n"), frame(1, "partial")), false, false, uint16(0), uint8(0))
	f.Add(frames(frame(1, ts+"a "), frame(2, ts+"b\n"), frame(1, ts+"c\r\n")), false, true, uint16(3), uint8(0))
	f.Add(frames(frame(1, strings.Repeat("y", 300)+"\nx\n"), frame(3, "boom")), false, false, uint16(7), uint8(1))
	f.Add(frames(frame(1, ts+strings.Repeat("é", 150)), frame(2, "e\n"), frame(1, ts+"\n")), false, true, uint16(1), uint8(200))
	f.Add(frames(frame(0, "stdin?\n"), frame(2, strings.Repeat("é", 200)+"\n")), false, false, uint16(1), uint8(0))
	f.Add([]byte("raw tty line\r\nsecond\n"+strings.Repeat("z", 300)), true, false, uint16(100), uint8(150))
	f.Add([]byte(ts+"tty with time\n"+ts+"no newline"), true, true, uint16(0), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, tty, timestamps bool, chunk uint16, long uint8) {
		sp := newLineSplitter("c1", timestamps, func(l stack.LogLine) error {
			if len(l.Text) > MaxLineBytes+len(TruncatedSuffix) {
				t.Fatalf("line of %d bytes, cap is %d plus the suffix", len(l.Text), MaxLineBytes)
			}
			if l.Stream != stack.Stdout && (tty || l.Stream != stack.Stderr) {
				t.Fatalf("stream %v (tty %v)", l.Stream, tty)
			}
			if l.ContainerID != "c1" {
				t.Fatalf("ContainerID %q", l.ContainerID)
			}
			return nil
		})
		var prefix []byte
		if long > 0 {
			line := strings.Repeat("x", MaxLineBytes-200+int(long))
			if timestamps {
				line = ts + line
			}
			prefix = []byte(line)
			if !tty {
				prefix = frame(1, line)
			}
		}
		r := io.MultiReader(bytes.NewReader(prefix), chunked{bytes.NewReader(data), int(chunk) + 1})
		if tty {
			_ = sp.copyRaw(r) // errors are fine; panics and oversized lines are not
		} else {
			_ = sp.copyMux(r)
		}
	})
}

// chunky hands out its bytes in reads of the sizes given in turn: bursts
// and quiet spells, so a stream borrows a large buffer, gives it back and
// borrows one again.
type chunky struct {
	b     []byte
	sizes []int
	i     int
}

func (c *chunky) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.b), c.sizes[c.i%len(c.sizes)])
	c.i++
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

// Lines come out the same whether the stream arrives at once or in bursts
// and trickles that move it between the small and the large buffer, also
// with lines longer than either.
func TestLineSplitterBurstsAndTrickles(t *testing.T) {
	var parts [][]byte
	var raw bytes.Buffer
	for i := range 3000 {
		text := fmt.Sprintf("line %d %s\n", i, strings.Repeat("z", i%97))
		if i%500 == 7 {
			text = strings.Repeat("long", 6000) + "\n"
		}
		parts = append(parts, frame(byte(1+i%2), text))
		raw.WriteString(text)
	}
	mux := frames(parts...)
	sizes := []int{40000, 60, 3, 1500, 9, 70000, 100, 1024, 1023, 2048, 17}
	for _, tty := range []bool{false, true} {
		in := mux
		if tty {
			in = raw.Bytes()
		}
		want, err := collect(t, tty, false, bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		gotLines, err := collect(t, tty, false, &chunky{b: in, sizes: sizes})
		if err != nil {
			t.Fatal(err)
		}
		if len(gotLines) != len(want) || len(want) != 3000 {
			t.Fatalf("tty %v: %d lines in bursts, %d at once, want 3000", tty, len(gotLines), len(want))
		}
		for i := range want {
			if gotLines[i] != want[i] {
				t.Fatalf("tty %v: line %d = %v %.40q, want %v %.40q", tty, i, gotLines[i].stream, gotLines[i].text, want[i].stream, want[i].text)
			}
		}
	}
}
