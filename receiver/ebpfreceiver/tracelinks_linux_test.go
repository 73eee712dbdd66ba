//go:build linux

package ebpfreceiver

import (
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Helpers of the trace-context tests: spans with their ids, and a tally of
// parent edges that names every missing or wrong one.

// tspan is a captured span with its trace identity.
type tspan struct {
	span
	traceID    pcommon.TraceID
	spanID     pcommon.SpanID
	parentID   pcommon.SpanID
	traceState string
	flags      uint32
}

// traceSpans flattens every span received so far, with its ids.
func (c *captured) traceSpans() []tspan {
	spans := c.spans()
	out := make([]tspan, len(spans))
	for i, s := range spans {
		out[i] = tspan{span: s, traceID: s.trace, spanID: s.id, parentID: s.parent, traceState: s.state, flags: s.flags}
	}
	return out
}

// linkTally counts parent edges by hop ("node SERVER -> Go CLIENT") and
// keeps, for each hop, which edges were missing and which were wrong.
type linkTally struct {
	names map[pcommon.SpanID]string // every span's label, to name a wrong parent
	order []string
	hops  map[string]*hopTally
}

type hopTally struct {
	root       bool // the child must have no parent
	edges      int
	linked     int
	missing    []string // children without a parent
	wrong      []string // children whose parent is another span
	wrongTrace []string // right parent span id, other trace id
}

// newLinkTally names every span of all by label, so that a wrong parent
// can be told by name.
func newLinkTally(all []tspan, label func(tspan) string) *linkTally {
	l := &linkTally{names: map[pcommon.SpanID]string{}, hops: map[string]*hopTally{}}
	for _, s := range all {
		l.names[s.spanID] = label(s)
	}
	return l
}

func (l *linkTally) hop(name string, root bool) *hopTally {
	h, ok := l.hops[name]
	if !ok {
		h = &hopTally{root: root}
		l.hops[name] = h
		l.order = append(l.order, name)
	}
	return h
}

// name is the label of the span with id, or says it is no captured span.
func (l *linkTally) name(id pcommon.SpanID) string {
	if n, ok := l.names[id]; ok {
		return n
	}
	return "span " + id.String() + " (not captured)"
}

// edge checks that child's parent is parent, in the same trace.
func (l *linkTally) edge(hop, who string, child, parent tspan) {
	h := l.hop(hop, false)
	h.edges++
	switch {
	case child.parentID.IsEmpty():
		h.missing = append(h.missing, who)
	case child.parentID != parent.spanID:
		h.wrong = append(h.wrong, fmt.Sprintf("%s: parent is %s, want %s", who, l.name(child.parentID), l.name(parent.spanID)))
	case child.traceID != parent.traceID:
		h.wrongTrace = append(h.wrongTrace, fmt.Sprintf("%s: trace %s, its parent's %s", who, child.traceID, parent.traceID))
	default:
		h.linked++
	}
}

// edgeTo checks that child's parent is the span id want, which no captured
// span carries (an external caller's), in trace traceID.
func (l *linkTally) edgeTo(hop, who string, child tspan, traceID pcommon.TraceID, want pcommon.SpanID) {
	l.edge(hop, who, child, tspan{traceID: traceID, spanID: want})
}

// missingEdge counts an edge whose child has no parent.
func (l *linkTally) missingEdge(hop, who string) {
	h := l.hop(hop, false)
	h.edges++
	h.missing = append(h.missing, who)
}

// wrongEdge counts an edge whose child has a wrong parent, as why says.
func (l *linkTally) wrongEdge(hop, why string) {
	h := l.hop(hop, false)
	h.edges++
	h.wrong = append(h.wrong, why)
}

// root checks that s has no parent.
func (l *linkTally) root(hop, who string, s tspan) {
	h := l.hop(hop, true)
	h.edges++
	if s.parentID.IsEmpty() {
		h.linked++
		return
	}
	h.wrong = append(h.wrong, fmt.Sprintf("%s: parent is %s, want none", who, l.name(s.parentID)))
}

// totals counts the parent edges (not the roots) and those linked right.
func (l *linkTally) totals() (linked, edges int) {
	for _, h := range l.hops {
		if !h.root {
			linked += h.linked
			edges += h.edges
		}
	}
	return linked, edges
}

// report logs one line per hop and fails t for every hop with a missing
// or wrong edge, naming them.
func (l *linkTally) report(t *testing.T) {
	t.Helper()
	var lines []string
	for _, name := range l.order {
		h := l.hops[name]
		what := "linked"
		if h.root {
			what = "roots"
		}
		line := fmt.Sprintf("%-44s %3d/%-3d %s; missing parent %d, WRONG parent %d, wrong trace id %d",
			name, h.linked, h.edges, what, len(h.missing), len(h.wrong), len(h.wrongTrace))
		lines = append(lines, line)
		if h.linked == h.edges {
			continue
		}
		msg := line
		if len(h.missing) > 0 {
			msg += "\n\tmissing parent: " + strings.Join(firstOf(h.missing, 8), ", ")
		}
		for _, w := range firstOf(h.wrong, 8) {
			msg += "\n\tWRONG parent: " + w
		}
		for _, w := range firstOf(h.wrongTrace, 4) {
			msg += "\n\twrong trace id: " + w
		}
		t.Errorf("%s", msg)
	}
	linked, edges := l.totals()
	t.Logf("parent edges linked %d/%d\n%s", linked, edges, strings.Join(lines, "\n"))
}

// firstOf is the first n of v, with a count of the rest.
func firstOf(v []string, n int) []string {
	if len(v) <= n {
		return v
	}
	return append(v[:n:n], fmt.Sprintf("... %d more", len(v)-n))
}

// TestLinkTally checks the tally the trace-context tests report with: a
// right edge, a missing one, a wrong one named by its parent's label, a
// right parent in another trace, and roots.
func TestLinkTally(t *testing.T) {
	mk := func(trace byte, id, parent byte, name string) tspan {
		s := tspan{span: span{name: name}}
		s.traceID[0], s.spanID[0] = trace, id
		if parent != 0 {
			s.parentID[0] = parent
		}
		return s
	}
	client, other := mk(1, 1, 0, "client"), mk(2, 2, 0, "other")
	all := []tspan{client, other, mk(1, 3, 1, "right"), mk(1, 4, 0, "orphan"), mk(1, 5, 2, "misled"), mk(3, 6, 1, "stray")}
	l := newLinkTally(all, func(s tspan) string { return s.name })
	for _, s := range all[2:] {
		l.edge("server -> client", s.name, s, client)
	}
	l.root("client (root)", "client", client)
	l.root("client (root)", "right", all[2])
	h := l.hops["server -> client"]
	if h.edges != 4 || h.linked != 1 || fmt.Sprint(h.missing) != "[orphan]" ||
		fmt.Sprint(h.wrong) != "[misled: parent is other, want client]" || len(h.wrongTrace) != 1 {
		t.Errorf("edges %d linked %d missing %v wrong %v wrong trace %v", h.edges, h.linked, h.missing, h.wrong, h.wrongTrace)
	}
	r := l.hops["client (root)"]
	if r.edges != 2 || r.linked != 1 || fmt.Sprint(r.wrong) != "[right: parent is client, want none]" {
		t.Errorf("roots: edges %d linked %d wrong %v", r.edges, r.linked, r.wrong)
	}
	if linked, edges := l.totals(); linked != 1 || edges != 4 {
		t.Errorf("totals %d/%d, want 1/4 (roots apart)", linked, edges)
	}
}
