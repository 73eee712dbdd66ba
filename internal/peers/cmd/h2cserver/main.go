// Command h2cserver is a Go net/http server that speaks HTTP/2 over
// cleartext (prior knowledge) as well as HTTP/1.1, for the privileged
// tests: GET /status/{code} answers with that code, anything else "ok".
package main

import (
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: h2cserver ADDR")
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{Addr: os.Args[1], Handler: http.HandlerFunc(handle), Protocols: &protocols}
	log.Fatal(srv.ListenAndServe())
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
