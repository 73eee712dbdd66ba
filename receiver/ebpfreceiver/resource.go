package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"maps"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// instanceNamespace is the UUID namespace the semantic conventions recommend
// for deriving service.instance.id as a UUID v5.
var instanceNamespace = uuid.MustParse("4d63009a-8d0f-11ee-aad7-4c796ed8e320")

// unknownService is service.name when nothing better is known, as the
// OpenTelemetry SDKs do.
const unknownService = "unknown_service"

// maxCachedInstanceIDs bounds the instance-ID cache; it is cleared when full.
const maxCachedInstanceIDs = 4096

// processKey identifies a process across PID reuse.
type processKey struct {
	pid   uint32
	start uint64
}

func processKeyOf(c *call.Call) processKey {
	if c.Process == nil {
		return processKey{pid: c.PID}
	}
	return processKey{pid: c.Process.PID, start: c.Process.StartTime}
}

// resourceBuilder fills the resource of one process. It is not safe for
// concurrent use: each goroutine that builds pdata owns one.
type resourceBuilder struct {
	host        hostInfo
	instanceIDs map[processKey]string
}

func newResourceBuilder(host hostInfo) *resourceBuilder {
	return &resourceBuilder{host: host, instanceIDs: make(map[processKey]string)}
}

// fill writes the resource attributes of the process p (nil when the engine
// could not describe it, then only pid is known). The process's
// OTEL_RESOURCE_ATTRIBUTES come first; what the kernel observed (process.*,
// container.id, host.name) overrides them.
func (b *resourceBuilder) fill(res pcommon.Resource, p *call.Process, pid uint32) {
	attrs := res.Attributes()
	if p == nil {
		p = &call.Process{PID: pid}
	}
	attrs.EnsureCapacity(len(p.ResourceAttributes) + 14)
	for _, k := range slices.Sorted(maps.Keys(p.ResourceAttributes)) {
		attrs.PutStr(k, p.ResourceAttributes[k])
	}
	attrs.PutStr(string(semconv.ServiceNameKey), serviceName(p))
	if _, ok := p.ResourceAttributes[string(semconv.ServiceNamespaceKey)]; !ok {
		putNonEmpty(attrs, string(semconv.ServiceNamespaceKey), p.ServiceNamespace)
	}
	if _, ok := p.ResourceAttributes[string(semconv.ServiceInstanceIDKey)]; !ok {
		attrs.PutStr(string(semconv.ServiceInstanceIDKey), b.instanceID(p))
	}
	attrs.PutInt(string(semconv.ProcessPIDKey), int64(p.PID))
	if p.ParentPID != 0 {
		attrs.PutInt(string(semconv.ProcessParentPIDKey), int64(p.ParentPID))
	}
	putNonEmpty(attrs, string(semconv.ProcessExecutableNameKey), p.ExecutableName)
	putNonEmpty(attrs, string(semconv.ProcessExecutablePathKey), p.ExecutablePath)
	putNonEmpty(attrs, string(semconv.ProcessCommandKey), p.Command)
	putNonEmpty(attrs, string(semconv.ProcessRuntimeNameKey), p.RuntimeName)
	putNonEmpty(attrs, string(semconv.ContainerIDKey), p.ContainerID)
	putNonEmpty(attrs, string(semconv.HostNameKey), b.host.name)
	putNonEmpty(attrs, string(semconv.HostIDKey), b.host.id)
	attrs.PutStr(string(semconv.OSTypeKey), semconv.OSTypeLinux.Value.AsString())
}

// serviceName resolves service.name as an SDK in the process would:
// OTEL_SERVICE_NAME (the engine's ServiceName when it differs from the
// executable name), then service.name in OTEL_RESOURCE_ATTRIBUTES, then the
// executable name, then "unknown_service".
func serviceName(p *call.Process) string {
	fromEnv := p.ServiceName != "" && p.ServiceName != p.ExecutableName
	if fromEnv {
		return p.ServiceName
	}
	if name := p.ResourceAttributes[string(semconv.ServiceNameKey)]; name != "" {
		return name
	}
	switch {
	case p.ServiceName != "":
		return p.ServiceName
	case p.ExecutableName != "":
		return p.ExecutableName
	default:
		return unknownService
	}
}

// instanceID derives service.instance.id as a UUID v5 of
// "host.name/pid/start time": stable for the life of the process, distinct
// across PID reuse and across hosts, identical for spans and metrics.
func (b *resourceBuilder) instanceID(p *call.Process) string {
	key := processKey{pid: p.PID, start: p.StartTime}
	if id, ok := b.instanceIDs[key]; ok {
		return id
	}
	if len(b.instanceIDs) >= maxCachedInstanceIDs {
		clear(b.instanceIDs)
	}
	name := b.host.name + "/" + strconv.FormatUint(uint64(p.PID), 10) + "/" + strconv.FormatUint(p.StartTime, 10)
	id := uuid.NewSHA1(instanceNamespace, []byte(name)).String()
	b.instanceIDs[key] = id
	return id
}

func putNonEmpty(attrs pcommon.Map, key, value string) {
	if value != "" {
		attrs.PutStr(key, value)
	}
}
