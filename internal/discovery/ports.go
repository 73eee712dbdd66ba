package discovery

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// PortRange is an inclusive range of TCP ports; a single port has First ==
// Last.
type PortRange struct{ First, Last uint16 }

// ParsePorts parses a port list such as "8080,9000-9100": comma-separated
// ports and inclusive ranges, spaces ignored.
func ParsePorts(s string) ([]PortRange, error) {
	var out []PortRange
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("port list %q: empty item", s)
		}
		first, last, isRange := strings.Cut(item, "-")
		lo, err := parsePort(first)
		if err != nil {
			return nil, err
		}
		hi := lo
		if isRange {
			if hi, err = parsePort(last); err != nil {
				return nil, err
			}
		}
		if hi < lo {
			return nil, fmt.Errorf("port range %q: ends before it starts", item)
		}
		out = append(out, PortRange{lo, hi})
	}
	return out, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("port %q: must be a number from 1 to 65535", s)
	}
	return uint16(n), nil
}

// anyPortIn reports whether one of ports lies in one of ranges.
func anyPortIn(ports []uint16, ranges []PortRange) bool {
	for _, p := range ports {
		for _, r := range ranges {
			if p >= r.First && p <= r.Last {
				return true
			}
		}
	}
	return false
}

// tcpListen is the state column of a listening socket in /proc/net/tcp.
const tcpListen = "0A"

// readListenPorts returns the TCP ports process dir listens on, sorted and
// unique: the inodes of its socket descriptors matched against the
// listening sockets of its network namespace (dir/net/tcp and tcp6).
func readListenPorts(dir string) ([]uint16, error) {
	inodes, err := socketInodes(dir)
	if err != nil || len(inodes) == 0 {
		return nil, err
	}
	var ports []uint16
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(filepath.Join(dir, "net", table))
		if errors.Is(err, fs.ErrNotExist) {
			continue // no IPv6 in this kernel
		}
		if err != nil {
			return nil, err
		}
		ports = appendListenPorts(ports, b, inodes)
	}
	slices.Sort(ports)
	return slices.Compact(ports), nil
}

// socketInodes returns the inodes of the sockets among dir/fd's
// descriptors ("socket:[12345]" links). An unreadable fd directory (another
// user's process, when not root) gives none.
func socketInodes(dir string) (map[string]struct{}, error) {
	fds, err := os.ReadDir(filepath.Join(dir, "fd"))
	if errors.Is(err, fs.ErrPermission) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	inodes := make(map[string]struct{})
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(dir, "fd", fd.Name()))
		if err != nil {
			continue // closed meanwhile
		}
		if inode, ok := strings.CutPrefix(link, "socket:["); ok {
			inodes[strings.TrimSuffix(inode, "]")] = struct{}{}
		}
	}
	return inodes, nil
}

// appendListenPorts adds the local ports of the listening sockets in table
// (the contents of /proc/<pid>/net/tcp or tcp6) whose inode is in inodes.
// Lines are "sl local_address rem_address st ... uid timeout inode ...",
// addresses as hex ADDR:PORT.
func appendListenPorts(ports []uint16, table []byte, inodes map[string]struct{}) []uint16 {
	sc := bufio.NewScanner(bytes.NewReader(table))
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != tcpListen {
			continue
		}
		if _, ours := inodes[f[9]]; !ours {
			continue
		}
		_, hexPort, _ := strings.Cut(f[1], ":")
		if port, err := strconv.ParseUint(hexPort, 16, 16); err == nil {
			ports = append(ports, uint16(port))
		}
	}
	return ports
}
