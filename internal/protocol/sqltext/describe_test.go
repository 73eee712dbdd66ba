package sqltext

import (
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
			Statement{Sanitized: "WITH x AS ( SELECT * FROM a ) SELECT * FROM x", Operation: "SELECT", Collection: "a", Summary: "SELECT a"}, nil},
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
