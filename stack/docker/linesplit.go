package docker

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/stackui/stackui/stack"
)

// MaxLineBytes caps one log line. Container output is untrusted: a process
// that never writes a newline must not make stackui hold it all. The rest of
// an overlong line, up to its newline, is dropped and the line ends with
// TruncatedSuffix.
const MaxLineBytes = 64 << 10

// TruncatedSuffix marks a line cut at MaxLineBytes.
const TruncatedSuffix = "…[truncated]"

// maxTimestampLen is the longest "RFC 3339 with nanoseconds and offset"
// timestamp plus its space.
const maxTimestampLen = len("2006-01-02T15:04:05.999999999-07:00 ")

// readBufSize is the read buffer over the engine stream; a frame's payload
// is handled in slices of at most this size, straight from the buffer.
// Every followed container has one: 16 KiB, not 64, keeps the merged logs
// of 100 containers 5 MB smaller, and lines still assemble up to
// MaxLineBytes across reads.
const readBufSize = 16 << 10

// idleBufSize is the read buffer a stream keeps. Most followed containers
// say a line now and then: 100 of them, each logging every 5 s, held
// 1.6 MB of 16 KiB buffers that never held more than a line. A read that
// fills half of it (the tail sent on attaching, a long line, lines
// arriving faster than they are handled) borrows a readBufSize buffer
// from a pool, and gives it back once all it holds is handled.
const idleBufSize = 2 << 10

// bigReaders are the readBufSize readers busy mux streams borrow;
// bigBufs the buffers busy TTY streams borrow.
var (
	bigReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufSize) }}
	bigBufs    = sync.Pool{New: func() any { return new([readBufSize]byte) }}
)

// Frame stream IDs of the Engine API's multiplexed (non-TTY) log stream.
const (
	frameStdin     = 0
	frameStdout    = 1
	frameStderr    = 2
	frameSystemErr = 3
)

// lineSplitter turns engine log output into LogLines, one stream's partial
// line kept apart from the other's.
type lineSplitter struct {
	containerID string
	timestamps  bool
	fn          func(stack.LogLine) error
	fnErr       error // what fn returned, told apart from stream errors
	out, err    pending
}

// pending is the unfinished line of one stream.
type pending struct {
	stream    stack.LogStream
	buf       []byte // bytes of the line so far, at most MaxLineBytes
	open      bool   // a line has started and not ended
	truncated bool   // the line passed MaxLineBytes: drop until newline
}

func newLineSplitter(containerID string, timestamps bool, fn func(stack.LogLine) error) *lineSplitter {
	return &lineSplitter{
		containerID: containerID,
		timestamps:  timestamps,
		fn:          fn,
		out:         pending{stream: stack.Stdout},
		err:         pending{stream: stack.Stderr},
	}
}

// write feeds bytes of one stream. The slice is not kept.
func (s *lineSplitter) write(p *pending, b []byte) error {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			s.hold(p, b)
			return nil
		}
		line := b[:i]
		b = b[i+1:]
		if !p.open && len(line) <= s.lineCap() {
			// The common case: a whole line in the buffer, one allocation.
			if err := s.emit(p.stream, line, false); err != nil {
				return err
			}
			continue
		}
		s.hold(p, line)
		err := s.emit(p.stream, p.buf, p.truncated)
		p.buf, p.open, p.truncated = p.buf[:0], false, false
		if err != nil {
			return err
		}
	}
	return nil
}

// hold appends to the unfinished line, up to the cap.
func (s *lineSplitter) hold(p *pending, b []byte) {
	p.open = true
	if p.truncated {
		return
	}
	if room := s.lineCap() - len(p.buf); len(b) > room {
		b = b[:room]
		p.truncated = true
	}
	p.buf = append(p.buf, b...)
}

// lineCap is what a held line may grow to: MaxLineBytes of text plus room
// for the timestamp the engine puts in front.
func (s *lineSplitter) lineCap() int {
	if s.timestamps {
		return MaxLineBytes + maxTimestampLen
	}
	return MaxLineBytes
}

// flush delivers lines cut short by the end of the stream.
func (s *lineSplitter) flush() error {
	for _, p := range []*pending{&s.out, &s.err} {
		if !p.open {
			continue
		}
		err := s.emit(p.stream, p.buf, p.truncated)
		p.buf, p.open, p.truncated = p.buf[:0], false, false
		if err != nil {
			return err
		}
	}
	return nil
}

// flushOnError delivers what arrived before a broken stream (a container's
// last words matter when explaining its death), then reports the break.
func (s *lineSplitter) flushOnError(err error) error {
	if ferr := s.flush(); ferr != nil {
		return ferr
	}
	return err
}

