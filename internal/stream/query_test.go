package stream

import "testing"

func TestRedactQuery(t *testing.T) {
	for in, want := range map[string]string{
		"q=1":                  "q=REDACTED",
		"token=s3cret&page=2":  "token=REDACTED&page=REDACTED",
		"a=&b":                 "a=REDACTED&REDACTED",
		"secret-without-a-key": "REDACTED",
		"a=1&&b=2":             "a=REDACTED&&b=REDACTED",
		"x=1=2":                "x=REDACTED",
		"":                     "",
	} {
		if got := string(redactQuery(nil, []byte(in))); got != want {
			t.Errorf("redactQuery(%q) = %q, want %q", in, got, want)
		}
	}
}
