package postgres

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/recording"
)

// addRecording seeds f with every read of a recorded connection.
func addRecording(f *testing.F, path string) {
	reads, err := recording.Load(path)
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range reads {
		f.Add(r.Data[:min(len(r.Data), 2048)])
	}
}

func FuzzMessages(f *testing.F) {
	addRecording(f, "testdata/psql.seg")
	addRecording(f, "testdata/pgx.seg")
	f.Fuzz(func(t *testing.T, b []byte) {
		LooksLikeStartup(b)
		LooksLikeQuery(b)
		for _, frontend := range []bool{true, false} {
			for pos := 0; pos+HeaderLen <= len(b); {
				_, n, ok := ParseHeader(b[pos:], frontend)
				if !ok {
					break
				}
				body := b[pos+HeaderLen : min(len(b), pos+HeaderLen+n)]
				QueryText(body)
				ParseMessage(body)
				BindMessage(body)
				ExecuteMessage(body)
				CloseMessage(body)
				CommandTag(body)
				ErrorCode(body)
				ReadyStatus(body)
				pos += HeaderLen + n
			}
		}
		ParseStartup(b)
		if EndsWithReady(b) {
			if typ, body, ok := FindEnding(b); ok && (typ != 'C' && typ != 'E' || len(body) > len(b)) {
				t.Fatalf("FindEnding %c %d", typ, len(body))
			}
		}
	})
}
