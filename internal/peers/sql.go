package peers

import (
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

// PostgresBin is where Debian's postgresql-15 package puts its programs.
const PostgresBin = "/usr/lib/postgresql/15/bin"

// Postgres starts a PostgreSQL server on 127.0.0.1 over a throw-away data
// directory: user "postgres" trusted without password, TLS off.
func Postgres(t testing.TB) *Server {
	t.Helper()
	return startPostgres(t, false)
}

// PostgresTLS is Postgres with TLS offered, under a self-signed
// certificate made for the test.
func PostgresTLS(t testing.TB) *Server {
	t.Helper()
	return startPostgres(t, true)
}

func startPostgres(t testing.TB, tls bool) *Server {
	t.Helper()
	privtest.RequireTool(t, filepath.Join(PostgresBin, "postgres"))
	dir := ownedTempDir(t, "postgres")
	asUser(t, "postgres", filepath.Join(PostgresBin, "initdb"), "-D", dir, "-U", "postgres",
		"--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8")
	ssl := "ssl=off"
	if tls {
		asUser(t, "postgres", lookPath(t, "openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
			"-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", filepath.Join(dir, "server.key"),
			"-out", filepath.Join(dir, "server.crt"))
		ssl = "ssl=on"
	}
	port := FreePort(t)
	srv := Start(t, port, "/usr/bin/setpriv", setprivArgs("postgres",
		filepath.Join(PostgresBin, "postgres"), "-D", dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+dir,
		"-c", ssl, "-c", "fsync=off")...)
	waitPostgresReady(t, port)
	return srv
}

// waitPostgresReady waits until the server accepts sessions: it listens
// before it has finished starting up, and refuses sessions until then.
func waitPostgresReady(t testing.TB, port int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := exec.Command(filepath.Join(PostgresBin, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(port)).Run()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres on port %d not ready within 20s: %v", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Psql runs psql against the server as user postgres on database db (a
// name, or a connection string such as "dbname=x sslmode=require") with
// the statements given as -c arguments, and returns what it printed.
func Psql(t testing.TB, port int, db string, statements ...string) string {
	t.Helper()
	args := []string{"-X", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=0", "-q"}
	for _, s := range statements {
		args = append(args, "-c", s)
	}
	return runTool(t, filepath.Join(PostgresBin, "psql"), args...)
}

// MariaDB starts a MariaDB server on 127.0.0.1 over a throw-away data
// directory, with grant tables skipped (any user, no password) and TLS off.
func MariaDB(t testing.TB) *Server {
	t.Helper()
	return startMariaDB(t, false)
}

// MariaDBTLS is MariaDB with TLS offered, under a self-signed certificate
// made for the test.
func MariaDBTLS(t testing.TB) *Server {
	t.Helper()
	return startMariaDB(t, true)
}

func startMariaDB(t testing.TB, tls bool) *Server {
	t.Helper()
	privtest.RequireTool(t, "/usr/sbin/mariadbd")
	dir := ownedTempDir(t, "mysql")
	data := filepath.Join(dir, "data")
	runTool(t, "/usr/bin/mariadb-install-db", "--no-defaults", "--user=mysql", "--datadir="+data,
		"--auth-root-authentication-method=normal", "--skip-test-db")
	port := FreePort(t)
	args := []string{"--no-defaults", "--user=mysql", "--datadir=" + data,
		"--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1", "--socket=" + filepath.Join(dir, "sock"),
		"--pid-file=" + filepath.Join(dir, "pid"), "--skip-grant-tables", "--skip-log-bin",
		"--innodb-flush-log-at-trx-commit=0", "--skip-name-resolve", "--ssl=0"}
	if tls {
		key, cert := filepath.Join(dir, "server.key"), filepath.Join(dir, "server.crt")
		asUser(t, "mysql", lookPath(t, "openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
			"-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert)
		args = append(args[:len(args)-1], "--ssl-key="+key, "--ssl-cert="+cert)
	}
	return Start(t, port, "/usr/sbin/mariadbd", args...)
}

// MariaDBClient runs the mariadb client against the server with the
// statements on its standard input, on database db unless empty, and
// returns what it printed. A failing statement does not stop the ones
// after it.
func MariaDBClient(t testing.TB, port int, db string, statements string) string {
	t.Helper()
	args := []string{"--no-defaults", "-h", "127.0.0.1", "-P", strconv.Itoa(port), "-u", "root", "--skip-ssl", "--force"}
	if db != "" {
		args = append(args, "-D", db)
	}
	return runToolInput(t, statements, "/usr/bin/mariadb", args...)
}

// MariaDBClientTLS is MariaDBClient over TLS, without checking the
// server's certificate, on no database.
func MariaDBClientTLS(t testing.TB, port int, statements string) string {
	t.Helper()
	return runToolInput(t, statements, "/usr/bin/mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", strconv.Itoa(port),
		"-u", "root", "--ssl", "--force")
}

// ownedTempDir makes a directory under the system temporary directory owned
// by user, removed when the test ends.
func ownedTempDir(t testing.TB, user string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ebpfreceiver-"+user+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	runTool(t, "/bin/chown", user+":"+user, dir)
	return dir
}

func setprivArgs(user, name string, args ...string) []string {
	return append([]string{"--reuid=" + user, "--regid=" + user, "--clear-groups", name}, args...)
}

// asUser runs a program as user to completion.
func asUser(t testing.TB, user, name string, args ...string) {
	t.Helper()
	runTool(t, "/usr/bin/setpriv", setprivArgs(user, name, args...)...)
}

// runTool runs a program to completion as a grandchild, failing the test
// with its output when it fails. A non-zero exit of psql or mariadb after a
// failing statement is not a failure: --force and ON_ERROR_STOP=0 keep them
// going, and their exit status reflects the last statement only.
func runTool(t testing.TB, name string, args ...string) string {
	t.Helper()
	return runToolInput(t, "", name, args...)
}

// runToolInput is runTool with stdin as the program's standard input.
func runToolInput(t testing.TB, stdin, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := grandchild(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !(exit && isSQLClient(name)) {
		t.Fatalf("run %s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func isSQLClient(name string) bool {
	base := filepath.Base(name)
	return base == "psql" || base == "mariadb"
}
