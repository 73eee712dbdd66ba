// Command httpsserver is a Go net/http server over crypto/tls for the
// privileged tests, speaking HTTP/1.1 only: GET /status/{code} answers with
// that code, anything else answers "ok".
package main

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 4 {
		log.Fatal("usage: httpsserver ADDR CERT KEY")
	}
	srv := &http.Server{
		Addr:    os.Args[1],
		Handler: http.HandlerFunc(handle),
		// An empty map turns HTTP/2 off: clients get HTTP/1.1 over TLS.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	log.Fatal(srv.ListenAndServeTLS(os.Args[2], os.Args[3]))
}

func handle(w http.ResponseWriter, r *http.Request) {
	if code, ok := strings.CutPrefix(r.URL.Path, "/status/"); ok {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 599 {
			n = http.StatusBadRequest
		}
		w.WriteHeader(n)
		return
	}
	io.WriteString(w, "ok")
}