func (s *lineSplitter) emit(stream stack.LogStream, line []byte, truncated bool) error {
	if n := len(line); n > 0 && line[n-1] == '\r' && !truncated {
		line = line[:n-1] // a TTY's CRLF, or a Windows program's
	}
	ll := stack.LogLine{ContainerID: s.containerID, Stream: stream}
	if s.timestamps {
		// Cut before making the string: a string cut after would keep
		// the timestamp's bytes alive in every stored line.
		ll.Time, line = splitTimestamp(line)
	}
	ll.Text = string(line)
	if truncated || len(ll.Text) > MaxLineBytes {
		ll.Text = cutUTF8(ll.Text, MaxLineBytes) + TruncatedSuffix
	}
	if err := s.fn(ll); err != nil {
		s.fnErr = err
		return err
	}
	return nil
}

// cutUTF8 shortens s to at most max bytes without leaving half a UTF-8
// sequence at the end.
func cutUTF8(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				s = s[:i]
			}
			break
		}
	}
	return s
}

// splitTimestamp parses the engine's "2024-05-01T10:00:00.123456789Z "
// prefix. A line without one (it should not happen) is kept whole.
func splitTimestamp(text []byte) (time.Time, []byte) {
	// RFC 3339 with nanoseconds and an offset is at most 35 bytes.
	end := -1
	for i := 0; i < len(text) && i < 40; i++ {
		if text[i] == ' ' {
			end = i
			break
		}
	}
	if end < 0 {
		return time.Time{}, text
	}
	t, err := time.Parse(time.RFC3339Nano, string(text[:end]))
	if err != nil {
		return time.Time{}, text
	}
	return t, text[end+1:]
}

// skipTimestamp drops the timestamp the engine puts before every frame,
// also before the continuation frames of a long line.
func skipTimestamp(b []byte) []byte {
	i := bytes.IndexByte(b[:min(len(b), 40)], ' ')
	if i < 0 {
		return b
	}
	if _, err := time.Parse(time.RFC3339Nano, string(b[:i])); err != nil {
		return b
	}
	return b[i+1:]
}

// copyRaw splits a TTY container's stream: no framing, everything stdout.
func (s *lineSplitter) copyRaw(r io.Reader) error {
	small := make([]byte, idleBufSize)
	var big *[readBufSize]byte
	defer func() {
		if big != nil {
			bigBufs.Put(big)
		}
	}()
	buf := small
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if werr := s.write(&s.out, buf[:n]); werr != nil {
				return werr
			}
		}
		switch {
		case big == nil && n >= idleBufSize/2:
			big = bigBufs.Get().(*[readBufSize]byte)
			buf = big[:]
		case big != nil && n < idleBufSize/2:
			bigBufs.Put(big)
			big, buf = nil, small
		}
		if errors.Is(err, io.EOF) {
			return s.flush()
		}
		if err != nil {
			return s.flushOnError(err)
		}
	}
}

// copyMux splits the multiplexed stream of a non-TTY container: frames of
// an 8-byte header (stream ID, 3 zero bytes, big-endian payload length)
// followed by the payload. Payloads are handled in place in the read
// buffer; only the strings handed to fn are allocated.
func (s *lineSplitter) copyMux(r io.Reader) error {
	// br is small, or big reading through small: big reads what small
	// holds, then reads past it straight into its own buffer.
	small := bufio.NewReaderSize(r, idleBufSize)
	var big *bufio.Reader
	giveBack := func() {
		big.Reset(nil)
		bigReaders.Put(big)
		big = nil
	}
	defer func() {
		if big != nil {
			giveBack()
		}
	}()
	br := small
	var hdr [8]byte
	for {
		if big != nil && big.Buffered() == 0 {
			giveBack()
			br = small
		}
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return s.flush()
			}
			return s.flushOnError(err)
		}
		if big == nil && small.Buffered() >= idleBufSize/2 {
			big = bigReaders.Get().(*bufio.Reader)
			big.Reset(small)
			br = big
		}
		size := int(binary.BigEndian.Uint32(hdr[4:]))
		var p *pending
		switch hdr[0] {
		case frameStdin, frameStdout:
			p = &s.out
		case frameStderr:
			p = &s.err
		case frameSystemErr:
			msg := make([]byte, min(size, 4096))
			_, _ = io.ReadFull(br, msg)
			return fmt.Errorf("engine error in log stream: %s", bytes.TrimSpace(msg))
		default:
			return fmt.Errorf("log stream: bad frame header %x (is the container a TTY?)", hdr)
		}
		first := true
		for size > 0 {
			chunk, err := br.Peek(min(size, br.Size()))
			if len(chunk) > 0 {
				b := chunk
				if first && s.timestamps && p.open {
					b = skipTimestamp(b)
				}
				first = false
				if werr := s.write(p, b); werr != nil {
					return werr
				}
				_, _ = br.Discard(len(chunk))
				size -= len(chunk)
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return s.flushOnError(err)
			}
		}
	}
}
