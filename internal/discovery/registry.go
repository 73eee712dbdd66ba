package discovery

import (
	"errors"
	"io/fs"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// Registry caches the description of each process calls are attributed to,
// keyed by PID, so that attributing a call costs a read-locked map lookup.
// It is safe for concurrent use. The engine keeps it in step with the
// kernel: Refresh on exec, Remove on exit, and Prune now and then to repair
// what lost exit events left behind. The Processes it hands out are shared
// and must not be modified; a refresh replaces an entry rather than changing
// it, so calls already holding the old one keep a consistent value.
type Registry struct {
	procRoot  string
	readPorts bool

	mu    sync.RWMutex
	procs map[uint32]*call.Process
}

// NewRegistry returns an empty registry reading the procfs at procRoot;
// readPorts says whether processes' listening ports are read too (costlier:
// a walk of their descriptors), which rules on open ports need.
func NewRegistry(procRoot string, readPorts bool) *Registry {
	return &Registry{procRoot: procRoot, readPorts: readPorts, procs: make(map[uint32]*call.Process)}
}

// AddListenPort records that process pid started listening on port and
// returns its updated description; false when pid is not cached.
func (r *Registry) AddListenPort(pid uint32, port uint16) (*call.Process, bool) {
	return r.update(pid, func(p *call.Process) {
		if !slices.Contains(p.ListenPorts, port) {
			p.ListenPorts = append(slices.Clone(p.ListenPorts), port)
			slices.Sort(p.ListenPorts)
		}
	})
}

// Name gives process pid the service name and namespace of the rule that
// selected it, where the process does not name itself, and returns its
// updated description.
func (r *Registry) Name(pid uint32, service, namespace string) (*call.Process, bool) {
	return r.update(pid, func(p *call.Process) {
		if service != "" && !p.ServiceNameDeclared {
			p.ServiceName = service
		}
		if namespace != "" && p.ResourceAttributes[attrServiceNamespace] == "" {
			p.ServiceNamespace = namespace
		}
	})
}

// update replaces pid's entry with a changed copy, leaving the shared one
// untouched for the calls that hold it.
func (r *Registry) update(pid uint32, change func(*call.Process)) (*call.Process, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.procs[pid]
	if old == nil {
		return nil, false
	}
	p := *old
	change(&p)
	r.procs[pid] = &p
	return &p, true
}

// Lookup returns process pid: the cached value, or else it is read from
// procfs once and cached. A cached lookup does not allocate.
func (r *Registry) Lookup(pid uint32) (*call.Process, error) {
	r.mu.RLock()
	p := r.procs[pid]
	r.mu.RUnlock()
	if p != nil {
		return p, nil
	}
	return r.load(pid, false)
}

// Refresh re-reads process pid and replaces its entry. Call it when pid
// execs, which keeps the PID and start time but changes the executable, the
// command line and the environment. When nothing needs the new description
// right away (no rules to evaluate), Remove is cheaper: the next Lookup reads
// it, and processes that never make a call are never read.
func (r *Registry) Refresh(pid uint32) (*call.Process, error) {
	return r.load(pid, true)
}

// Remove forgets pid; call it when the process exits.
func (r *Registry) Remove(pid uint32) {
	r.mu.Lock()
	delete(r.procs, pid)
	r.mu.Unlock()
}

// Len returns the number of cached processes.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.procs)
}

// Prune drops the entries of processes that have exited and of PIDs that now
// belong to another process, recognised by a different start time: both
// happen when exit events are lost. It reads only /proc/<pid>/stat for each
// cached PID, outside the lock, and returns how many entries it dropped.
func (r *Registry) Prune() int {
	r.mu.RLock()
	starts := make(map[uint32]uint64, len(r.procs))
	for pid, p := range r.procs {
		starts[pid] = p.StartTime
	}
	r.mu.RUnlock()
	dropped := 0
	for pid, start := range starts {
		if r.stale(pid, start) && r.RemoveIf(pid, start) {
			dropped++
		}
	}
	return dropped
}

// load reads pid and caches it; unless replace is set, an entry another
// goroutine stored meanwhile wins, so a Lookup racing a Refresh cannot
// overwrite the newer description.
func (r *Registry) load(pid uint32, replace bool) (*call.Process, error) {
	p, err := ReadProcess(r.procRoot, pid)
	if err == nil && r.readPorts {
		p.ListenPorts, err = readListenPorts(procDir(r.procRoot, pid))
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.Remove(pid)
		}
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.procs[pid]; old != nil && !replace {
		return old, nil
	}
	r.procs[pid] = p
	return p, nil
}

// stale reports whether the process cached for pid with the given start time
// is gone. Errors other than absence leave the entry alone.
func (r *Registry) stale(pid uint32, start uint64) bool {
	st, err := readStat(procDir(r.procRoot, pid))
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	return st.startTime != start
}

// RemoveIf removes pid's entry if it still describes the process that
// started at start, not one a later exec of a reused PID stored.
func (r *Registry) RemoveIf(pid uint32, start uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.procs[pid]; p != nil && p.StartTime == start {
		delete(r.procs, pid)
		return true
	}
	return false
}

// Cached returns pid's entry without reading procfs.
func (r *Registry) Cached(pid uint32) (*call.Process, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.procs[pid]
	return p, ok
}

// Inherit describes a child that parent forked without exec as its parent,
// when the parent is cached; start is the child's start in nanoseconds since
// boot. An entry left by an exited process whose PID the child reuses is
// replaced. It reports whether it described the child.
func (r *Registry) Inherit(child, parent uint32, start uint64) bool {
	ticks := start / (uint64(time.Second) / clockTicks)
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.procs[parent]
	if old := r.procs[child]; p == nil || old != nil && old.StartTime == ticks {
		return false
	}
	c := *p
	c.PID, c.ParentPID, c.StartTime = child, parent, ticks
	c.ListenPorts = slices.Clone(p.ListenPorts)
	r.procs[child] = &c
	return true
}

// Put caches p, replacing what pid had: a description made at exec
// supersedes the one the process had before.
func (r *Registry) Put(p *call.Process) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.procs[p.PID] = p
}

// PIDs returns the PIDs with a cached description.
func (r *Registry) PIDs() []uint32 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Collect(maps.Keys(r.procs))
}
