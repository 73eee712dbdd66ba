package discovery

import (
	"bytes"
	"net/url"
	"strings"
)

// Variables of the OpenTelemetry SDK environment specification that name the
// service a process belongs to.
const (
	envServiceName        = "OTEL_SERVICE_NAME"
	envResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"
	attrServiceName       = "service.name" // keys inside OTEL_RESOURCE_ATTRIBUTES
	attrServiceNamespace  = "service.namespace"
)

// parseEnviron extracts the OpenTelemetry variables from the contents of
// /proc/<pid>/environ: NUL-terminated NAME=value entries as passed to execve.
// When a name appears twice the first wins, as with getenv(3).
func parseEnviron(b []byte) (serviceName string, attrs map[string]string) {
	var seenName, seenAttrs bool
	for len(b) > 0 {
		var entry []byte
		entry, b, _ = bytes.Cut(b, []byte{0})
		if v, ok := cutEnv(entry, envServiceName); ok && !seenName {
			serviceName, seenName = strings.TrimSpace(string(v)), true
		} else if v, ok := cutEnv(entry, envResourceAttributes); ok && !seenAttrs {
			attrs, seenAttrs = parseResourceAttributes(string(v)), true
		}
	}
	return serviceName, attrs
}

// cutEnv returns the value of entry when entry is NAME=value for name.
func cutEnv(entry []byte, name string) ([]byte, bool) {
	if len(entry) <= len(name) || entry[len(name)] != '=' || string(entry[:len(name)]) != name {
		return nil, false
	}
	return entry[len(name)+1:], true
}

// parseResourceAttributes parses OTEL_RESOURCE_ATTRIBUTES: comma-separated
// key=value members in W3C Baggage form without properties, values
// percent-encoded, spaces around keys and values ignored. A member without
// '=' or with an empty key is skipped so one typo costs one attribute, not
// all; a value that is not valid percent-encoding is kept as written; a key
// given twice keeps its last value. It returns nil when no member is valid.
func parseResourceAttributes(s string) map[string]string {
	var attrs map[string]string
	for member := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(member, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		v = strings.TrimSpace(v)
		if decoded, err := url.PathUnescape(v); err == nil {
			v = decoded // PathUnescape, unlike QueryUnescape, leaves '+' alone
		}
		if attrs == nil {
			attrs = make(map[string]string)
		}
		attrs[k] = v
	}
	return attrs
}

// serviceName applies the SDK's precedence: OTEL_SERVICE_NAME, then
// service.name from OTEL_RESOURCE_ATTRIBUTES, then the executable name.
func serviceName(fromEnv string, attrs map[string]string, exeName string) string {
	if fromEnv != "" {
		return fromEnv
	}
	if v := attrs[attrServiceName]; v != "" {
		return v
	}
	return exeName
}
