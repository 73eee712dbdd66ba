// Command queueserver is a Go net/http server with a fixed number of
// workers, for the queue time tests: it accepts a connection only when a
// worker is free, so the others wait in the listener's accept queue, and
// each request takes a fixed time. Connections are not kept alive, so a
// worker is freed with each response.
//
//	queueserver ADDR WORKERS WORK
package main

import (
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		log.Fatal("usage: queueserver ADDR WORKERS WORK")
	}
	workers, err := strconv.Atoi(os.Args[2])
	if err != nil || workers < 1 {
		log.Fatalf("workers %q: a positive number", os.Args[2])
	}
	work, err := time.ParseDuration(os.Args[3])
	if err != nil {
		log.Fatalf("work %q: %v", os.Args[3], err)
	}
	l, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(work)
		io.WriteString(w, "ok")
	})}
	srv.SetKeepAlivesEnabled(false)
	log.Fatal(srv.Serve(&workerListener{Listener: l, free: make(chan struct{}, workers)}))
}

// workerListener accepts a connection only while fewer than cap(free)
// are open.
type workerListener struct {
	net.Listener
	free chan struct{} // one element per open connection
}

func (l *workerListener) Accept() (net.Conn, error) {
	l.free <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.free
		return nil, err
	}
	return &workerConn{Conn: c, release: func() { <-l.free }}, nil
}

// workerConn frees its worker once, when closed.
type workerConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *workerConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
