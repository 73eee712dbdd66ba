package peers

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// Redis starts redis-server on 127.0.0.1, saving nothing, and waits until
// it answers.
func Redis(t testing.TB) *Server {
	t.Helper()
	privtest.RequireTool(t, "/usr/bin/redis-server")
	port := FreePort(t)
	srv := Start(t, port, "/usr/bin/redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := RedisCommand(port, "PING"); err == nil {
			return srv
		} else if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %d: %v", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// RedisCommand sends one command from this process (which tests do not
// capture) and returns the reply's text, all of it for a bulk string.
func RedisCommand(port int, args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	cmd := fmt.Sprintf("*%d\r\n", len(args))
	for _, a := range args {
		cmd += fmt.Sprintf("$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(cmd)); err != nil {
		return "", err
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case strings.HasPrefix(line, "-"):
		return "", fmt.Errorf("%s", line[1:])
	case strings.HasPrefix(line, "$"):
		n, _ := strconv.Atoi(line[1:])
		buf := make([]byte, n+2)
		_, err := io.ReadFull(r, buf)
		return string(buf[:n]), err
	}
	return line[1:], nil
}

// RedisCommandStats returns how many times the server ran or rejected
// each command since its statistics were reset (INFO commandstats), by
// the command's name in upper case; subcommands count for their command.
func RedisCommandStats(t testing.TB, port int) map[string]int {
	t.Helper()
	info, err := RedisCommand(port, "INFO", "commandstats")
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	stats := map[string]int{}
	for _, line := range strings.Split(info, "\n") {
		name, fields, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "cmdstat_")), ":")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ = strings.Cut(name, "|")
		for _, f := range strings.Split(fields, ",") {
			k, v, _ := strings.Cut(f, "=")
			if k == "calls" || k == "rejected_calls" {
				n, _ := strconv.Atoi(v)
				stats[strings.ToUpper(name)] += n
			}
		}
	}
	return stats
}

// RedisCLI runs redis-cli with the commands of redis/cli-commands.txt on
// its standard input, one a line (those of the redis-cli recordings), and
// returns what it printed.
func RedisCLI(t testing.TB, args ...string) string {
	t.Helper()
	privtest.RequireTool(t, "/usr/bin/redis-cli")
	commands, err := os.ReadFile(filepath.Join(peersDir(), "redis", "cli-commands.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return runToolInput(t, string(commands), "/usr/bin/redis-cli", args...)
}

// RedisBenchmark runs redis-benchmark with args and returns what it
// printed.
func RedisBenchmark(t testing.TB, args ...string) string {
	t.Helper()
	privtest.RequireTool(t, "/usr/bin/redis-benchmark")
	return runTool(t, "/usr/bin/redis-benchmark", args...)
}

// RedisPython runs the python3-redis client session (redis/client.py)
// against the server on port, publishing through a connection of its own.
func RedisPython(t testing.TB, port int) string {
	t.Helper()
	privtest.RequireTool(t, "/usr/bin/python3")
	script := filepath.Join(peersDir(), "redis", "client.py")
	p := strconv.Itoa(port)
	return runTool(t, "/usr/bin/python3", script, p, p)
}
