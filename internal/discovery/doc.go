// Package discovery decides which processes of the node are instrumented and
// describes them. Everything comes from procfs, whose root is a parameter so
// tests run against a fake tree: /proc/<pid>/stat gives the parent and the
// start time (the pair (PID, start time) names a process for its lifetime,
// since PIDs are reused), exe and cmdline give the program, environ gives the
// OpenTelemetry SDK variables a user may already set, and cgroup gives the
// container. A Selector applies the user's instrument and exclude rules and
// never selects the collector itself; a Registry caches what was read so the
// per-call lookup costs a map read, and is kept in step with the kernel's
// exec and exit events.
package discovery
