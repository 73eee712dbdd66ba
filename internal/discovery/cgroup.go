package discovery

import "strings"

// containerIDLen is the length of the hexadecimal container IDs that docker,
// containerd, CRI-O and podman generate (256 bits).
const containerIDLen = 64

// parseContainerID returns the container ID found in the contents of
// /proc/<pid>/cgroup, or "" for a process outside containers. Each line is
// hierarchy-id:controllers:path, one line under cgroup v2 and one per
// hierarchy under v1. The runtimes name the container's cgroup after its ID,
// with a prefix and a ".scope" suffix under the systemd driver:
//
//	/docker/<id>                                         docker, cgroupfs driver
//	/system.slice/docker-<id>.scope                      docker, systemd driver
//	/kubepods.slice/.../cri-containerd-<id>.scope        containerd
//	/kubepods/burstable/pod<uid>/<id>                    kubelet, cgroupfs driver
//	/kubepods.slice/.../crio-<id>.scope                  CRI-O
//	/machine.slice/libpod-<id>.scope/container           podman
//	.../kubepods-pod<uid>.slice:cri-containerd:<id>      containerd, cgroup v1
//
// so any path component that, once ".scope" is dropped, ends in 64 lowercase
// hex digits following nothing, '-' or ':' is taken as the ID, the deepest
// such component first.
func parseContainerID(cgroup []byte) string {
	for line := range strings.SplitSeq(string(cgroup), "\n") {
		_, rest, _ := strings.Cut(line, ":")
		_, path, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		if id := containerIDFromPath(path); id != "" {
			return id
		}
	}
	return ""
}

// parseCgroupPath returns the process's cgroup path from the contents of
// /proc/<pid>/cgroup: the cgroup v2 entry ("0::/path"), else the first v1
// hierarchy's path.
func parseCgroupPath(cgroup []byte) string {
	first := ""
	for line := range strings.SplitSeq(string(cgroup), "\n") {
		id, rest, _ := strings.Cut(line, ":")
		_, path, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		if id == "0" {
			return path
		}
		if first == "" {
			first = path
		}
	}
	return first
}

// containerIDFromPath looks for an ID in the components of one cgroup path,
// from the last to the first.
func containerIDFromPath(path string) string {
	for path != "" {
		i := strings.LastIndexByte(path, '/')
		if id := containerIDFromComponent(path[i+1:]); id != "" {
			return id
		}
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return ""
}

func containerIDFromComponent(c string) string {
	c = strings.TrimSuffix(c, ".scope")
	if len(c) < containerIDLen {
		return ""
	}
	prefix, id := c[:len(c)-containerIDLen], c[len(c)-containerIDLen:]
	if prefix != "" && !strings.HasSuffix(prefix, "-") && !strings.HasSuffix(prefix, ":") {
		return ""
	}
	if !isLowerHex(id) {
		return ""
	}
	return id
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
