package textsafe

import (
	"bytes"
	"io"
)

// maxPending bounds a line held back while its end has not been written:
// past it the line is printed (cut at the display cap, as Line cuts it) and
// the rest of it dropped, so output with no line breaks cannot grow memory.
const maxPending = 64 << 10

// Writer is the CLI's boundary: everything its text modes print goes
// through one, so no printer has to remember to clean what it prints. It
// cleans whole lines (a control sequence cannot be cut in two by a Write
// boundary) and passes a plain ASCII tail through at once, so a prompt
// without a line break still shows before stdin is read.
type Writer struct {
	w       io.Writer
	pending []byte
	discard bool // the rest of an over-long line
}

// NewWriter cleans what is written to w. Wrapping a Writer returns it.
func NewWriter(w io.Writer) *Writer {
	if sw, ok := w.(*Writer); ok {
		return sw
	}
	return &Writer{w: w}
}

// Unwrap is the raw stream, for output that is data, not text (JSON).
func (w *Writer) Unwrap() io.Writer { return w.w }

// Write cleans p's complete lines and writes them; it reports len(p) on
// success, since what it writes is shorter or longer than p by design.
func (w *Writer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.hold(p)
			break
		}
		line := p[:i]
		p = p[i+1:]
		if w.discard {
			w.discard = false
			if _, err := io.WriteString(w.w, "\n"); err != nil {
				return 0, err
			}
			continue
		}
		if len(w.pending) > 0 {
			w.pending = append(w.pending, line...)
			line, w.pending = w.pending, w.pending[:0]
		}
		if _, err := io.WriteString(w.w, Lines(string(line))+"\n"); err != nil {
			return 0, err
		}
	}
	if len(w.pending) > 0 && !w.discard && isPlain(string(w.pending)) {
		return n, w.Flush()
	}
	if len(w.pending) > maxPending {
		err := w.Flush()
		w.discard = true
		return n, err
	}
	return n, nil
}

func (w *Writer) hold(p []byte) {
	if !w.discard {
		w.pending = append(w.pending, p...)
	}
}

// Flush writes the line held back, cleaned, without a line break.
func (w *Writer) Flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	s := Lines(string(w.pending))
	w.pending = w.pending[:0]
	_, err := io.WriteString(w.w, s)
	return err
}
