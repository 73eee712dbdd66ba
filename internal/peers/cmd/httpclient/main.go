// Command httpclient sends GET requests with keep-alive for the privileged
// tests: URL/path/0 … URL/path/N-1 over C connections, and prints one line
// per request: the path, the status and the duration it observed in
// nanoseconds.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

func main() {
	n := flag.Int("n", 100, "requests")
	conns := flag.Int("c", 4, "connections")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: httpclient [-n N] [-c C] URL")
	}
	base := flag.Arg(0)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: *conns, MaxIdleConnsPerHost: *conns}}

	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan int)
	for range *conns {
		wg.Go(func() {
			for i := range work {
				line, err := get(client, fmt.Sprintf("%s/%d", base, i))
				if err != nil {
					log.Fatal(err)
				}
				mu.Lock()
				fmt.Fprintln(os.Stdout, line)
				mu.Unlock()
			}
		})
	}
	for i := range *n {
		work <- i
	}
	close(work)
	wg.Wait()
}

func get(client *http.Client, url string) (string, error) {
	start := time.Now()
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	return fmt.Sprintf("%s %d %d", resp.Request.URL.Path, resp.StatusCode, elapsed.Nanoseconds()), err
}
