// Command chainsvc is the Go service in the middle of the trace-chain tests:
// a net/http server whose handler for GET /work/{i} runs one database/sql
// query on PostgreSQL (pgx's stdlib driver),
// "WITH work_{i} AS (SELECT $1::int AS n) SELECT n FROM work_{i}" (the CTE's
// name survives the receiver's sanitizing, so the span tells the request),
// then calls GET {downstream}/leaf/{i} through one shared http.Client with a
// keep-alive pool. From the first /work request on, a background goroutine
// calls GET {downstream}/tick/{n} through the same client every -tick-every,
// -ticks times, outside any request, and prints "ticks done N" when it has
// finished. Every failure is printed; the handler answers 502 on one.
//
// Build it with CGO_ENABLED=0: the tests rely on a static Go binary.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

type service struct {
	db         *sql.DB
	client     *http.Client
	downstream string
	startTicks sync.Once
	ticks      int
	tickEvery  time.Duration
}

func main() {
	ticks := flag.Int("ticks", 40, "background calls to make after the first request")
	every := flag.Duration("tick-every", 50*time.Millisecond, "pause between background calls")
	flag.Parse()
	if flag.NArg() != 3 {
		log.Fatal("usage: chainsvc [-ticks N] [-tick-every D] ADDR POSTGRES_DSN DOWNSTREAM_URL")
	}
	cfg, err := pgx.ParseConfig(flag.Arg(1))
	if err != nil {
		log.Fatal(err)
	}
	// No liveness ping when a pooled connection is reused: each request
	// makes exactly the one query it asks for.
	noPing := stdlib.OptionShouldPing(func(context.Context, stdlib.ShouldPingParams) bool { return false })
	db := stdlib.OpenDB(*cfg, noPing)
	db.SetMaxIdleConns(8)
	s := &service{
		db:         db,
		client:     &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: 30 * time.Second},
		downstream: strings.TrimSuffix(flag.Arg(2), "/"),
		ticks:      *ticks,
		tickEvery:  *every,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /work/{i}", s.work)
	log.Fatal(http.ListenAndServe(flag.Arg(0), mux))
}

// work serves one request of the chain: a query, then a downstream call.
func (s *service) work(w http.ResponseWriter, r *http.Request) {
	s.startTicks.Do(func() { go s.tick() })
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil {
		http.Error(w, "bad request number", http.StatusBadRequest)
		return
	}
	var got int
	if err := s.db.QueryRowContext(r.Context(), fmt.Sprintf("WITH work_%[1]d AS (SELECT $1::int AS n) SELECT n FROM work_%[1]d", i), i).Scan(&got); err != nil || got != i {
		fmt.Printf("work %d: query: %v (got %d)\n", i, err, got)
		http.Error(w, "query failed", http.StatusBadGateway)
		return
	}
	if err := s.get(fmt.Sprintf("/leaf/%d", i)); err != nil {
		fmt.Printf("work %d: %v\n", i, err)
		http.Error(w, "downstream failed", http.StatusBadGateway)
		return
	}
	io.WriteString(w, "ok")
}

// tick calls the downstream in the background, outside any request.
func (s *service) tick() {
	for n := range s.ticks {
		if err := s.get(fmt.Sprintf("/tick/%d", n)); err != nil {
			fmt.Printf("tick %d: %v\n", n, err)
		}
		time.Sleep(s.tickEvery)
	}
	fmt.Printf("ticks done %d\n", s.ticks)
}

// get calls the downstream through the shared client and reads the whole
// answer, so that the connection goes back to the pool.
func (s *service) get(path string) error {
	resp, err := s.client.Get(s.downstream + path)
	if err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: status %d", path, resp.StatusCode)
	}
	return nil
}
