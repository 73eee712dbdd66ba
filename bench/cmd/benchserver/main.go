// Command benchserver is the reference workload of `make bench`: a small
// net/http server with one JSON handler. With -otel it is instrumented with
// the OpenTelemetry Go SDK (otelhttp, batch span processor, periodic metric
// reader, OTLP/HTTP protobuf exporters), which is configuration (b). With
// -downstream URL the handler first makes a GET of URL of its own through
// one shared keep-alive client, as a service calling another does: the
// server of configurations (e) and (f), whose downstream is a second
// benchserver.
// SIGTERM or SIGINT shuts it down and flushes the SDK.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
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
	downstream := flag.String("downstream", "", "URL every request first GETs, e.g. http://127.0.0.1:18081/json")
	flag.Parse()
	if err := run(*addr, *otel, *otlp, *downstream); err != nil {
		fmt.Fprintf(os.Stderr, "benchserver: %v\n", err)
		os.Exit(1)
	}
}

func run(addr string, instrument bool, otlp, downstream string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	var handler http.Handler = newMux(downstream)
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

func newMux(downstream string) *http.ServeMux {
	mux := http.NewServeMux()
	if downstream == "" {
		mux.HandleFunc("GET /json", serveJSON)
		return mux
	}
	c := &caller{url: downstream, client: &http.Client{
		Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256},
		Timeout:   10 * time.Second,
	}}
	mux.HandleFunc("GET /json", c.serveJSON)
	return mux
}

// caller serves a request after a call to a downstream service through one
// pooled client.
type caller struct {
	url    string
	client *http.Client
}

func (c *caller) serveJSON(w http.ResponseWriter, r *http.Request) {
	if err := c.call(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	serveJSON(w, r)
}

// call GETs the downstream URL and reads the whole answer, so that the
// connection goes back to the pool.
func (c *caller) call(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("call downstream: %w", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("read downstream: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("downstream answered %d", resp.StatusCode)
	}
	return nil
}

// serveJSON encodes a small JSON document, as a typical API handler does.
func serveJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(message{Message: "hello", N: 42}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
