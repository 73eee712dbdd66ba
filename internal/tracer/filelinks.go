package tracer

import (
	"errors"
	"io"
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

// close detaches every uprobe, then closes the programs they ran.
func (f *fileLinks) close(progs io.Closer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	var errs []error
	for id, links := range f.files {
		errs = append(errs, closeLinks(links))
		delete(f.files, id)
	}
	return errors.Join(append(errs, progs.Close())...)
}

func closeLinks(links []link.Link) error {
	var errs []error
	for _, l := range slices.Backward(links) {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}
