package sqltext

import (
	"fmt"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		text    string
		d       Dialect
		want    Statement
		secrets []string
	}{
		{"SELECT name FROM users WHERE id = 42 AND email='bob@x.org'", PostgreSQL,
			Statement{Sanitized: "SELECT name FROM users WHERE id = ? AND email = ?", Operation: "SELECT", Collection: "users", Summary: "SELECT users"},
			[]string{"42", "bob@x.org"}},
		{"insert into items (a, b) values (1, 'secret'), (2, 'x')", PostgreSQL,
			Statement{Sanitized: "INSERT INTO items ( a, b ) VALUES ( ? ), ( ? )", Operation: "INSERT", Collection: "items", Summary: "INSERT items"},
			[]string{"secret"}},
		{"SELECT u.a FROM users u JOIN orders o ON u.id = o.uid WHERE u.x = $1", PostgreSQL,
			Statement{Sanitized: "SELECT u.a FROM users u JOIN orders o ON u.id = o.uid WHERE u.x = $1", Operation: "SELECT", Summary: "SELECT users orders"}, nil},
		{"SELECT 'unterminated secret", PostgreSQL,
			Statement{Sanitized: "SELECT ?", Operation: "SELECT", Summary: "SELECT"}, []string{"secret"}},
		{"select $$dollar secret$$", PostgreSQL,
			Statement{Sanitized: "SELECT ?", Operation: "SELECT", Summary: "SELECT"}, []string{"secret"}},
		{"SET search_path TO public", PostgreSQL,
			Statement{Sanitized: "SET search_path TO public", Operation: "SET", Summary: "SET"}, nil},
		{"COPY items FROM STDIN", PostgreSQL,
			Statement{Sanitized: "COPY items FROM STDIN", Operation: "COPY", Summary: "COPY"}, nil},
		{"DELETE FROM `shop`.`items` WHERE code = 'a\\'b' OR x = 0x1F", MySQL,
			Statement{Operation: "DELETE", Collection: "shop.items", Summary: "DELETE shop.items"}, []string{"a\\'b", "0x1F"}},
		{"/* app */ (select 1)", MySQL,
			Statement{Sanitized: "( SELECT ? )", Operation: "SELECT", Summary: "SELECT"}, nil},
		{"WITH x AS (SELECT * FROM a) SELECT * FROM x", PostgreSQL,
			Statement{Sanitized: "WITH x AS ( SELECT * FROM a ) SELECT * FROM x", Operation: "SELECT", Collection: "a", Summary: "SELECT a SELECT"}, nil},
		// Operations and targets interleaved as written.
		{"INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders WHERE order_id = 7", PostgreSQL,
			Statement{Operation: "INSERT", Summary: "INSERT shipping_details SELECT orders"}, []string{"7"}},
		{"SELECT order_date FROM (SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id) x", PostgreSQL,
			Statement{Operation: "SELECT", Summary: "SELECT SELECT orders customers"}, nil},
		{"SELECT * FROM songs s, artists a WHERE s.artist_id = a.id AND s.year > 1999", PostgreSQL,
			Statement{Operation: "SELECT", Summary: "SELECT songs artists"}, []string{"1999"}},
		{"UPDATE users SET name = 'x' WHERE id IN (SELECT uid FROM bans)", PostgreSQL,
			Statement{Operation: "UPDATE", Summary: "UPDATE users SELECT bans"}, []string{"'x'"}},
		// Parameterized statements are kept as sent, literals included.
		{"SELECT * FROM users WHERE id = $1 LIMIT 10", PostgreSQL,
			Statement{Sanitized: "SELECT * FROM users WHERE id = $1 LIMIT 10", Operation: "SELECT", Collection: "users", Summary: "SELECT users"}, nil},
		{"select name from users where id = ?", MySQL,
			Statement{Sanitized: "select name from users where id = ?", Operation: "SELECT", Collection: "users", Summary: "SELECT users"}, nil},
	}
	for _, tt := range tests {
		got := Describe(tt.text, tt.d)
		if got.Text != tt.text {
			t.Errorf("%q: Text %q", tt.text, got.Text)
		}
		got.Text = ""
		if tt.want.Sanitized == "" {
			tt.want.Sanitized = got.Sanitized
		}
		if got != tt.want {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.text, got, tt.want)
		}
		for _, s := range tt.secrets {
			if strings.Contains(got.Sanitized, s) || strings.Contains(got.Summary, s) {
				t.Errorf("%q: literal %q left in %+v", tt.text, s, got)
			}
		}
	}
}

func TestSummaryAtMost255Characters(t *testing.T) {
	var b strings.Builder
	b.WriteString("SELECT * FROM ")
	for i := range 40 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "table_number_%02d", i)
	}
	st := Describe(b.String(), PostgreSQL)
	if len(st.Summary) > maxSummaryLen {
		t.Fatalf("summary of %d characters", len(st.Summary))
	}
	// 15 names of 15 characters fit after "SELECT": 6 + 16*15 = 246.
	if !strings.HasSuffix(st.Summary, " table_number_14") || strings.Contains(st.Summary, "table_number_15") {
		t.Fatalf("summary cut inside a name or too early: %q", st.Summary)
	}
}

func TestCacheHitAllocatesNothing(t *testing.T) {
	c := NewCache(PostgreSQL)
	q := []byte("SELECT * FROM users WHERE id = $1")
	want := c.Lookup(q)
	if want.Summary != "SELECT users" {
		t.Fatalf("summary %q", want.Summary)
	}
	if n := testing.AllocsPerRun(100, func() { _ = c.Lookup(q) }); n != 0 {
		t.Errorf("cache hit allocates %v times", n)
	}
	if c.Lookup(nil) != (Statement{}) {
		t.Error("empty text described")
	}
}

func FuzzDescribe(f *testing.F) {
	f.Add("SELECT * FROM t WHERE a = 'x'", uint8(0))
	f.Add("insert into `a`.`b` values (1)", uint8(1))
	f.Add("/* unterminated", uint8(0))
	f.Fuzz(func(t *testing.T, text string, d uint8) {
		st := Describe(text, Dialect(d%2))
		if st.Collection != "" && !strings.Contains(st.Summary, st.Collection) {
			t.Fatalf("%q: collection %q not in summary %q", text, st.Collection, st.Summary)
		}
	})
}
