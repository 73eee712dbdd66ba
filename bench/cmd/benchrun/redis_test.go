package main

import "testing"

func TestParseRedisCSV(t *testing.T) {
	out := `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","71428.57","0.042","0.008","0.039","0.087","0.199","0.463"
"GET","62500.00","0.048","0.008","0.039","0.103","0.159","0.503"
`
	set, get, err := parseRedisCSV([]byte(out))
	if err != nil || set != 71428.57 || get != 62500 {
		t.Fatalf("SET %v GET %v: %v", set, get, err)
	}
	if _, _, err := parseRedisCSV([]byte(`"test","rps"` + "\n")); err == nil {
		t.Fatal("no rates: no error")
	}
}
