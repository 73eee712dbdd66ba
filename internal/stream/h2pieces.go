package stream

import "encoding/binary"

// The kernel walks the frames of HTTP/2 connections (bpf/h2walk.h) and
// sends, instead of a prefix of each segment, the offset of the first frame
// header that starts in the segment (a little-endian u32, framesNone when
// none does) and pieces: a u32 offset in the segment, a u16 length and that
// many bytes, in order of offset. The pieces hold every frame header and the
// payloads of header blocks and RST_STREAM; DATA payloads are left out.
const (
	framesNone     = 0xffffffff
	framesFirstLen = 4
	pieceHdrLen    = 6
)

// framesFirst returns the offset of the first frame header that starts in
// a segment of frame pieces; ok is false when none does.
func framesFirst(frames []byte) (int, bool) {
	if len(frames) < framesFirstLen {
		return 0, false
	}
	off := binary.LittleEndian.Uint32(frames)
	return int(off), off != framesNone
}

// framesHead returns the bytes captured from a segment's offset 0 on: its
// first piece when that starts there.
func framesHead(frames []byte) []byte {
	v := segView{pieces: frames[min(framesFirstLen, len(frames)):]}
	return v.bytes(0, 1<<31)
}

// segView gives the captured bytes of one segment by offset, for a prefix
// capture and frame pieces alike. Offsets asked for must not decrease.
type segView struct {
	data   []byte // the captured prefix, or the current piece
	at     int    // offset of data in the segment
	pieces []byte // pieces after data; nil for a prefix capture
}

// newSegView returns the view of segment s.
func newSegView(s *Segment) segView {
	if s.Frames == nil {
		return segView{data: captured(s)}
	}
	return segView{pieces: s.Frames[min(framesFirstLen, len(s.Frames)):]}
}

// bytes returns the captured bytes of [pos, pos+k) from pos on, as far as
// they are contiguous; empty when the byte at pos was not captured.
func (v *segView) bytes(pos, k int) []byte {
	for pos >= v.at+len(v.data) && v.next() {
	}
	if pos < v.at || pos >= v.at+len(v.data) {
		return nil
	}
	end := v.at + len(v.data)
	if k < end-pos {
		end = pos + k
	}
	return v.data[pos-v.at : end-v.at]
}

// next moves to the next piece; false when there is none (or the rest is
// malformed).
func (v *segView) next() bool {
	if len(v.pieces) < pieceHdrLen {
		v.pieces = nil
		return false
	}
	at := int(binary.LittleEndian.Uint32(v.pieces))
	n := int(binary.LittleEndian.Uint16(v.pieces[4:]))
	if n > len(v.pieces)-pieceHdrLen || (len(v.data) > 0 && at < v.at+len(v.data)) {
		v.pieces = nil
		return false
	}
	v.data, v.at = v.pieces[pieceHdrLen:pieceHdrLen+n], at
	v.pieces = v.pieces[pieceHdrLen+n:]
	return true
}
