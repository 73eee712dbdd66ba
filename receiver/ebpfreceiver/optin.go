package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// optInNames are the opt-in attributes the receiver can add, as
// opt_in_attributes names them; each says where it goes.
var optInNames = []string{
	string(semconv.HTTPResponseBodySizeKey),   // HTTP server and client spans
	string(semconv.UserAgentOriginalKey),      // HTTP client spans (server spans always carry it)
	string(semconv.URLSchemeKey),              // HTTP client spans and http.client.request.duration
	string(semconv.DBResponseReturnedRowsKey), // database spans of SELECT statements
	string(semconv.ServerAddressKey),          // rpc.server.call.duration
	string(semconv.ServerPortKey),             // rpc.server.call.duration
}

// optIn says which opt-in attributes are switched on. The zero value
// switches none on, as the semantic conventions ask by default.
type optIn struct {
	httpResponseBodySize bool
	clientUserAgent      bool
	clientURLScheme      bool
	dbReturnedRows       bool
	rpcServerAddress     bool
	rpcServerPort        bool
}

// validateOptIn names every entry of opt_in_attributes that is not an
// opt-in attribute the receiver can add.
func validateOptIn(names []string) error {
	var errs []error
	for i, name := range names {
		if !slices.Contains(optInNames, name) {
			errs = append(errs, fmt.Errorf("opt_in_attributes[%d]: %q is not an opt-in attribute this receiver adds; use one of %s",
				i, name, strings.Join(optInNames, ", ")))
		}
	}
	return errors.Join(errs...)
}

// parseOptIn turns validated attribute names into switches.
func parseOptIn(names []string) optIn {
	on := func(key string) bool { return slices.Contains(names, key) }
	return optIn{
		httpResponseBodySize: on(string(semconv.HTTPResponseBodySizeKey)),
		clientUserAgent:      on(string(semconv.UserAgentOriginalKey)),
		clientURLScheme:      on(string(semconv.URLSchemeKey)),
		dbReturnedRows:       on(string(semconv.DBResponseReturnedRowsKey)),
		rpcServerAddress:     on(string(semconv.ServerAddressKey)),
		rpcServerPort:        on(string(semconv.ServerPortKey)),
	}
}

// withOptIn switches on the opt-in attributes of o in span conversion.
func (s *spanConverter) withOptIn(o optIn) *spanConverter {
	s.optIn = o
	return s
}

// withOptIn switches on the opt-in attributes of o in the series the
// aggregator keeps.
func (a *aggregator) withOptIn(o optIn) *aggregator {
	a.optIn = o
	return a
}

// withOptIn switches on the opt-in attributes of o in metric conversion.
func (m *metricConverter) withOptIn(o optIn) *metricConverter {
	m.optIn = o
	return m
}
