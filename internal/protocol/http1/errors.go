package http1

import (
	"errors"
	"fmt"
)

// ErrIncomplete reports that the bytes end before the blank line that closes
// a head: the head was cut by the capture size or continues in a later
// segment. The fields parsed before the cut are still returned.
var ErrIncomplete = errors.New("http1: incomplete head")

// ErrMalformed reports bytes that are not a valid HTTP/1.x head or chunked
// body. Errors that wrap it name the part at fault.
var ErrMalformed = errors.New("http1: malformed message")

// Prebuilt errors, so that hostile input costs no allocation.
var (
	errRequestLine   = fmt.Errorf("parse request line: %w", ErrMalformed)
	errStatusLine    = fmt.Errorf("parse status line: %w", ErrMalformed)
	errContentLength = fmt.Errorf("parse content-length: %w", ErrMalformed)
	errChunkSize     = fmt.Errorf("parse chunk size: %w", ErrMalformed)
	errChunkData     = fmt.Errorf("parse chunk data end: %w", ErrMalformed)
	errTrailer       = fmt.Errorf("parse chunked trailer: %w", ErrMalformed)
)
