package engine

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

func TestEventLoopProcesses(t *testing.T) {
	for _, tc := range []struct {
		p    call.Process
		want bool
	}{
		{call.Process{RuntimeName: "node", ExecutableName: "node"}, true},
		{call.Process{ExecutableName: "nginx"}, true},
		{call.Process{RuntimeName: "python", CommandLine: "/usr/bin/python3 -m uvicorn app:app"}, true},
		{call.Process{RuntimeName: "python", CommandLine: "gunicorn -w 4 app:app"}, false},
		{call.Process{RuntimeName: "python", CommandLine: "python3 -m http.server"}, false},
		{call.Process{RuntimeName: "java", CommandLine: "java -jar app.jar"}, false},
	} {
		if got := eventLoop(&tc.p); got != tc.want {
			t.Errorf("eventLoop(%+v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}
