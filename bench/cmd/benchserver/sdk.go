package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// metricInterval matches the ebpf receiver's default histogram flush, so
// both configurations export metrics equally often.
const metricInterval = 10 * time.Second

// sdk is the OpenTelemetry Go SDK set up the way its documentation shows:
// batch span processor and periodic metric reader, both exporting
// OTLP/HTTP protobuf, every other setting left at its default.
type sdk struct {
	tp *sdktrace.TracerProvider
	mp *sdkmetric.MeterProvider
}

func startSDK(ctx context.Context, endpoint string) (*sdk, error) {
	res := resource.NewSchemaless(attribute.String("service.name", "benchserver"))
	spans, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(endpoint), otlptracehttp.WithInsecure())
	if err != nil {
		return nil, fmt.Errorf("create OTLP trace exporter: %w", err)
	}
	metrics, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(endpoint), otlpmetrichttp.WithInsecure())
	if err != nil {
		return nil, errors.Join(fmt.Errorf("create OTLP metric exporter: %w", err), spans.Shutdown(ctx))
	}
	return &sdk{
		tp: sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans), sdktrace.WithResource(res)),
		mp: sdkmetric.NewMeterProvider(
			sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics, sdkmetric.WithInterval(metricInterval))),
			sdkmetric.WithResource(res)),
	}, nil
}

// wrap instruments h with otelhttp, which records a server span and the
// http.server.* metrics for every request.
func (s *sdk) wrap(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, "benchserver",
		otelhttp.WithTracerProvider(s.tp), otelhttp.WithMeterProvider(s.mp))
}

// shutdown flushes and stops both providers.
func (s *sdk) shutdown(ctx context.Context) error {
	return errors.Join(s.tp.Shutdown(ctx), s.mp.Shutdown(ctx))
}
