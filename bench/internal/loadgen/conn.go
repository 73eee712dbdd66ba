package loadgen

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// conn is one keep-alive HTTP/1.1 connection on a non-blocking socket,
// driven by the event loop. At most one request is in flight on it.
type conn struct {
	fd   int // -1 once closed
	req  []byte
	buf  []byte
	have int // response bytes read so far

	busy      bool
	due, sent int64 // of the request in flight, ns since the run's start
}

// dial opens a TCP connection to addr with Nagle's algorithm off, then
// makes it non-blocking.
func dial(addr netip.AddrPort, req []byte) (*conn, error) {
	if !addr.Addr().Is4() {
		return nil, fmt.Errorf("dial %s: only IPv4 addresses are supported", addr)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("create socket: %w", err)
	}
	c := &conn{fd: fd, req: req, buf: make([]byte, 16<<10)}
	sa := &unix.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}
	if err = unix.Connect(fd, sa); err != nil {
		c.close()
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	if err = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		c.close()
		return nil, fmt.Errorf("set TCP_NODELAY: %w", err)
	}
	if err = unix.SetNonblock(fd, true); err != nil {
		c.close()
		return nil, fmt.Errorf("set O_NONBLOCK: %w", err)
	}
	return c, nil
}

// send writes the whole request; a request this small always fits in the
// socket buffer of an idle connection.
func (c *conn) send(due, now int64) error {
	n, err := unix.Write(c.fd, c.req)
	if err != nil {
		return fmt.Errorf("write request: %w", err)
	}
	if n != len(c.req) {
		return fmt.Errorf("write request: short write of %d bytes", n)
	}
	c.busy, c.due, c.sent, c.have = true, due, now, 0
	return nil
}

// receive reads what the socket holds and reports the response's status
// once it is complete. It does not allocate.
func (c *conn) receive() (status int, complete bool, err error) {
	for {
		n, err := unix.Read(c.fd, c.buf[c.have:])
		switch {
		case errors.Is(err, unix.EAGAIN):
			return 0, false, nil
		case err != nil:
			return 0, false, fmt.Errorf("read response: %w", err)
		case n == 0:
			return 0, false, errors.New("read response: connection closed by server")
		}
		c.have += n
		status, complete, err = parseResponse(c.buf[:c.have])
		if err != nil || complete {
			c.busy = false
			return status, complete, err
		}
		if c.have == len(c.buf) {
			return 0, false, errors.New("read response: larger than 16KiB")
		}
	}
}

// close closes the socket once; later calls fail with EBADF instead of
// reaching a descriptor the number was reused for.
func (c *conn) close() {
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
}

var (
	crlf          = []byte("\r\n")
	headEnd       = []byte("\r\n\r\n")
	contentLength = []byte("content-length:")
)

// parseResponse reports the status code of the HTTP/1.x response in b and
// whether b holds all of it. Only Content-Length framing is supported,
// which is what net/http uses for small handler output.
func parseResponse(b []byte) (status int, complete bool, err error) {
	end := bytes.Index(b, headEnd)
	if end < 0 {
		return 0, false, nil
	}
	head := b[:end]
	if len(head) < 12 || !bytes.HasPrefix(head, []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("parse response: bad status line %.20q", head)
	}
	status, ok := atoi(head[9:12])
	if !ok {
		return 0, false, fmt.Errorf("parse response: bad status code %q", head[9:12])
	}
	length, err := findContentLength(head)
	if err != nil {
		return 0, false, err
	}
	return status, len(b) >= end+len(headEnd)+length, nil
}

// findContentLength returns the Content-Length header's value in head.
func findContentLength(head []byte) (int, error) {
	for len(head) > 0 {
		line := head
		if i := bytes.Index(head, crlf); i >= 0 {
			line, head = head[:i], head[i+len(crlf):]
		} else {
			head = nil
		}
		if len(line) < len(contentLength) || !bytes.EqualFold(line[:len(contentLength)], contentLength) {
			continue
		}
		value := bytes.TrimSpace(line[len(contentLength):])
		n, ok := atoi(value)
		if !ok {
			return 0, fmt.Errorf("parse response: bad Content-Length %q", value)
		}
		return n, nil
	}
	return 0, errors.New("parse response: no Content-Length header")
}

// atoi parses a non-negative decimal number of at most 9 digits without
// allocating.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
