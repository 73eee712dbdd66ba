package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

// The one place for what the receiver follows from the OpenTelemetry
// semantic conventions v1.44.0 but go.opentelemetry.io/otel/semconv (which
// stops at v1.43.0) does not name. Every attribute the receiver writes is
// unchanged between the two versions, so only the schema and the values
// the conventions spell out in prose are here.
const (
	// schemaURL is the schema of the conventions the spans and metrics
	// follow.
	schemaURL = "https://opentelemetry.io/schemas/1.44.0"
	// redacted replaces what url.full must not carry: the values of the
	// query string, as the url.full note asks.
	redacted = "REDACTED"
)
