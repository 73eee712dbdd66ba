package redis

// LooksLikeCommand reports whether b starts a command as clients send
// them: an array ("*3\r\n") whose first element is a bulk string.
func LooksLikeCommand(b []byte) bool {
	if len(b) < 5 || b[0] != Array || b[1] < '1' || b[1] > '9' {
		return false
	}
	i := 2
	for i < len(b) && i < 8 && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i+2 < len(b) && b[i] == '\r' && b[i+1] == '\n' && b[i+2] == BulkString
}

// ErrorPrefix returns the first word of an error reply's text, the error
// class Redis puts there ("ERR", "WRONGTYPE", "NOSCRIPT"); empty when the
// text does not start with one.
func ErrorPrefix(text []byte) []byte {
	i := 0
	for i < len(text) && i < 32 && text[i] >= 'A' && text[i] <= 'Z' {
		i++
	}
	if i == 0 || (i < len(text) && text[i] != ' ') {
		return nil
	}
	return text[:i]
}

// PubSub kinds: what the first element of a pub/sub message says.
const (
	NotPubSub    = iota
	Message      // a published message: never a reply
	Confirmation // a (un)subscription's confirmation: one per channel
)

// PubSubKind tells what a pub/sub message whose first element is kind
// is: "message", "pmessage" and "smessage" are messages;
// "subscribe", "unsubscribe" and their pattern and shard forms confirm
// a subscription command.
func PubSubKind(kind []byte) int {
	switch string(kind) {
	case "message", "pmessage", "smessage":
		return Message
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
		return Confirmation
	}
	return NotPubSub
}

// IsSubscription tells whether command name (in upper case) is one whose
// replies are confirmations, and after which a RESP2 connection takes
// pub/sub messages.
func IsSubscription(name string) bool {
	switch name {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE":
		return true
	}
	return false
}
