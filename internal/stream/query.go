package stream

import "bytes"

// redacted stands for every value of a query string.
const redacted = "REDACTED"

// redactQuery appends query string q to dst with every value replaced by
// "REDACTED": a client span's url.full says which parameters a request
// sent, never what. A field without '=' could be a value alone, so it is
// replaced whole.
func redactQuery(dst, q []byte) []byte {
	for i := 0; ; i++ {
		field, rest, more := bytes.Cut(q, []byte{'&'})
		if i > 0 {
			dst = append(dst, '&')
		}
		if key, _, ok := bytes.Cut(field, []byte{'='}); ok {
			dst = append(append(dst, key...), '=')
		}
		if len(field) > 0 {
			dst = append(dst, redacted...)
		}
		if !more {
			return dst
		}
		q = rest
	}
}

// query returns the redacted form of query string q, interned; "" when
// the target had none (q nil).
func (sh *shared) query(q []byte) string {
	if q == nil {
		return ""
	}
	sh.queryBuf = redactQuery(sh.queryBuf[:0], q)
	if len(sh.queryBuf) == 0 {
		return "" // a bare "?"
	}
	return sh.names.string(sh.queryBuf)
}
