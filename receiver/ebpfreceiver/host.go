package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"os"
	"strings"
)

// hostInfo identifies the node in every resource: host.name and host.id.
type hostInfo struct {
	name string // the kernel's host name; "" when unknown
	id   string // the machine id; "" when unknown
}

// machineIDFiles hold the machine id that host.id carries, as the
// OpenTelemetry resource detectors read it: systemd's, then D-Bus's copy.
// In a Kubernetes pod they are the node's when mounted from the host.
var machineIDFiles = []string{"/etc/machine-id", "/var/lib/dbus/machine-id"}

// readHostInfo reads the node's identity once, at start; what cannot be
// read is left out of resources.
func readHostInfo() hostInfo {
	var h hostInfo
	h.name, _ = os.Hostname()
	for _, f := range machineIDFiles {
		if b, err := os.ReadFile(f); err == nil {
			if h.id = strings.TrimSpace(string(b)); h.id != "" {
				break
			}
		}
	}
	return h
}
