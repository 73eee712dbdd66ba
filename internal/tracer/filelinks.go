package tracer

import (
	"errors"
	"slices"
	"sync"

	"github.com/cilium/ebpf/link"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
)

// fileLinks are the uprobes of a program set, attached once per file (a
// library or an executable) for every process that maps it: the kernel then
// places the breakpoints in processes that map the file later too, so a
// short-lived process is covered from its first call. Links stay until
// close: attaching again for each new process of a file would cost more and
// miss its first calls. Safe for concurrent use.
type fileLinks struct {
	mu     sync.Mutex
	files  map[discovery.FileID][]link.Link
	closed bool
}

func newFileLinks() fileLinks {
	return fileLinks{files: make(map[discovery.FileID][]link.Link)}
}

// attach runs place for file unless its uprobes are in place already, and
// keeps what it attached; it returns how many uprobes it attached.
func (f *fileLinks) attach(file discovery.FileID, place func() ([]link.Link, error)) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, errors.New("attach uprobes: tracer closed")
	}
	if _, done := f.files[file]; done {
		return 0, nil
	}
	links, err := place()
	if err != nil {
		return 0, err
	}
	f.files[file] = links
	return len(links), nil
}

// take ends attaching and hands over every link, for the caller to close
// (see closeLinks) before the programs they run.
func (f *fileLinks) take() []link.Link {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	var all []link.Link
	for id, links := range f.files {
		all = append(all, links...)
		delete(f.files, id)
	}
	return all
}

// closers bounds the links closed at once.
const closers = 64

// closeLinks closes links, up to closers at once, and returns when all are
// closed. The kernel waits for an RCU grace period in the release of each
// perf-event link (tracepoints, uprobes), which takes tens of milliseconds
// here and much longer while uprobes fire: closed one after the other, the
// links of a collector took seconds, and once minutes. Closed together,
// their waits share grace periods.
func closeLinks(links []link.Link) error {
	errs := make([]error, len(links))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(closers, len(links)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = links[i].Close()
			}
		})
	}
	for i := range slices.Backward(links) {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}
