package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"time"
)

// stopTimeout is how long a process may take to exit after SIGTERM before
// it is killed.
const stopTimeout = 10 * time.Second

// process is one program benchrun started.
type process struct {
	name    string
	cmd     *exec.Cmd
	started time.Time
	done    chan struct{} // closed once the process has exited
	waitErr error         // set before done is closed
}

// children are every process benchrun started, stopped together by
// stopAll whatever happens: a normal end, an error, Ctrl-C or the global
// timeout. Each child also gets SIGKILL from the kernel if benchrun itself
// dies (PR_SET_PDEATHSIG).
type children struct {
	mu    sync.Mutex
	procs []*process
}

// start runs argv with its stdout and stderr going to out and env added to
// benchrun's environment.
func (c *children) start(name string, out io.Writer, env []string, argv ...string) (*process, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p, nil
}

// stopAll stops every process still running, the last started first.
func (c *children) stopAll() error {
	c.mu.Lock()
	procs := slices.Clone(c.procs)
	c.procs = nil
	c.mu.Unlock()
	var errs []error
	for _, p := range slices.Backward(procs) {
		errs = append(errs, p.stop())
	}
	return errors.Join(errs...)
}

// pid is the process's id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to stopTimeout, then kills. Stopping a
// process that has exited returns nil; an exit status after SIGTERM is not
// an error.
func (p *process) stop() error {
	if p.exited() {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !p.exited() {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
	}
	if err := p.cmd.Process.Kill(); err != nil && !p.exited() {
		return fmt.Errorf("kill %s: %w", p.name, err)
	}
	<-p.done
	return fmt.Errorf("stop %s: killed after %s without exiting", p.name, stopTimeout)
}
