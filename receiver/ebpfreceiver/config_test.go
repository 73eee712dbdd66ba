package ebpfreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/internal/route"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadata"
)

// loadConfig decodes the receiver configuration named id from
// testdata/config.yaml over the defaults, as the collector does.
func loadConfig(t *testing.T, id string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(id)
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	return cfg, sub.Unmarshal(cfg)
}

func TestLoadConfig(t *testing.T) {
	custom := createDefaultConfig()
	custom.Discovery = DiscoveryConfig{
		Instrument: []RuleConfig{
			{ExePath: "*/python3*"},
			{PIDs: []uint32{1234, 5678}},
			{ExePath: "/usr/sbin/nginx", PIDs: []uint32{42}},
			{
				CmdArgs: "*manage.py runserver*", OpenPorts: "8000,9000-9100", ContainerID: "3f*",
				CgroupPath: "/kubepods*", Languages: []string{"python", "other"}, MinProcessAge: 5 * time.Second,
				ServiceName: "shop", ServiceNamespace: "retail",
			},
		},
		Exclude: []RuleConfig{{ExePath: "*/otelcol*"}},
	}
	custom.Protocols.HTTP = false
	custom.Routes = RoutesConfig{Patterns: []string{"/users/{id}", "/static/*"}, Unmatched: RoutesWildcard, Ignore: []string{"/healthz"}}
	custom.DB.QueryText = QueryTextOff
	custom.Traces = TracesConfig{Context: false, Propagation: PropagationNone, BatchSize: 128, FlushInterval: time.Second}
	custom.Metrics = MetricsConfig{Interval: 30 * time.Second, Temporality: TemporalityDelta, CardinalityLimit: 200}
	custom.Capture = CaptureConfig{MaxPayloadBytes: 256, BufferSize: 16 << 20, Transport: TransportRingbuf}
	custom.QueueTime.Enabled = false
	custom.OptInAttributes = []string{"http.response.body.size", "server.port"}

	intBuffer := createDefaultConfig()
	intBuffer.Capture.BufferSize = 128 << 10
	kibBuffer := createDefaultConfig()
	kibBuffer.Capture.BufferSize = 64 << 10

	tests := []struct {
		id   component.ID
		want *Config
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig()},
		{id: component.NewIDWithName(metadata.Type, "custom"), want: custom},
		{id: component.NewIDWithName(metadata.Type, "int_buffer"), want: intBuffer},
		{id: component.NewIDWithName(metadata.Type, "kib_buffer"), want: kibBuffer},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg, err := loadConfig(t, tt.id.String())
			require.NoError(t, err)
			require.NoError(t, confmap.Validate(cfg))
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	cfg := createDefaultConfig()
	assert.True(t, cfg.Protocols.HTTP)
	assert.True(t, cfg.Protocols.TLS)
	assert.Equal(t, 10*time.Second, cfg.Metrics.Interval)
	assert.Equal(t, TemporalityCumulative, cfg.Metrics.Temporality)
	assert.Equal(t, 1024, cfg.Capture.MaxPayloadBytes)
	assert.Equal(t, ByteSize(8<<20), cfg.Capture.BufferSize)
	assert.Equal(t, TransportAuto, cfg.Capture.Transport)
	assert.Equal(t, 512, cfg.Traces.BatchSize)
	assert.Equal(t, 200*time.Millisecond, cfg.Traces.FlushInterval)
	assert.True(t, cfg.QueueTime.Enabled)
	assert.NoError(t, cfg.Validate())
}

