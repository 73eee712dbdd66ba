package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"time"
)

// tailLines is how many of the last log lines an error message quotes.
const tailLines = 15

// logWatch passes a process's output through to out and notes when each
// of some phrases first appears in it.
type logWatch struct {
	out     io.Writer
	phrases []string

	mu      sync.Mutex
	seen    []time.Time     // when phrase i first appeared; zero before
	signals []chan struct{} // closed when phrase i appears
	partial []byte          // an unfinished last line
	tail    []string        // the last lines, for error messages
}

func newLogWatch(out io.Writer, phrases ...string) *logWatch {
	w := &logWatch{out: out, phrases: phrases, seen: make([]time.Time, len(phrases))}
	for range phrases {
		w.signals = append(w.signals, make(chan struct{}))
	}
	return w
}

// Write implements io.Writer; it is called from the copying goroutine of
// os/exec.
func (w *logWatch) Write(b []byte) (int, error) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, b...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.line(string(w.partial[:i]), now)
		w.partial = w.partial[i+1:]
	}
	return w.out.Write(b)
}

func (w *logWatch) line(l string, now time.Time) {
	for i, p := range w.phrases {
		if w.seen[i].IsZero() && strings.Contains(l, p) {
			w.seen[i] = now
			close(w.signals[i])
		}
	}
	w.tail = append(w.tail, l)
	if len(w.tail) > tailLines {
		w.tail = w.tail[1:]
	}
}

// appeared returns a channel closed once phrase i has appeared.
func (w *logWatch) appeared(i int) <-chan struct{} { return w.signals[i] }

// seenAt returns when phrase i first appeared, zero if it has not.
func (w *logWatch) seenAt(i int) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen[i]
}

// lastLines returns the most recent output lines.
func (w *logWatch) lastLines() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.tail, "\n")
}
