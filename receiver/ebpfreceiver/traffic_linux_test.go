//go:build linux

package ebpfreceiver

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// testServer is a started Go net/http test server.
type testServer struct {
	*peers.Server
	exe string // its executable: a glob that selects it alone
	url string
}

// goServer starts the Go net/http test server; the test process, never
// captured itself, is the client.
func goServer(t *testing.T) testServer {
	t.Helper()
	privtest.Require(t)
	port := peers.FreePort(t)
	exe := peers.GoProgram(t, "httpserver")
	srv := peers.Start(t, port, exe, "127.0.0.1:"+strconv.Itoa(port))
	return testServer{Server: srv, exe: exe, url: "http://127.0.0.1:" + strconv.Itoa(port)}
}

// drive sends n requests over conns keep-alive connections, POSTing body
// when it is not empty, and fails the test on any error or non-200.
func drive(t *testing.T, url string, n, conns int, body []byte) {
	t.Helper()
	client := newKeepAliveClient(conns)
	defer client.CloseIdleConnections()
	var failed atomic.Value
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if err := request(client, url+"/r/"+strconv.FormatInt(i, 10), body); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
}

// newKeepAliveClient returns a client keeping up to conns connections.
func newKeepAliveClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns}}
}

func request(client *http.Client, url string, body []byte) error {
	var resp *http.Response
	var err error
	if len(body) > 0 {
		resp, err = client.Post(url, "application/octet-stream", bytes.NewReader(body))
	} else {
		resp, err = client.Get(url)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &statusError{url, resp.StatusCode}
	}
	return nil
}

type statusError struct {
	url    string
	status int
}

func (e *statusError) Error() string { return e.url + ": status " + strconv.Itoa(e.status) }

// settle waits until f returns the same value twice in a row, at least
// quiet apart, or until a deadline, and returns it.
func settle(quiet time.Duration, f func() int64) int64 {
	deadline := time.Now().Add(30 * time.Second)
	last := f()
	for time.Now().Before(deadline) {
		time.Sleep(quiet)
		now := f()
		if now == last {
			return now
		}
		last = now
	}
	return last
}
