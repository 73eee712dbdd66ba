package tracer

import (
	"strings"
	"testing"
)

func TestFindCgroup2(t *testing.T) {
	hybrid := "sysfs /sys sysfs rw 0 0\ntmpfs /sys/fs/cgroup tmpfs ro 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw,nsdelegate 0 0\n"
	if got, err := findCgroup2(strings.NewReader(hybrid)); err != nil || got != "/sys/fs/cgroup/unified" {
		t.Errorf("hybrid: %q, %v", got, err)
	}
	v1 := "tmpfs /sys/fs/cgroup tmpfs ro 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"
	if _, err := findCgroup2(strings.NewReader(v1)); err == nil || !strings.Contains(err.Error(), "mount -t cgroup2") {
		t.Errorf("no cgroup2: %v, want the fix named", err)
	}
}