func TestLoadConfigRejectsUnknownKeys(t *testing.T) {
	for id, key := range map[string]string{
		"ebpf/unknown_top_key":   "route",
		"ebpf/unknown_rule_key":  "open_port",
		"ebpf/bad_buffer_string": `invalid size "8MB"`,
	} {
		t.Run(id, func(t *testing.T) {
			_, err := loadConfig(t, id)
			require.Error(t, err)
			assert.Contains(t, err.Error(), key)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		id   string
		want []string
	}{
		{"payload_too_small", []string{"capture::max_payload_bytes: must be between 64 and 4096, got 10"}},
		{"payload_too_large", []string{"capture::max_payload_bytes: must be between 64 and 4096, got 8192"}},
		{"buffer_not_power_of_two", []string{"capture::buffer_size: must be a power of two, got 96KiB (98304 bytes)"}},
		{"buffer_too_small", []string{"capture::buffer_size: must be between 64KiB and 1GiB, got 4KiB"}},
		{"bad_transport", []string{`capture::transport: must be "auto", "ringbuf" or "perf", got "xdp"`}},
		{"bad_temporality", []string{`metrics::temporality: must be "cumulative" or "delta", got "gauge"`}},
		{"short_interval", []string{"metrics::interval: must be at least 100ms, got 10ms"}},
		{"bad_batch", []string{
			"traces::batch_size: must be between 1 and 65536, got 0",
			"traces::flush_interval: must be positive, got 0s",
		}},
		{"bad_propagation", []string{`traces::propagation: must be "none" or "tcp_option", got "ip_option"`}},
		{"propagation_without_context", []string{"traces::propagation: tcp_option needs traces::context on"}},
		{"empty_rule", []string{"discovery::exclude::0: rule sets no field: set one of exe_path, cmd_args, open_ports"}},
		{"bad_ports", []string{`discovery::instrument::0: open_ports: port range "9100-9000": ends before it starts`}},
		{"bad_routes", []string{
			`routes::unmatched: unknown mode "exact": use heuristic, path or wildcard`,
			`routes::patterns[0]: pattern "users/{id}": must start with /`,
		}},
		{"bad_cardinality", []string{"metrics::cardinality_limit: must be at least 1, got 0"}},
		{"bad_opt_in", []string{
			`opt_in_attributes[1]: "http.request.body.size" is not an opt-in attribute this receiver adds; ` +
				"use one of http.response.body.size, user_agent.original, url.scheme, db.response.returned_rows, server.address, server.port",
			`opt_in_attributes[2]: "url.query" is not an opt-in attribute`,
		}},
		{"bad_language", []string{`discovery::instrument::0: languages[1]: "cobol" is not one of [go python node java ruby dotnet other]`}},
		{"bad_glob", []string{`discovery::instrument::0: exe_path "/usr/bin/[python": syntax error in pattern`}},
		{"zero_pid", []string{"discovery::instrument::0: pids[1]: 0 is not a process id"}},
		{"two_errors", []string{
			"capture::max_payload_bytes: must be between 64 and 4096, got 10",
			`capture::transport: must be "auto", "ringbuf" or "perf", got "xdp"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			cfg, err := loadConfig(t, "ebpf/"+tt.id)
			require.NoError(t, err)
			err = cfg.Validate()
			require.Error(t, err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    ByteSize
		wantErr bool
	}{
		{in: "65536", want: 64 << 10},
		{in: "64KiB", want: 64 << 10},
		{in: "8MiB", want: 8 << 20},
		{in: "8 MiB", want: 8 << 20},
		{in: "1GiB", want: 1 << 30},
		{in: "512B", want: 512},
		{in: "8MB", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "MiB", wantErr: true},
		{in: "1.5MiB", wantErr: true},
		{in: "99999999999GiB", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var b ByteSize
			err := b.UnmarshalText([]byte(tt.in))
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, b)
		})
	}
	assert.Equal(t, "8MiB", ByteSize(8<<20).String())
	assert.Equal(t, "100", ByteSize(100).String())
	assert.Equal(t, "0", ByteSize(0).String())
}

func TestEngineConfig(t *testing.T) {
	cfg, err := loadConfig(t, "ebpf/custom")
	require.NoError(t, err)
	want := engine.Config{
		Instrument: []discovery.Rule{
			{ExePath: "*/python3*"},
			{PIDs: []uint32{1234, 5678}},
			{ExePath: "/usr/sbin/nginx", PIDs: []uint32{42}},
			{
				CmdArgs: "*manage.py runserver*", OpenPorts: []discovery.PortRange{{First: 8000, Last: 8000}, {First: 9000, Last: 9100}},
				ContainerID: "3f*", CgroupPath: "/kubepods*", Languages: []string{"python", "other"},
				MinProcessAge: 5 * time.Second, ServiceName: "shop", ServiceNamespace: "retail",
			},
		},
		Exclude: []discovery.Rule{{ExePath: "*/otelcol*"}},
		Routes: route.Config{
			Patterns: []string{"/users/{id}", "/static/*"}, Unmatched: route.Wildcard, Ignore: []string{"/healthz"},
		},
		DBQueryText:     stream.QueryTextOff,
		Protocols:       stream.Protocols{GRPC: true, Postgres: true, MySQL: true, Redis: true, MongoDB: true, Kafka: true},
		MaxPayloadBytes: 256,
		BufferSize:      16 << 20,
		Transport:       TransportRingbuf,
		TLS:             true,
		TraceContext:    false,
	}
	assert.Equal(t, want, cfg.engineConfig())
}

func TestParseOptIn(t *testing.T) {
	assert.Equal(t, optIn{}, parseOptIn(nil), "everything off by default")
	assert.Equal(t, optIn{httpResponseBodySize: true, rpcServerPort: true},
		parseOptIn([]string{"http.response.body.size", "server.port"}))
	all := parseOptIn(optInNames)
	assert.Equal(t, optIn{
		httpResponseBodySize: true, clientUserAgent: true, clientURLScheme: true,
		dbReturnedRows: true, rpcServerAddress: true, rpcServerPort: true,
	}, all)
}
