package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// durationBounds are the explicit bucket boundaries, in seconds, of the HTTP
// duration histograms the semantic conventions advise.
var durationBounds = [...]float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

const (
	// defaultSeriesLimit is the number of attribute sets kept per process
	// and metric unless metrics::cardinality_limit says otherwise; further
	// sets are folded into one series marked otel.metric.overflow=true.
	defaultSeriesLimit = 1000
	// staleFlushes is how many flushes a process may go without a new
	// observation before its series are forgotten (the process has probably
	// exited); a later call starts new series.
	staleFlushes = 30
)

// seriesKey is the attribute set of one histogram series. It is comparable
// and fixed-size so that recording a call is a map lookup; its strings are
// constants or cloned when a series is created, never call buffers.
type seriesKey struct {
	kind     call.Kind
	overflow bool
	status   uint16
	method   string
	route    string
	version  string
	tls      bool           // url.scheme is https
	server   serverEndpoint // client calls only
	op       opKey          // database and messaging calls
	rpc      bool           // gRPC calls: method is rpc.method, status the code plus one
	msg      bool           // messaging calls: status is the operation type
	queue    bool           // server calls' queue time (queuetime.go), not their duration
}

// opKey is the operation part of the series of a call to a database or a
// messaging broker; empty for other calls. The query text is never part
// of it.
type opKey struct {
	system    string // db.system.name, messaging.system
	operation string // db.operation.name, messaging.operation.name
	target    string // db.collection.name, messaging.destination.name
	namespace string // db.namespace
	summary   string // db.query.summary
	errorCode string // error.type, and db.response.status_code
}

// clone copies the strings a new series keeps.
func (k opKey) clone() opKey {
	return opKey{
		system: strings.Clone(k.system), operation: strings.Clone(k.operation),
		target: strings.Clone(k.target), namespace: strings.Clone(k.namespace),
		summary: strings.Clone(k.summary), errorCode: strings.Clone(k.errorCode),
	}
}

// histogram accumulates the durations of one series.
type histogram struct {
	start  uint64    // Unix ns of the first observation (cumulative) or of the interval (delta)
	bounds []float64 // dbDurationBounds or msgDurationBounds; nil for durationBounds
	counts [len(durationBounds) + 1]uint64
	count  uint64
	sum    float64
	min    float64
	max    float64
	fresh  bool // observed since the last flush
}

func (h *histogram) observe(seconds float64) {
	i := 0
	bounds := h.boundaries()
	for i < len(bounds) && seconds > bounds[i] {
		i++
	}
	h.counts[i]++
	if h.count == 0 || seconds < h.min {
		h.min = seconds
	}
	if h.count == 0 || seconds > h.max {
		h.max = seconds
	}
	h.count++
	h.sum += seconds
	h.fresh = true
}

// boundaries returns the histogram's bucket boundaries.
func (h *histogram) boundaries() []float64 {
	if h.bounds == nil {
		return durationBounds[:]
	}
	return h.bounds
}

// processSeries holds the series of one process.
type processSeries struct {
	process *call.Process // latest description, for the resource
	pid     uint32
	series  map[seriesKey]*histogram
	// queued counts the queue time series among them, which have a limit
	// of their own: their metric is another histogram.
	queued int
	idle   int // flushes in a row without an observation
}

// aggregator folds calls into histograms. record runs on the engine's emit
// goroutine and collect on the flusher's; a mutex keeps both short.
type aggregator struct {
	mu        sync.Mutex
	delta     bool
	limit     int // attribute sets per process and metric
	procs     map[processKey]*processSeries
	last      lastSeries // the series of the previous call
	lastQueue lastSeries // the queue time series of the previous call that had one
	lastFlush uint64
	snap      []seriesSnapshot // reused by collect
	overflows atomic.Int64     // observations folded into overflow series
	optIn     optIn            // opt-in attributes that split series
}

// lastSeries remembers the series the previous call went to: consecutive
// calls mostly share their process and attributes, and comparing keys costs
// less than hashing them twice.
type lastSeries struct {
	pk  processKey
	key seriesKey
	ps  *processSeries
	h   *histogram // nil when nothing is remembered
}

func newAggregator(delta bool, startNs uint64) *aggregator {
	return &aggregator{
		delta: delta, limit: defaultSeriesLimit,
		procs: make(map[processKey]*processSeries), lastFlush: startNs,
	}
}

