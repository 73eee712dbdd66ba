package peers

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// KafkaProgram builds a program of the test/kafkapeers module
// ("./cmd/kfake", "./cmd/kafkaclient") once per test binary and returns
// its path.
func KafkaProgram(t testing.TB, pkg string) string {
	t.Helper()
	return buildIn(t, filepath.Join(peersDir(), "..", "..", "test", "kafkapeers"), pkg, "ebpfreceiver-kafka-"+filepath.Base(pkg))
}

// Kfake starts franz-go's kfake, a real Kafka wire protocol broker, as a
// cluster of one broker on 127.0.0.1 holding topics (one partition each)
// and creating no others.
func Kfake(t testing.TB, topics ...string) *Server {
	t.Helper()
	port := FreePort(t)
	return Start(t, port, KafkaProgram(t, "./cmd/kfake"), "-listen-addr", "127.0.0.1:"+strconv.Itoa(port), "-topics", strings.Join(topics, ","))
}

// KafkaClientReport is what kafkaclient printed: requests answered and
// requests written but never answered, by API name; the records it
// produced and consumed; its pid.
type KafkaClientReport struct {
	Requests, NoResponse    map[string]int
	Produced, Consumed, PID int
}

// ParseKafkaClient reads the lines of kafkaclient.
func ParseKafkaClient(t testing.TB, out string) KafkaClientReport {
	t.Helper()
	r := KafkaClientReport{Requests: map[string]int{}, NoResponse: map[string]int{}}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || len(f) > 3 {
			t.Fatalf("kafkaclient line %q", line)
		}
		n, err := strconv.Atoi(f[len(f)-1])
		switch {
		case err != nil:
			t.Fatalf("kafkaclient line %q", line)
		case f[0] == "request" && len(f) == 3:
			r.Requests[f[1]] = n
		case f[0] == "noresponse" && len(f) == 3:
			r.NoResponse[f[1]] = n
		case len(f) == 3 && f[1] == "produced":
			r.Produced = n
		case len(f) == 3 && f[1] == "consumed":
			r.Consumed = n
		case f[0] == "pid":
			r.PID = n
		}
	}
	return r
}

// KcatRun is one kcat session: what it printed, its protocol debug log,
// its pid, and from that log the requests it sent and the responses it
// received, by API name as kafkaclient names them.
type KcatRun struct {
	Out, Debug          string
	PID                 int
	Requests, Responses map[string]int
}

// KcatProduce produces each of lines as a record to topic with kcat
// (librdkafka, not idempotent, acks all), uncompressed, all in one Produce
// request as a rule: librdkafka lingers 5ms before sending a batch.
func KcatProduce(t testing.TB, brokers, topic string, lines ...string) KcatRun {
	t.Helper()
	return Kcat(t, strings.Join(lines, "\n")+"\n", "-P", "-b", brokers, "-t", topic)
}

// KcatConsume consumes n records of topic from its start with kcat, outside
// any group, and exits; the fetch it sent after the last records is left
// unanswered.
func KcatConsume(t testing.TB, brokers, topic string, n int) KcatRun {
	t.Helper()
	return Kcat(t, "", "-C", "-b", brokers, "-t", topic, "-o", "beginning", "-c", strconv.Itoa(n), "-e")
}

// Kcat runs kcat with args and stdin as its standard input, librdkafka
// logging every request sent and response received (-d protocol) to its
// standard error. Like every peer it is not a child of the test process;
// the shell it runs under writes down its pid.
func Kcat(t testing.TB, stdin string, args ...string) KcatRun {
	t.Helper()
	privtest.RequireTool(t, "/usr/bin/kcat")
	dir := t.TempDir()
	in, pidFile := filepath.Join(dir, "stdin"), filepath.Join(dir, "pid")
	if err := os.WriteFile(in, []byte(stdin), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	script := `in=$1 pid=$2; shift 2; "$@" <"$in" & echo $! >"$pid"; wait $!`
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh", in, pidFile, "/usr/bin/kcat", "-d", "protocol"}, args...)...)
	var out, debug bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &debug
	if err := cmd.Run(); err != nil {
		t.Fatalf("run kcat %v: %v\n%s", args, err, debug.String())
	}
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	r := KcatRun{Out: out.String(), Debug: debug.String()}
	if r.PID, err = strconv.Atoi(strings.TrimSpace(string(pid))); err != nil {
		t.Fatalf("kcat pid %q: %v", pid, err)
	}
	r.Requests = kcatCount(r.Debug, "Sent ", "Request")
	r.Responses = ParseKcatDebug(t, r.Debug)
	return r
}

// ParseKcatDebug counts, by API name, the responses librdkafka's protocol
// debug log says it received, from lines such as
//
//	... 127.0.0.1:9092/0: Received ProduceResponse (v7, 50 bytes, CorrId 3, rtt 0.04ms)
func ParseKcatDebug(t testing.TB, debug string) map[string]int {
	t.Helper()
	counts := kcatCount(debug, "Received ", "Response")
	if len(counts) == 0 {
		t.Fatalf("kcat debug log shows no response received:\n%s", debug)
	}
	return counts
}

// kcatCount counts the names in debug between prefix and suffix (a
// "Sent FetchRequest (v11, ..." line counts for Fetch).
func kcatCount(debug, prefix, suffix string) map[string]int {
	counts := map[string]int{}
	for _, line := range strings.Split(debug, "\n") {
		_, rest, ok := strings.Cut(line, ": "+prefix)
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, " (v")
		if name, ok = strings.CutSuffix(name, suffix); !ok {
			continue
		}
		if kafka, ok := kcatNames[name]; ok {
			name = kafka
		}
		counts[name]++
	}
	return counts
}

// kcatNames are librdkafka's names of the APIs whose names kafkaclient
// (franz-go's kmsg.NameForKey) spells differently.
var kcatNames = map[string]string{
	"ApiVersion":       "ApiVersions",
	"InitProducerId":   "InitProducerID",
	"SaslHandshake":    "SASLHandshake",
	"SaslAuthenticate": "SASLAuthenticate",
}
