package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/postgres"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/sqltext"
)

// dbShared is what the database sessions of a tracker share: the
// statement descriptions of each dialect, made on first use, and the freed
// sessions kept for reuse.
type dbShared struct {
	pg, my *sqltext.Cache
	freePG []*pgSession
	freeMy []*mySession
}

// describe returns the description of a statement text of dialect d.
func (d *dbShared) describe(dialect sqltext.Dialect, text []byte) sqltext.Statement {
	cache := &d.pg
	if dialect == sqltext.MySQL {
		cache = &d.my
	}
	if *cache == nil {
		*cache = sqltext.NewCache(dialect)
	}
	return (*cache).Lookup(text)
}

// newPostgres returns a session for a PostgreSQL connection whose first
// captured bytes s carries, reusing a freed one. The process is the server
// when the kernel saw it accept, when it read a client's message, or when
// it wrote a ReadyForQuery.
func (d *dbShared) newPostgres(sh *shared, s *Segment, data []byte) *pgSession {
	var p *pgSession
	if n := len(d.freePG); n > 0 {
		p, d.freePG = d.freePG[n-1], d.freePG[:n-1]
	} else {
		p = &pgSession{named: make(map[string]sqltext.Statement)}
	}
	fromClient := !postgres.LooksLikeReady(data)
	server := s.Role == RoleServer || (s.Role == RoleUnknown && (s.Dir == Ingress) == fromClient)
	if server {
		sh.stats.dbServerSessions.Add(1)
	}
	p.reset(sh, server, postgres.LooksLikeStartup(data))
	return p
}

// recycle keeps a finished database session for reuse.
func (d *dbShared) recycle(s session) {
	switch s := s.(type) {
	case *pgSession:
		if len(d.freePG) < maxFree {
			d.freePG = append(d.freePG, s)
		}
	case *mySession:
		if len(d.freeMy) < maxFree {
			d.freeMy = append(d.freeMy, s)
		}
	}
}
