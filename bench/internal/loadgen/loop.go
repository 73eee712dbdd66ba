package loadgen

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// stallTimeout ends a run whose server stopped answering.
const stallTimeout = 5 * time.Second

// maxWait caps one epoll wait so the loop checks ctx and stalls regularly.
const maxWait = 50 * time.Millisecond

// overrun is how much longer than asked a run may send, as a fraction of
// its duration: a server that cannot keep the pace ends the run with
// requests unsent instead of stretching it without bound.
const overrun = 0.25

// loop is the state of one run's event loop; times are ns since start.
type loop struct {
	start  time.Time
	period float64 // ns between two scheduled sends
	total  int64   // requests to send; cut to next when the run overruns
	next   int64   // index of the next request to send
	stopAt int64   // no request is sent after this
	conns  []*conn
	idle   []*conn
	epfd   int
	res    Result
	last   int64 // when the last response completed
}

// runLoop sends and receives until every scheduled request is answered,
// ctx ends or the server stalls.
func runLoop(ctx context.Context, conns []*conn, opts Options) (Result, error) {
	l := &loop{
		start:  time.Now().Add(time.Millisecond),
		period: 1e9 / opts.Rate,
		total:  int64(opts.Rate * opts.Duration.Seconds()),
		stopAt: int64(float64(opts.Duration) * (1 + overrun)),
		conns:  conns,
		idle:   append([]*conn(nil), conns...),
		res:    Result{Latency: newHistogram(), Service: newHistogram()},
	}
	if err := l.register(); err != nil {
		return Result{}, err
	}
	defer unix.Close(l.epfd)
	planned := l.total
	err := l.run(ctx)
	l.res.Elapsed = time.Duration(l.last)
	l.res.Unsent = planned - l.next
	return l.res, err
}

func (l *loop) register() error {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("create epoll: %w", err)
	}
	l.epfd = epfd
	for i, c := range l.conns {
		// Fd carries the connection's index for the loop, not its descriptor.
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}
		if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
			unix.Close(epfd)
			return fmt.Errorf("add socket to epoll: %w", err)
		}
	}
	return nil
}

func (l *loop) run(ctx context.Context) error {
	events := make([]unix.EpollEvent, len(l.conns))
	for ctx.Err() == nil {
		now := l.now()
		if err := l.dispatch(now); err != nil {
			return err
		}
		if l.next >= l.total && len(l.idle) == len(l.conns) {
			return nil
		}
		if err := l.stalled(now); err != nil {
			return err
		}
		n, err := epollWait(l.epfd, events, l.wait(now))
		if err != nil {
			return err
		}
		for _, ev := range events[:n] {
			l.complete(l.conns[ev.Fd])
		}
	}
	return nil
}

func (l *loop) now() int64 { return int64(time.Since(l.start)) }

func (l *loop) due(i int64) int64 { return int64(float64(i) * l.period) }

// dispatch sends every request that is due on an idle connection; requests
// due while every connection is busy wait, and that wait is in their
// latency.
func (l *loop) dispatch(now int64) error {
	if now > l.stopAt {
		l.total = l.next // the rest stays unsent
	}
	for l.next < l.total && len(l.idle) > 0 {
		due := l.due(l.next)
		if due > now {
			return nil
		}
		if now-due > int64(lateAfter) {
			l.res.Late++
		}
		c := l.idle[len(l.idle)-1]
		l.idle = l.idle[:len(l.idle)-1]
		if err := c.send(due, now); err != nil {
			return err
		}
		l.next++
	}
	return nil
}

// wait is how long epoll may sleep: until the next send is due, or a while
// when only responses can wake the loop.
func (l *loop) wait(now int64) time.Duration {
	if l.next >= l.total || len(l.idle) == 0 {
		return maxWait
	}
	return min(time.Duration(l.due(l.next)-now), maxWait)
}

// complete reads from c and records its response when it is whole.
func (l *loop) complete(c *conn) {
	status, complete, err := c.receive()
	if err == nil && !complete {
		return
	}
	now := l.now()
	l.last = now
	l.idle = append(l.idle, c)
	if err != nil || status < 200 || status > 299 {
		l.res.Errors++
		return
	}
	l.res.Requests++
	_ = l.res.Latency.RecordValue(now - c.due)
	_ = l.res.Service.RecordValue(now - c.sent)
}

// stalled fails the run when a request has waited for its response too long.
func (l *loop) stalled(now int64) error {
	for _, c := range l.conns {
		if c.busy && now-c.sent > int64(stallTimeout) {
			return fmt.Errorf("run load: no response within %s", stallTimeout)
		}
	}
	return nil
}

// epollWait waits up to d with nanosecond resolution (epoll_pwait2, Linux
// 5.11+), retrying when a signal interrupts it.
func epollWait(epfd int, events []unix.EpollEvent, d time.Duration) (int, error) {
	ts := unix.NsecToTimespec(int64(max(d, 0)))
	for {
		n, _, errno := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(epfd),
			uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)),
			uintptr(unsafe.Pointer(&ts)), 0, 0)
		if errno == 0 {
			return int(n), nil
		}
		if !errors.Is(errno, unix.EINTR) {
			return 0, fmt.Errorf("epoll_pwait2: %w", errno)
		}
	}
}
