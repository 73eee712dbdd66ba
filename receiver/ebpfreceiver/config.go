package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"errors"
	"fmt"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
)

// Temporality values accepted by metrics::temporality.
const (
	TemporalityCumulative = "cumulative"
	TemporalityDelta      = "delta"
)

// Transport values accepted by capture::transport.
const (
	TransportAuto    = "auto"
	TransportRingbuf = "ringbuf"
	TransportPerf    = "perf"
)

// Values accepted by db::query_text.
const (
	QueryTextSanitized = "sanitized"
	QueryTextRaw       = "raw"
	QueryTextOff       = "off"
)

var queryTextModes = map[string]stream.QueryTextMode{
	QueryTextSanitized: stream.QueryTextSanitized,
	QueryTextRaw:       stream.QueryTextRaw,
	QueryTextOff:       stream.QueryTextOff,
}

// Limits checked by Validate.
const (
	minPayloadBytes  = 64
	maxPayloadBytes  = 4096
	minBufferSize    = 64 << 10
	maxBufferSize    = 1 << 30
	minInterval      = 100 * time.Millisecond
	maxTraceBatch    = 65536
	defaultBatchSize = 512
)

// Config is the user configuration of the ebpf receiver. Unknown keys are
// rejected when the collector decodes it.
type Config struct {
	Discovery DiscoveryConfig `mapstructure:"discovery"`
	Protocols ProtocolsConfig `mapstructure:"protocols"`
	DB        DBConfig        `mapstructure:"db"`
	Routes    RoutesConfig    `mapstructure:"routes"`
	Traces    TracesConfig    `mapstructure:"traces"`
	Metrics   MetricsConfig   `mapstructure:"metrics"`
	Capture   CaptureConfig   `mapstructure:"capture"`
	QueueTime QueueTimeConfig `mapstructure:"queue_time"`
	// OptInAttributes switches on attributes the semantic conventions
	// leave off by default: http.response.body.size, user_agent.original
	// and url.scheme (HTTP client spans), db.response.returned_rows,
	// server.address and server.port (rpc.server.call.duration).
	OptInAttributes []string `mapstructure:"opt_in_attributes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// ProtocolsConfig turns protocol decoders on or off.
type ProtocolsConfig struct {
	// HTTP decodes HTTP/1.x and plain HTTP/2 requests and responses.
	HTTP bool `mapstructure:"http"`
	// GRPC decodes gRPC calls over HTTP/2.
	GRPC bool `mapstructure:"grpc"`
	// Postgres decodes the PostgreSQL wire protocol.
	Postgres bool `mapstructure:"postgres"`
	// MySQL decodes the MySQL / MariaDB client/server protocol.
	MySQL bool `mapstructure:"mysql"`
	// Redis decodes the Redis serialization protocol (RESP2 and RESP3).
	Redis bool `mapstructure:"redis"`
	// MongoDB decodes the MongoDB wire protocol.
	MongoDB bool `mapstructure:"mongodb"`
	// Kafka decodes the Apache Kafka protocol: Produce and Fetch.
	Kafka bool `mapstructure:"kafka"`
	// TLS decodes the protocols above inside TLS connections, from the
	// plaintext that libssl and Go's crypto/tls handle (uprobes).
	TLS bool `mapstructure:"tls"`
}

// DBConfig controls what database spans carry.
type DBConfig struct {
	// QueryText is "sanitized" (every literal replaced by "?"), "raw" or
	// "off".
	QueryText string `mapstructure:"query_text"`
}

// Values of traces::propagation.
const (
	PropagationNone      = "none"
	PropagationTCPOption = "tcp_option"
)

// TracesConfig controls trace context and how spans are batched before the
// next consumer.
type TracesConfig struct {
	// Context links spans into traces: incoming traceparent, client to
	// server on the node, and calls made while handling a request (see the
	// README's "Trace context"). Off, every span starts a trace of its own.
	Context bool `mapstructure:"context"`
	// Propagation carries trace context between nodes below the
	// application: "none" (the default) or "tcp_option", a TCP header
	// option on the segment that begins each request a captured client
	// sends, read by the server's node (see the README's "Traces across
	// nodes"). It needs trace context on.
	Propagation string `mapstructure:"propagation"`
	// PropagationCgroup is the cgroup v2 directory the sockops program
	// attaches to: every TCP socket of its processes and their
	// descendants' is covered. Empty: the root of the cgroup v2 hierarchy
	// mounted in the collector's mount namespace (in a container with its
	// own cgroup namespace, mount the host's /sys/fs/cgroup and name it).
	PropagationCgroup string `mapstructure:"propagation_cgroup"`
	// BatchSize is the number of spans that triggers a send.
	BatchSize int `mapstructure:"batch_size"`
	// FlushInterval is the longest a span waits before it is sent.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
}

// MetricsConfig controls the duration histograms aggregated in the receiver.
type MetricsConfig struct {
	// Interval is how often the histograms are sent.
	Interval time.Duration `mapstructure:"interval"`
	// Temporality is "cumulative" or "delta".
	Temporality string `mapstructure:"temporality"`
	// CardinalityLimit is the number of attribute sets each histogram
	// keeps per process; beyond it observations go to one series marked
	// otel.metric.overflow=true.
	CardinalityLimit int `mapstructure:"cardinality_limit"`
}

// QueueTimeConfig controls queue time: how long each server request waited
// in its socket before the process read it (see the README's "Queue
// time").
type QueueTimeConfig struct {
	// Enabled measures it, on kernels with the sock:sk_data_ready
	// tracepoint (6.3 and later): server spans then start when the request
	// began to wait and mark where processing began, and the
	// ebpf.*.queue.duration histograms are sent.
	Enabled bool `mapstructure:"enabled"`
}

// CaptureConfig sizes the kernel capture.
type CaptureConfig struct {
	// MaxPayloadBytes is how many bytes of each read or write are copied
	// from the kernel, 64 to 4096.
	MaxPayloadBytes int `mapstructure:"max_payload_bytes"`
	// BufferSize is the size of the kernel-to-collector buffer: a power of
	// two of at least 64KiB, written as bytes or as "8MiB".
	BufferSize ByteSize `mapstructure:"buffer_size"`
	// Transport is "auto" (the ring buffer where the kernel has one, else
	// perf), "ringbuf" or "perf" (per-CPU perf buffers, for kernels
	// without a BPF ring buffer; buffer_size is split across the CPUs).
	Transport string `mapstructure:"transport"`
}

func createDefaultConfig() *Config {
	return &Config{
		Protocols: ProtocolsConfig{HTTP: true, GRPC: true, Postgres: true, MySQL: true, Redis: true, MongoDB: true, Kafka: true, TLS: true},
		DB:        DBConfig{QueryText: QueryTextSanitized},
		Traces:    TracesConfig{Context: true, Propagation: PropagationNone, BatchSize: defaultBatchSize, FlushInterval: 200 * time.Millisecond},
		Metrics: MetricsConfig{
			Interval: 10 * time.Second, Temporality: TemporalityCumulative, CardinalityLimit: defaultSeriesLimit,
		},
		Routes: RoutesConfig{Unmatched: RoutesHeuristic},
		Capture: CaptureConfig{
			MaxPayloadBytes: 1024,
			BufferSize:      8 << 20,
			Transport:       TransportAuto,
		},
		QueueTime: QueueTimeConfig{Enabled: true},
	}
}

// Validate checks every key and names the key path of each error.
func (cfg *Config) Validate() error {
	return errors.Join(
		validateRules("discovery::instrument", cfg.Discovery.Instrument),
		validateRules("discovery::exclude", cfg.Discovery.Exclude),
		cfg.Traces.validate(),
		cfg.Metrics.validate(),
		cfg.Capture.validate(),
		cfg.DB.validate(),
		cfg.Routes.validate(),
		validateOptIn(cfg.OptInAttributes),
	)
}

func (c DBConfig) validate() error {
	if _, ok := queryTextModes[c.QueryText]; !ok {
		return fmt.Errorf("db::query_text: must be %q, %q or %q, got %q",
			QueryTextSanitized, QueryTextRaw, QueryTextOff, c.QueryText)
	}
	return nil
}

func (c TracesConfig) validate() error {
	var errs []error
	if c.BatchSize < 1 || c.BatchSize > maxTraceBatch {
		errs = append(errs, fmt.Errorf("traces::batch_size: must be between 1 and %d, got %d", maxTraceBatch, c.BatchSize))
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("traces::flush_interval: must be positive, got %s", c.FlushInterval))
	}
	switch {
	case c.Propagation != PropagationNone && c.Propagation != PropagationTCPOption:
		errs = append(errs, fmt.Errorf("traces::propagation: must be %q or %q, got %q", PropagationNone, PropagationTCPOption, c.Propagation))
	case c.Propagation == PropagationTCPOption && !c.Context:
		errs = append(errs, errors.New("traces::propagation: tcp_option needs traces::context on"))
	}
	return errors.Join(errs...)
}

func (c MetricsConfig) validate() error {
	var errs []error
	if c.Interval < minInterval {
		errs = append(errs, fmt.Errorf("metrics::interval: must be at least %s, got %s", minInterval, c.Interval))
	}
	switch c.Temporality {
	case TemporalityCumulative, TemporalityDelta:
	default:
		errs = append(errs, fmt.Errorf("metrics::temporality: must be %q or %q, got %q",
			TemporalityCumulative, TemporalityDelta, c.Temporality))
	}
	if c.CardinalityLimit < 1 {
		errs = append(errs, fmt.Errorf("metrics::cardinality_limit: must be at least 1, got %d", c.CardinalityLimit))
	}
	return errors.Join(errs...)
}

func (c CaptureConfig) validate() error {
	var errs []error
	if c.MaxPayloadBytes < minPayloadBytes || c.MaxPayloadBytes > maxPayloadBytes {
		errs = append(errs, fmt.Errorf("capture::max_payload_bytes: must be between %d and %d, got %d",
			minPayloadBytes, maxPayloadBytes, c.MaxPayloadBytes))
	}
	if err := c.BufferSize.validateBuffer(); err != nil {
		errs = append(errs, fmt.Errorf("capture::buffer_size: %w", err))
	}
	switch c.Transport {
	case TransportAuto, TransportRingbuf, TransportPerf:
	default:
		errs = append(errs, fmt.Errorf("capture::transport: must be %q, %q or %q, got %q",
			TransportAuto, TransportRingbuf, TransportPerf, c.Transport))
	}
	return errors.Join(errs...)
}

// engineConfig translates the user configuration for the capture engine.
func (cfg *Config) engineConfig() engine.Config {
	return engine.Config{
		Instrument: engineRules(cfg.Discovery.Instrument),
		Exclude:    engineRules(cfg.Discovery.Exclude),
		Routes:     cfg.Routes.engineRoutes(),
		Protocols: stream.Protocols{
			HTTP1: cfg.Protocols.HTTP, HTTP2: cfg.Protocols.HTTP, GRPC: cfg.Protocols.GRPC,
			Postgres: cfg.Protocols.Postgres, MySQL: cfg.Protocols.MySQL, Redis: cfg.Protocols.Redis,
			MongoDB: cfg.Protocols.MongoDB, Kafka: cfg.Protocols.Kafka,
		},
		DBQueryText:     queryTextModes[cfg.DB.QueryText],
		MaxPayloadBytes: cfg.Capture.MaxPayloadBytes,
		BufferSize:      int(cfg.Capture.BufferSize),
		Transport:       cfg.Capture.Transport,
		TLS:             cfg.Protocols.TLS,
		TraceContext:    cfg.Traces.Context,
		Propagate:       cfg.Traces.Propagation == PropagationTCPOption,
		PropagateCgroup: cfg.Traces.PropagationCgroup,
		QueueTime:       cfg.QueueTime.Enabled,
	}
}
