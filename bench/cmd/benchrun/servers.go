package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// startServer runs benchserver for cfg and waits until it accepts
// connections. Only a TCP connect is tried, so the probe makes no span.
func (b *bench) startServer(ctx context.Context, cfg configuration, tag string) (*process, error) {
	argv := []string{b.opts.benchserver, "-addr", b.opts.serverAddr}
	if cfg.otel {
		argv = append(argv, "-otel", "-otlp", b.opts.sinkAddr)
	}
	if cfg.downstream {
		argv = append(argv, "-downstream", "http://"+b.opts.downstreamAddr+"/json")
	}
	return b.startBenchserver(ctx, "server-"+tag, b.opts.serverAddr, argv)
}

// startDownstream runs the plain benchserver that the server of (e) and
// (f) calls.
func (b *bench) startDownstream(ctx context.Context, tag string) (*process, error) {
	argv := []string{b.opts.benchserver, "-addr", b.opts.downstreamAddr}
	return b.startBenchserver(ctx, "downstream-"+tag, b.opts.downstreamAddr, argv)
}

func (b *bench) startBenchserver(ctx context.Context, logName, addr string, argv []string) (*process, error) {
	out, err := b.logFile(logName)
	if err != nil {
		return nil, err
	}
	p, err := b.children.start("benchserver", out, nil, argv...)
	if err != nil {
		return nil, err
	}
	if err := waitListening(ctx, p, addr); err != nil {
		return nil, errors.Join(err, p.stop())
	}
	return p, nil
}

// waitListening dials addr until it answers, p exits or 10 s pass.
func waitListening(ctx context.Context, p *process, addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if p.exited() {
			return fmt.Errorf("wait for %s: exited: %v", p.name, p.waitErr)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait for %s on %s: %w", p.name, addr, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// startSink runs the sink for the whole session.
func (b *bench) startSink(ctx context.Context) error {
	out, err := b.logFile("sink")
	if err != nil {
		return err
	}
	p, err := b.children.start("sink", out, nil, b.opts.sinkBin, "-addr", b.opts.sinkAddr)
	if err != nil {
		return err
	}
	if err := waitListening(ctx, p, b.opts.sinkAddr); err != nil {
		return err
	}
	return b.sink.Reset(ctx)
}
