// Command benchserver is the reference workload of `make bench`: a small
// net/http server with one JSON handler. With -otel it is instrumented with
// the OpenTelemetry Go SDK (otelhttp, batch span processor, periodic metric
// reader, OTLP/HTTP protobuf exporters), which is configuration (b).
// SIGTERM or SIGINT shuts it down and flushes the SDK.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// shutdownTimeout bounds the HTTP drain and the SDK flush together.
const shutdownTimeout = 10 * time.Second

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "listen address")
	otel := flag.Bool("otel", false, "instrument with the OpenTelemetry Go SDK (otelhttp)")
	otlp := flag.String("otlp", "127.0.0.1:14318", "OTLP/HTTP endpoint host:port for -otel")
	flag.Parse()
	if err := run(*addr, *otel, *otlp); err != nil {
		fmt.Fprintf(os.Stderr, "benchserver: %v\n", err)
		os.Exit(1)
	}
}

func run(addr string, instrument bool, otlp string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	var handler http.Handler = newMux()
	shutdownSDK := func(context.Context) error { return nil }
	if instrument {
		sdk, err := startSDK(ctx, otlp)
		if err != nil {
			return err
		}
		handler, shutdownSDK = sdk.wrap(handler), sdk.shutdown
	}
	srv := &http.Server{
		Addr: addr, Handler: handler,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(os.Stderr, "benchserver: ", 0),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.ListenAndServe() }()

	select {
	case err := <-serveErr:
		return errors.Join(fmt.Errorf("serve %s: %w", addr, err), shutdownSDK(context.Background()))
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return errors.Join(srv.Shutdown(sctx), shutdownSDK(sctx))
}

// message is the JSON body every request gets.
type message struct {
	Message string `json:"message"`
	N       int    `json:"n"`
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /json", serveJSON)
	return mux
}

// serveJSON encodes a small JSON document, as a typical API handler does.
func serveJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(message{Message: "hello", N: 42}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
