// Command sink is the OTLP/HTTP endpoint of `make bench`: it accepts
// protobuf (or gzip-compressed protobuf) export requests on /v1/traces and
// /v1/metrics, counts the spans and metric data points in them, and throws
// them away.
//
//	GET  /counts  {"spans":…,"data_points":…,"trace_requests":…,"metric_requests":…,"bad_requests":…}
//	POST /reset   sets every count to zero
//
// It stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/sink"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:14318", "listen address")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintf(os.Stderr, "sink: %v\n", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv := &http.Server{
		Addr: addr, Handler: sink.New().Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(os.Stderr, "sink: ", 0),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.ListenAndServe() }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}
