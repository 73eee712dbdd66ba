// Command httpserver is a plain Go net/http server for the privileged tests:
// GET /status/{code} answers with that code, POST echoes the body's length,
// anything else answers "ok".
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: httpserver ADDR")
	}
	log.Fatal(http.ListenAndServe(os.Args[1], http.HandlerFunc(handle)))
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
	if r.Method == http.MethodPost {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%d", n)
		return
	}
	io.WriteString(w, "ok")
}
