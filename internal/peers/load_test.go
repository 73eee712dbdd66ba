package peers

import "testing"

func TestWrkRequests(t *testing.T) {
	out := `Running 4s test @ http://127.0.0.1:8080/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.05ms    1.40ms  13.07ms   86.64%
  308780 requests in 4.00s, 37.99MB read
Requests/sec:  77195.02
`
	if n := wrkRequests(out); n != 308780 {
		t.Fatalf("wrkRequests = %d, want 308780", n)
	}
	if n := wrkRequests("nothing"); n != 0 {
		t.Fatalf("wrkRequests of garbage = %d", n)
	}
}
