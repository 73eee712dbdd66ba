package main

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// requestCounter counts the requests kgo writes, by API key: those whose
// response it read, and those written (some bytes on the wire) whose
// response it never read. kgo calls OnBrokerWrite once per write and
// OnBrokerE2E once per write too, after the read or when giving the
// response up (a read error, or the connection closed with the response
// pending, which it reports as a write error though the request went out).
// A write of no bytes put nothing on the wire and counts nowhere.
type requestCounter struct {
	mu               sync.Mutex
	writes, finished map[int16]int
	answered, lost   map[int16]int
}

var (
	_ kgo.HookBrokerWrite = (*requestCounter)(nil)
	_ kgo.HookBrokerE2E   = (*requestCounter)(nil)
)

func newRequestCounter() *requestCounter {
	return &requestCounter{writes: map[int16]int{}, finished: map[int16]int{}, answered: map[int16]int{}, lost: map[int16]int{}}
}

func (c *requestCounter) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, _ error) {
	c.mu.Lock()
	c.writes[key]++
	c.mu.Unlock()
}

func (c *requestCounter) OnBrokerE2E(_ kgo.BrokerMetadata, key int16, e kgo.BrokerE2E) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finished[key]++
	switch {
	case e.WriteErr == nil && e.ReadErr == nil:
		c.answered[key]++
	case e.BytesWritten > 0:
		c.lost[key]++
	}
}

// inFlight reports whether a request of key is written and not yet
// answered or given up.
func (c *requestCounter) inFlight(key int16) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes[key] > c.finished[key]
}

// settled reports whether every request written has been answered or
// given up.
func (c *requestCounter) settled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, n := range c.writes {
		if c.finished[key] < n {
			return false
		}
	}
	return true
}

// close closes cl and waits until every request written has been
// reported answered or lost: kgo reports a response given up when the
// connection closes, from the goroutine reading it, which Close does not
// wait for.
func (c *requestCounter) close(cl *kgo.Client) {
	cl.Close()
	waitFor(5*time.Second, c.settled)
}

// waitFor polls cond until it holds or timeout passes, and reports whether
// it held.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// print writes "request NAME N" and "noresponse NAME N" lines, by API key.
func (c *requestCounter) print(w io.Writer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, key := range sortedKeys(c.answered) {
		fmt.Fprintf(w, "request %s %d\n", kmsg.NameForKey(key), c.answered[key])
	}
	for _, key := range sortedKeys(c.lost) {
		fmt.Fprintf(w, "noresponse %s %d\n", kmsg.NameForKey(key), c.lost[key])
	}
}

func sortedKeys(m map[int16]int) []int16 {
	keys := make([]int16, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
