//go:build linux

package ebpfreceiver

import (
	"crypto/rand"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// TestTraceChainAcrossRuntimes runs each request through four processes
// of three runtimes on the node, and a database:
//
//	curl -> python3 (ThreadingHTTPServer, a thread per request; GET /chain/{i}
//	        calls the Go service with urllib on a fresh connection)
//	     -> Go chainsvc (net/http; GET /work/{i} queries PostgreSQL through
//	        database/sql + pgx, then calls node through one pooled client)
//	     -> node (http module; GET /leaf/{i})
//
// while a background goroutine of the Go service calls node's /tick/{n}
// through the same pool, outside any request. Every fifth request carries
// a traceparent (and tracestate) chosen by the test.
//
// Request i is told in every span: the path /chain/{i} (curl, python
// server), /work/{i} (python client, Go server), /leaf/{i} (Go client, node
// server), db.query.text "WITH work_{i} AS ( SELECT $1 :: int ) SELECT n FROM
// work_{i}" (Go postgres client).
//
// Subtests: "spans" checks that every span is there exactly once (passes
// without trace context); "links" checks every parent edge and one trace
// per request; "external" the incoming traceparent; "ticks" that the
// background calls are roots parenting node's spans.
func TestTraceChainAcrossRuntimes(t *testing.T) {
	const requests, workers, ticks, tickEvery = 40, 4, 60, 20 * time.Millisecond
	c := startCapture(t, nil, "*/curl", "*python3*", peers.GoProgramGlob(), "*/node")
	pg := peers.Postgres(t)
	node := peers.NodeLeafServer(t)
	svc := peers.ChainService(t, "postgres://postgres@127.0.0.1:"+strconv.Itoa(pg.Port)+"/postgres?sslmode=disable",
		"http://127.0.0.1:"+strconv.Itoa(node.Port), ticks, tickEvery)
	python := peers.PythonChainServer(t, "http://127.0.0.1:"+strconv.Itoa(svc.Port))
	ch := chain{python: python, svc: svc, node: node, pg: pg}

	external := driveChain(t, python.Port, requests, workers)
	waitOutput(t, svc, "ticks done")
	all := ch.waitComplete(t, c, requests, ticks)
	idx, unexpected := ch.index(all)

	t.Run("spans", func(t *testing.T) { ch.checkSpans(t, idx, unexpected, requests, ticks) })
	links := newLinkTally(all, ch.label)
	t.Run("links", func(t *testing.T) { ch.checkLinks(t, links, idx, requests, external) })
	t.Run("external", func(t *testing.T) { ch.checkExternal(t, idx, external) })
	t.Run("ticks", func(t *testing.T) { ch.checkTicks(t, links, idx, ticks) })
	linked, edges := links.totals()
	t.Logf("trace chain: %d requests (%d with an external traceparent), %d background calls; parent edges linked %d/%d",
		requests, len(external), ticks, linked, edges)
}

// The roles a span plays in the chain; {i} is the request (or tick) number.
const (
	roleCurl         = "curl CLIENT /chain/{i}"
	rolePyServer     = "python SERVER /chain/{i}"
	rolePyClient     = "python CLIENT /work/{i}"
	roleGoServer     = "Go SERVER /work/{i}"
	roleGoDB         = "Go postgres CLIENT work_{i}"
	roleGoClient     = "Go CLIENT /leaf/{i}"
	roleNodeServer   = "node SERVER /leaf/{i}"
	roleGoTick       = "Go CLIENT /tick/{i}"
	roleNodeTick     = "node SERVER /tick/{i}"
	chainQueryMarker = "work_"
)

// requestRoles are the spans of one request, in call order.
var requestRoles = []string{roleCurl, rolePyServer, rolePyClient, roleGoServer, roleGoDB, roleGoClient, roleNodeServer}

// chainEdges are the parent edges of one request: child role, parent role.
var chainEdges = [][2]string{
	{rolePyServer, roleCurl},
	{rolePyClient, rolePyServer},
	{roleGoServer, rolePyClient},
	{roleGoDB, roleGoServer},
	{roleGoClient, roleGoServer},
	{roleNodeServer, roleGoClient},
}

type chainKey struct {
	role string
	i    int
}

type chain struct {
	python, svc, node, pg *peers.Server
}

// externalContext is the traceparent and tracestate a request carried.
type externalContext struct {
	traceID pcommon.TraceID
	spanID  pcommon.SpanID
	state   string
}

// driveChain runs requests curl requests of /chain/{i} from workers
// concurrent workers; every fifth carries a traceparent of its own. It
// returns those contexts by request.
func driveChain(t *testing.T, port, requests, workers int) map[int]externalContext {
	t.Helper()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal(err)
	}
	external := map[int]externalContext{}
	for i := 0; i < requests; i += 5 {
		var e externalContext
		rand.Read(e.traceID[:])
		rand.Read(e.spanID[:])
		e.state = "chain=" + strconv.Itoa(i)
		external[i] = e
	}
	began := time.Now()
	defer func() { t.Logf("%d requests took %v", requests, time.Since(began).Round(time.Millisecond)) }()
	next := make(chan int)
	go func() {
		for i := range requests {
			next <- i
		}
		close(next)
	}()
	var wg sync.WaitGroup
	failures := make(chan string, requests)
	for range workers {
		wg.Go(func() {
			for i := range next {
				args := []string{"-sS", "-o", "/dev/null", "-w", "%{http_code}", fmt.Sprintf("http://127.0.0.1:%d/chain/%d", port, i)}
				if e, ok := external[i]; ok {
					args = append(args, "-H", fmt.Sprintf("traceparent: 00-%s-%s-01", e.traceID, e.spanID), "-H", "tracestate: "+e.state)
				}
				if out, err := peers.RunStatus(t, curl, args...); err != nil || out != "200" {
					failures <- fmt.Sprintf("request %d: %v %q", i, err, out)
				}
			}
		})
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if t.Failed() {
		t.FailNow()
	}
	return external
}

// waitOutput waits until a server printed text.
func waitOutput(t *testing.T, s *peers.Server, text string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.Output(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q printed within 60s:\n%s", text, s.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var chainQuery = regexp.MustCompile(chainQueryMarker + `(\d+)`)

// classify tells the role and number of a span of the chain's processes.
func (ch chain) classify(s tspan) (chainKey, bool) {
	path := s.url().Path
	number := func(prefix string) int {
		if n, err := strconv.Atoi(strings.TrimPrefix(path, prefix)); err == nil && strings.HasPrefix(path, prefix) {
			return n
		}
		return -1
	}
	server, client := s.kind == ptrace.SpanKindServer, s.kind == ptrace.SpanKindClient
	var role string
	i := -1
	switch {
	case s.service == "curl" && client && attrInt(s.span, "server.port") == int64(ch.python.Port):
		role, i = roleCurl, number("/chain/")
	case s.pid == int64(ch.python.PID) && server:
		role, i = rolePyServer, number("/chain/")
	case s.pid == int64(ch.python.PID) && client:
		role, i = rolePyClient, number("/work/")
	case s.pid == int64(ch.svc.PID) && server:
		role, i = roleGoServer, number("/work/")
	case s.pid == int64(ch.svc.PID) && client && attrStr(s.span, "db.system.name") == "postgresql":
		role = roleGoDB
		if m := chainQuery.FindStringSubmatch(attrStr(s.span, "db.query.text")); m != nil {
			i, _ = strconv.Atoi(m[1])
		}
	case s.pid == int64(ch.svc.PID) && client && strings.HasPrefix(path, "/tick/"):
		role, i = roleGoTick, number("/tick/")
	case s.pid == int64(ch.svc.PID) && client:
		role, i = roleGoClient, number("/leaf/")
	case s.pid == int64(ch.node.PID) && server && strings.HasPrefix(path, "/tick/"):
		role, i = roleNodeTick, number("/tick/")
	case s.pid == int64(ch.node.PID) && server:
		role, i = roleNodeServer, number("/leaf/")
	}
	return chainKey{role, i}, role != "" && i >= 0
}

// ours reports whether s comes from one of the chain's processes.
func (ch chain) ours(s tspan) bool {
	switch s.pid {
	case int64(ch.python.PID), int64(ch.svc.PID), int64(ch.node.PID):
		return true
	}
	return s.service == "curl" && attrInt(s.span, "server.port") == int64(ch.python.Port)
}

// label names a span in failure messages: its role and number.
func (ch chain) label(s tspan) string {
	if k, ok := ch.classify(s); ok {
		return strings.ReplaceAll(k.role, "{i}", strconv.Itoa(k.i))
	}
	return fmt.Sprintf("unexpected span %s/%d %s %q %s", s.service, s.pid, s.kind, s.name, s.url().Path)
}

// index groups the chain's spans by role and number, and returns the spans
// of the chain's processes that play no role.
func (ch chain) index(all []tspan) (map[chainKey][]tspan, []tspan) {
	idx := map[chainKey][]tspan{}
	var unexpected []tspan
	for _, s := range all {
		if !ch.ours(s) {
			continue
		}
		if k, ok := ch.classify(s); ok {
			idx[k] = append(idx[k], s)
		} else {
			unexpected = append(unexpected, s)
		}
	}
	return idx, unexpected
}

// waitComplete waits until every span of every request and tick arrived
// (or 60s passed), then a little longer for any extra one, and returns
// every span captured.
func (ch chain) waitComplete(t *testing.T, c *captured, requests, ticks int) []tspan {
	t.Helper()
	complete := func() bool {
		idx, _ := ch.index(c.traceSpans())
		for i := range requests {
			for _, role := range requestRoles {
				if len(idx[chainKey{role, i}]) == 0 {
					return false
				}
			}
		}
		for n := range ticks {
			if len(idx[chainKey{roleGoTick, n}]) == 0 || len(idx[chainKey{roleNodeTick, n}]) == 0 {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(60 * time.Second)
	for !complete() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	return c.traceSpans()
}

// checkSpans checks that every span of every request and tick is there
// exactly once, with the right method and status, and nothing else.
func (ch chain) checkSpans(t *testing.T, idx map[chainKey][]tspan, unexpected []tspan, requests, ticks int) {
	count := func(role string, n int) {
		var missing, duplicated []int
		for i := range n {
			spans := idx[chainKey{role, i}]
			switch {
			case len(spans) == 0:
				missing = append(missing, i)
			case len(spans) > 1:
				duplicated = append(duplicated, i)
			}
			for _, s := range spans {
				ch.checkSpan(t, role, i, s)
			}
		}
		if len(missing)+len(duplicated) > 0 {
			t.Errorf("%s: missing for %v, more than once for %v", role, missing, duplicated)
		}
	}
	for _, role := range requestRoles {
		count(role, requests)
	}
	count(roleGoTick, ticks)
	count(roleNodeTick, ticks)
	logPoolSharing(t, idx)
	for k, spans := range idx {
		limit := requests
		if k.role == roleGoTick || k.role == roleNodeTick {
			limit = ticks
		}
		if k.i >= limit {
			t.Errorf("%d spans %s of number %d, beyond the %d made", len(spans), k.role, k.i, limit)
		}
	}
	for _, s := range firstOfSpans(unexpected, 10) {
		t.Errorf("%s: %q %v", ch.label(s), s.name, s.attrs.AsRaw())
	}
}

// checkSpan checks what one span of the chain says besides its ids.
func (ch chain) checkSpan(t *testing.T, role string, i int, s tspan) {
	who := strings.ReplaceAll(role, "{i}", strconv.Itoa(i))
	if s.status == ptrace.StatusCodeError || !s.end.After(s.start) {
		t.Errorf("%s: status %v, %v..%v", who, s.status, s.start, s.end)
	}
	if role == roleGoDB {
		if attrStr(s.span, "db.operation.name") != "SELECT" || attrStr(s.span, "db.namespace") != "postgres" || attrInt(s.span, "server.port") != int64(ch.pg.Port) {
			t.Errorf("%s: %q %v", who, s.name, s.attrs.AsRaw())
		}
		return
	}
	if attrStr(s.span, "http.request.method") != "GET" || attrInt(s.span, "http.response.status_code") != 200 {
		t.Errorf("%s: method %q status %d", who, attrStr(s.span, "http.request.method"), attrInt(s.span, "http.response.status_code"))
	}
}

func firstOfSpans(v []tspan, n int) []tspan {
	if len(v) > n {
		return v[:n]
	}
	return v
}

// only returns the single span of a role and number, false when there is
// none or more than one (checkSpans reports those).
func only(idx map[chainKey][]tspan, role string, i int) (tspan, bool) {
	if spans := idx[chainKey{role, i}]; len(spans) == 1 {
		return spans[0], true
	}
	return tspan{}, false
}

// checkLinks checks every parent edge of every request, that curl's
// spans are roots, and that each request is one trace.
func (ch chain) checkLinks(t *testing.T, links *linkTally, idx map[chainKey][]tspan, requests int, external map[int]externalContext) {
	var split []string
	for i := range requests {
		for _, e := range chainEdges {
			child, ok1 := only(idx, e[0], i)
			parent, ok2 := only(idx, e[1], i)
			if !ok1 || !ok2 {
				continue
			}
			hop := strings.ReplaceAll(e[0]+" -> "+e[1], "{i}", "i")
			links.edge(hop, ch.label(child), child, parent)
		}
		if s, ok := only(idx, roleCurl, i); ok {
			links.root("curl CLIENT /chain/i (root)", ch.label(s), s)
		}
		traces := map[pcommon.TraceID]bool{}
		for _, role := range requestRoles {
			if s, ok := only(idx, role, i); ok {
				traces[s.traceID] = true
			}
		}
		if len(traces) != 1 {
			split = append(split, fmt.Sprintf("request %d in %d traces", i, len(traces)))
		}
	}
	links.report(t)
	if len(split) > 0 {
		t.Errorf("%d of %d requests are not one trace: %s", len(split), requests, strings.Join(firstOf(split, 8), ", "))
	}
}

// checkExternal checks the requests that came with a traceparent: curl's
// span adopts its ids, python's server span is its child, and the whole
// request stays in its trace with its tracestate and sampled flag.
func (ch chain) checkExternal(t *testing.T, idx map[chainKey][]tspan, external map[int]externalContext) {
	links := newLinkTally(nil, ch.label)
	var numbers []int
	for i := range external {
		numbers = append(numbers, i)
	}
	slices.Sort(numbers)
	for _, i := range numbers {
		e := external[i]
		if s, ok := only(idx, roleCurl, i); ok && (s.traceID != e.traceID || s.spanID != e.spanID) {
			t.Errorf("curl CLIENT /chain/%d: ids %s/%s, want the traceparent's %s/%s", i, s.traceID, s.spanID, e.traceID, e.spanID)
		}
		if s, ok := only(idx, rolePyServer, i); ok {
			links.edgeTo("python SERVER /chain/i -> traceparent", ch.label(s), s, e.traceID, e.spanID)
			if s.traceState != e.state || s.flags&0xff != 0x01 {
				t.Errorf("python SERVER /chain/%d: tracestate %q flags %#x, want %q and sampled", i, s.traceState, s.flags, e.state)
			}
		}
		var outside []string
		for _, role := range requestRoles {
			if s, ok := only(idx, role, i); ok && s.traceID != e.traceID {
				outside = append(outside, strings.ReplaceAll(role, "{i}", strconv.Itoa(i)))
			}
		}
		if len(outside) > 0 {
			t.Errorf("request %d: not in the traceparent's trace %s: %s", i, e.traceID, strings.Join(outside, ", "))
		}
	}
	links.report(t)
}

// checkTicks checks the background calls: Go's client spans are roots and
// each parents node's server span of the same call.
func (ch chain) checkTicks(t *testing.T, links *linkTally, idx map[chainKey][]tspan, ticks int) {
	tally := newLinkTally(nil, ch.label)
	tally.names = links.names
	for n := range ticks {
		client, ok1 := only(idx, roleGoTick, n)
		server, ok2 := only(idx, roleNodeTick, n)
		if ok1 {
			tally.root("Go CLIENT /tick/n (root)", ch.label(client), client)
		}
		if ok1 && ok2 {
			tally.edge("node SERVER /tick/n -> Go CLIENT /tick/n", ch.label(server), server, client)
			links.edge("node SERVER /tick/n -> Go CLIENT /tick/n", ch.label(server), server, client)
		}
	}
	tally.report(t)
}

// logPoolSharing tells how much the Go service's requests and background
// calls overlapped on their shared pool.
func logPoolSharing(t *testing.T, idx map[chainKey][]tspan) {
	var leaves, ticks []tspan
	for k, spans := range idx {
		switch k.role {
		case roleGoClient:
			leaves = append(leaves, spans...)
		case roleGoTick:
			ticks = append(ticks, spans...)
		}
	}
	t.Logf("Go client: at most %d calls in flight at once; %d background calls overlapped a request's call",
		maxInFlight(append(leaves, ticks...)), ticksAmong(leaves, ticks))
}

// ticksAmong counts the background calls made while a request's call was
// in flight through the same pool.
func ticksAmong(leaves, ticks []tspan) int {
	n := 0
	for _, tick := range ticks {
		for _, l := range leaves {
			if tick.start.Before(l.end) && l.start.Before(tick.end) {
				n++
				break
			}
		}
	}
	return n
}

// TestUnselectedLoadGeneratorMakesNoServerWait drives a selected Go server
// with wrk, which the rules leave out. wrk may open its connections before
// the receiver has judged it, so that they are known for a moment as a
// captured client's; once wrk is judged, the server's requests on them
// must not wait for client records that will never come. Only requests
// read before the judgement may wait, and end as client_missed roots.
// (How many connections open that early depends on how busy the machine
// is: on an idle one, none; under the benchmark's load, all of them, and
// a server connection that asked once made every request wait 50 ms.)
func TestUnselectedLoadGeneratorMakesNoServerWait(t *testing.T) {
	privtest.RequireTool(t, "/usr/bin/wrk")
	r := newRig(t, rigOptions{}, peers.GoProgramGlob())
	r.start(t)
	port := peers.FreePort(t)
	peers.Start(t, port, peers.GoProgram(t, "httpserver"), "127.0.0.1:"+strconv.Itoa(port))
	time.Sleep(300 * time.Millisecond) // the server is judged
	out, err := exec.Command("/usr/bin/wrk", "-t1", "-c4", "-d2s", "http://127.0.0.1:"+strconv.Itoa(port)+"/").CombinedOutput()
	if err != nil {
		t.Fatalf("wrk: %v\n%s", err, out)
	}
	spans := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		n := r.sink.SpanCount()
		if n == spans {
			break // settled
		}
		spans = n
	}
	trace := r.engine.Load().Stats().Trace
	missed, noClient := trace.Roots["client_missed"], trace.Roots["no_client_seen"]
	t.Logf("%d spans: %d roots without a client here, %d that waited in vain\n%s", spans, noClient, missed, out)
	if spans < 2000 || missed > 40 || noClient+missed != uint64(spans) {
		t.Errorf("%d spans, %d no_client_seen, %d client_missed: want every span a root, at most a few of them after a wait", spans, noClient, missed)
	}
}
