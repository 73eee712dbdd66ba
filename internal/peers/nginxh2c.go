package peers

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// NginxH2C serves HTTP/2 over cleartext (prior knowledge) with nginx, one
// process: /status/201 answers 201, / answers 200, other paths are files of
// an empty root (404).
func NginxH2C(t testing.TB) *Server {
	t.Helper()
	return startNginx(t, func(dir string, port int) string {
		if err := os.Mkdir(filepath.Join(dir, "www"), 0o755); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf(`server {
	listen 127.0.0.1:%d http2;
	root %s/www;
	location = /status/201 { return 201 "ok"; }
	location = / { return 200 "ok"; }
}`, port, dir)
	})
}
