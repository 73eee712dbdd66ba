package stream

// open creates the state of a new connection, reusing a freed one.
func (t *Tracker) open(id uint64) *conn {
	var c *conn
	if n := len(t.freeC); n > 0 {
		c, t.freeC = t.freeC[n-1], t.freeC[:n-1]
	} else {
		c = new(conn)
	}
	c.id = id
	t.conns[id] = c
	t.stats.connections.Add(1)
	return c
}

// classify starts the session of the protocol the kernel named for the
// connection, at the first segment that starts one of its messages; a
// connection that offers none for too long is ignored until it ends.
func (t *Tracker) classify(c *conn, s *Segment) {
	data := captured(s)
	if len(data) == 0 && s.Frames == nil {
		return
	}
	d := decoderOf(s.Protocol)
	if d == nil || !d.enabled(&t.sh.protocols) || !d.starts(c, s, data) {
		if c.tries++; c.tries >= maxClassifyTries {
			c.opaque = true
		}
		return
	}
	c.sess = d.open(t, s, data)
	c.sess.feed(c, s)
}

// newHTTP1 returns a fresh HTTP/1 session, reusing a freed one.
func (t *Tracker) newHTTP1(server bool) *h1Session {
	var h *h1Session
	if n := len(t.freeH1); n > 0 {
		h, t.freeH1 = t.freeH1[n-1], t.freeH1[:n-1]
	} else {
		h = new(h1Session)
	}
	h.reset(&t.sh, server)
	return h
}

// end finishes a connection's session and frees its state for reuse.
func (t *Tracker) end(c *conn) {
	t.endSession(c)
	delete(t.conns, c.id)
	t.stats.connections.Add(-1)
	if *c = (conn{}); len(t.freeC) < maxFree {
		t.freeC = append(t.freeC, c)
	}
}

// endSession finishes a connection's session, if any, and recycles it.
func (t *Tracker) endSession(c *conn) {
	if c.sess != nil {
		c.sess.finish(c)
	}
	if h, ok := c.sess.(*h1Session); ok && len(t.freeH1) < maxFree {
		t.freeH1 = append(t.freeH1, h)
	}
	t.sh.db.recycle(c.sess)
	c.sess = nil
}

// restart gives up a connection's session after the kernel dropped some
// of its segments: what was pending is dropped and counted as at the
// connection's end, and the protocol is recognised again from the next
// message start.
func (t *Tracker) restart(c *conn) {
	_, c.wasHTTP1 = c.sess.(*h1Session)
	t.endSession(c)
	c.tries, c.opaque = 0, false
	t.stats.restarts.Add(1)
}