// record adds one call; it allocates only when a process or series is new.
func (a *aggregator) record(c *call.Call) {
	var key seriesKey
	switch c.Protocol.Family() {
	case call.FamilyHTTP:
		key = httpSeriesKey(c, &a.optIn)
	case call.FamilyRPC:
		key = rpcSeriesKey(c, &a.optIn)
	case call.FamilyDB:
		key = dbSeriesKey(c)
	case call.FamilyMessaging:
		key = msgSeriesKey(c)
	default:
		return
	}
	seconds := 0.0
	if c.End > c.Start {
		seconds = float64(c.End-c.Start) / 1e9
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.histogramFor(c, key, &a.last).observe(seconds)
	if queued(c) {
		a.histogramFor(c, queueSeriesKey(key), &a.lastQueue).observe(queueSeconds(c))
	}
}

// histogramFor returns the histogram of series key in c's process; last
// remembers the series for the next call.
func (a *aggregator) histogramFor(c *call.Call, key seriesKey, last *lastSeries) *histogram {
	pk := processKeyOf(c)
	if l := last; l.h != nil && l.pk == pk && l.key == key {
		if c.Process != nil {
			l.ps.process = c.Process
		}
		return l.h
	}
	ps := a.processOf(c)
	h, folded := a.histogramOf(ps, key, c.Start)
	*last = lastSeries{}
	if !folded { // an overflow is counted per call, so it is never remembered
		*last = lastSeries{pk: pk, key: key, ps: ps, h: h}
	}
	return h
}

// httpSeriesKey is the series of an HTTP call: a server's by route and
// scheme, a client's by server, and by scheme only when url.scheme is opted
// in (http.route and url.path never belong to a client's series).
func httpSeriesKey(c *call.Call, o *optIn) seriesKey {
	method, _ := normalizeMethod(c.HTTP.Method)
	key := seriesKey{
		kind: c.Kind, status: uint16(c.HTTP.Status), method: method, route: c.HTTP.Route,
		version: c.HTTP.Version, tls: c.HTTP.TLS,
	}
	if c.Kind == call.KindClient {
		key.server, key.route = serverOf(c), ""
		key.tls = key.tls && o.clientURLScheme
	}
	return key
}

func (a *aggregator) processOf(c *call.Call) *processSeries {
	pk := processKeyOf(c)
	ps, ok := a.procs[pk]
	if !ok {
		ps = &processSeries{pid: c.PID, series: make(map[seriesKey]*histogram)}
		a.procs[pk] = ps
	}
	if c.Process != nil {
		ps.process = c.Process
	}
	return ps
}

// full tells whether the series of key's kind in ps reached limit: the
// duration histograms', or the queue time histograms'.
func (ps *processSeries) full(key seriesKey, limit int) bool {
	if key.queue {
		return ps.queued >= limit
	}
	return len(ps.series)-ps.queued >= limit
}

// histogramOf returns the histogram of series key in ps, creating it; past
// the limit it returns the overflow series, and folded is true.
func (a *aggregator) histogramOf(ps *processSeries, key seriesKey, startNs uint64) (h *histogram, folded bool) {
	if h, ok := ps.series[key]; ok {
		return h, false
	}
	if ps.full(key, a.limit) {
		a.overflows.Add(1)
		folded = true
		key = seriesKey{kind: key.kind, overflow: true, op: opKey{system: key.op.system}, rpc: key.rpc, msg: key.msg, queue: key.queue}
		if h, ok := ps.series[key]; ok {
			return h, true
		}
	}
	key.method = strings.Clone(key.method)
	key.version = strings.Clone(key.version)
	key.route = strings.Clone(key.route)
	key.server.host = strings.Clone(key.server.host)
	key.op = key.op.clone()
	h = &histogram{start: startNs, bounds: boundsOf(&key)}
	if a.delta {
		h.start = a.lastFlush
	}
	ps.series[key] = h
	if key.queue {
		ps.queued++
	}
	return h, folded
}

// boundsOf returns the bucket boundaries of a new histogram of series key:
// nil for durationBounds.
func boundsOf(k *seriesKey) []float64 {
	switch {
	case k.queue:
		return queueBounds[:]
	case k.msg:
		return msgDurationBounds[:]
	case k.op.system != "":
		return dbDurationBounds[:]
	}
	return nil
}

// seriesSnapshot is one series as of a flush.
type seriesSnapshot struct {
	group   int           // series of the same process share a group
	process *call.Process // nil when the engine did not describe it
	pid     uint32
	key     seriesKey
	h       histogram
}

// collect copies the series to export and starts a new interval: delta
// series are reset, processes idle for staleFlushes are dropped. Series of
// one process are contiguous in the result, which is valid until the next
// call.
func (a *aggregator) collect(nowNs uint64) []seriesSnapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.snap = a.snap[:0]
	a.last, a.lastQueue = lastSeries{}, lastSeries{} // their process may be dropped below
	group := 0
	for pk, ps := range a.procs {
		if !a.collectProcess(ps, group, nowNs) && ps.idle >= staleFlushes {
			delete(a.procs, pk)
		}
		group++
	}
	a.lastFlush = nowNs
	return a.snap
}

// collectProcess appends the process's exportable series and reports
// whether it had fresh observations.
func (a *aggregator) collectProcess(ps *processSeries, group int, nowNs uint64) bool {
	fresh := false
	for key, h := range ps.series {
		fresh = fresh || h.fresh
		if a.delta && !h.fresh {
			continue
		}
		a.snap = append(a.snap, seriesSnapshot{group: group, process: ps.process, pid: ps.pid, key: key, h: *h})
		h.fresh = false
		if a.delta {
			*h = histogram{start: nowNs, bounds: h.bounds}
		}
	}
	if fresh {
		ps.idle = 0
	} else {
		ps.idle++
	}
	return fresh
}
