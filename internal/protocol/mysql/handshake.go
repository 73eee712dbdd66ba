package mysql

import (
	"bytes"
	"encoding/binary"
)

// Capability flags of the handshake.
const (
	ClientConnectWithDB    = 0x00000008
	ClientProtocol41       = 0x00000200
	ClientSSL              = 0x00000800
	ClientSecureConn       = 0x00008000
	ClientPluginAuthLenenc = 0x00200000
	ClientDeprecateEOF     = 0x01000000
)

// Greeting is what a server's HandshakeV10 packet says.
type Greeting struct {
	Version      []byte // e.g. "5.5.5-10.11.6-MariaDB-0+deb12u1"
	Capabilities uint32
}

// MariaDB reports whether the server is MariaDB rather than MySQL.
func (g *Greeting) MariaDB() bool { return bytes.Contains(g.Version, []byte("MariaDB")) }

// ParseGreeting reads a greeting payload; ok is false when it is cut
// before the capability flags.
func ParseGreeting(p []byte) (g Greeting, ok bool) {
	if len(p) < 2 || p[0] != protocolVersion10 {
		return g, false
	}
	end := bytes.IndexByte(p[1:], 0)
	if end < 0 {
		return g, false
	}
	g.Version = p[1 : 1+end]
	rest := p[2+end:]
	// thread id (4), auth data part 1 (8), filler (1), capabilities low (2),
	// charset (1), status (2), capabilities high (2)
	if len(rest) < 15 {
		return g, false
	}
	g.Capabilities = uint32(binary.LittleEndian.Uint16(rest[13:15]))
	if len(rest) >= 20 {
		g.Capabilities |= uint32(binary.LittleEndian.Uint16(rest[18:20])) << 16
	}
	return g, true
}

// HandshakeResponse is what a client's HandshakeResponse41 says.
type HandshakeResponse struct {
	Capabilities uint32
	// SSLRequest is true for the short packet that asks the server to
	// switch to TLS before the real response.
	SSLRequest bool
	Database   []byte
}

// sslRequestLen is the payload length of an SSLRequest.
const sslRequestLen = 32

// ParseHandshakeResponse reads a handshake response payload; Database is
// empty when absent or cut.
func ParseHandshakeResponse(p []byte, payloadLen int) (r HandshakeResponse, ok bool) {
	if len(p) < 4 {
		return r, false
	}
	r.Capabilities = binary.LittleEndian.Uint32(p[:4])
	if r.Capabilities&ClientSSL != 0 && payloadLen == sslRequestLen {
		r.SSLRequest = true
		return r, true
	}
	if r.Capabilities&ClientProtocol41 == 0 || len(p) < sslRequestLen {
		return r, len(p) >= 4
	}
	user, rest, ok := cstring(p[sslRequestLen:])
	_ = user // the user name is never reported
	if !ok || r.Capabilities&ClientConnectWithDB == 0 {
		return r, true
	}
	if rest, ok = skipAuth(rest, r.Capabilities); ok {
		r.Database, _, _ = cstring(rest)
	}
	return r, true
}

// skipAuth skips the auth response of a handshake response.
func skipAuth(b []byte, caps uint32) ([]byte, bool) {
	switch {
	case caps&ClientPluginAuthLenenc != 0:
		n, w, ok := lenenc(b)
		if !ok || uint64(len(b)-w) < n {
			return nil, false
		}
		return b[w+int(n):], true
	case caps&ClientSecureConn != 0:
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return nil, false
		}
		return b[1+int(b[0]):], true
	}
	_, rest, ok := cstring(b)
	return rest, ok
}

func cstring(b []byte) (s, rest []byte, ok bool) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return b, nil, false
	}
	return b[:i], b[i+1:], true
}
