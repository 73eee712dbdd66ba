package discovery

import (
	"strings"
	"testing"
)

const testID = "8d1f6b7c2a0e4f3b9c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b"

func TestParseContainerID(t *testing.T) {
	tests := []struct {
		name, cgroup, want string
	}{
		{"docker cgroupfs", "0::/docker/" + testID + "\n", testID},
		{"docker systemd", "0::/system.slice/docker-" + testID + ".scope\n", testID},
		{
			"containerd in kubernetes",
			"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e3d4c_5b6a_7980_a1b2_c3d4e5f6a7b8.slice/cri-containerd-" + testID + ".scope\n",
			testID,
		},
		{"kubelet cgroupfs", "0::/kubepods/burstable/pod1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8/" + testID + "\n", testID},
		{"cri-o", "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-" + testID + ".scope\n", testID},
		{"podman", "0::/machine.slice/libpod-" + testID + ".scope/container\n", testID},
		{
			"podman rootless",
			"0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + testID + ".scope\n",
			testID,
		},
		{
			"cgroup v1 lines",
			"12:pids:/docker/" + testID + "\n11:memory:/docker/" + testID + "\n1:name=systemd:/docker/" + testID + "\n",
			testID,
		},
		{
			"cgroup v1 containerd with colons",
			"3:cpu,cpuacct:/system.slice/containerd.service/kubepods-besteffort-pod1.slice:cri-containerd:" + testID + "\n",
			testID,
		},
		{"host process", "0::/user.slice/user-1000.slice/session-3.scope\n", ""},
		{"system service", "0::/system.slice/nginx.service\n", ""},
		{"cgroup namespace root", "0::/\n", ""},
		{"empty", "", ""},
		{"short id", "0::/docker/" + testID[:63] + "\n", ""},
		{"upper case", "0::/docker/" + strings.ToUpper(testID) + "\n", ""},
		{"glued prefix", "0::/system.slice/docker" + testID + ".scope\n", ""},
		{"no path field", testID + "\n", ""},
	}
	for _, tt := range tests {
		if got := parseContainerID([]byte(tt.cgroup)); got != tt.want {
			t.Errorf("%s: parseContainerID = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzParseContainerID checks that any input parses without panic into
// either nothing or a 64-digit lower-case hex ID taken from the input.
func FuzzParseContainerID(f *testing.F) {
	f.Add("0::/system.slice/docker-" + testID + ".scope\n")
	f.Add("3:cpu:/a.slice:cri-containerd:" + testID)
	f.Add("0::/\n1:x\n::")
	f.Fuzz(func(t *testing.T, s string) {
		id := parseContainerID([]byte(s))
		if id == "" {
			return
		}
		if len(id) != containerIDLen || !isLowerHex(id) || !strings.Contains(s, id) {
			t.Fatalf("parseContainerID(%q) = %q", s, id)
		}
	})
}
