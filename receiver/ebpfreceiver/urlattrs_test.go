package ebpfreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestURLFull(t *testing.T) {
	tests := []struct {
		scheme, host string
		port         uint16
		path, query  string
		want         string
	}{
		{"http", "example.com", 80, "/a", "", "http://example.com/a"},
		{"https", "example.com", 443, "/a", "REDACTED", "https://example.com/a?REDACTED"},
		{"http", "example.com", 8080, "/", "", "http://example.com:8080/"},
		{"https", "example.com", 80, "/", "", "https://example.com:80/"},
		{"http", "::1", 9000, "/x", "", "http://[::1]:9000/x"},
		{"http", "10.0.0.9", 0, "", "", "http://10.0.0.9"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, urlFull(tt.scheme, tt.host, tt.port, tt.path, tt.query))
	}
}
