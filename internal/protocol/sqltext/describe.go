package sqltext

import (
	"strings"

	sqllexer "github.com/DataDog/go-sqllexer"
)

// Dialect selects the lexer rules of a database family.
type Dialect uint8

// Dialects known to Describe.
const (
	PostgreSQL Dialect = iota
	MySQL
)

// Statement is what a span may say about one statement text.
type Statement struct {
	// Text is the statement as sent, literals included.
	Text string
	// Sanitized is the normalised text with every literal replaced by "?";
	// a parameterized statement (one holding $1 or ? placeholders) is kept
	// as sent, as the semantic conventions ask: its values travel apart.
	Sanitized string
	// Operation is the statement's command in upper case, e.g. "SELECT";
	// empty when the text holds no recognisable command.
	Operation string
	// Collection is the table the statement addresses when it names
	// exactly one, else empty.
	Collection string
	// Summary is db.query.summary: the operations and the tables they
	// address in the order they are written, e.g. "SELECT users orders" or
	// "INSERT shipping_details SELECT orders", at most 255 characters.
	// Operations are in upper case.
	Summary string
}

// describer holds the configured lexer passes of one dialect.
type describer struct {
	obfuscator *sqllexer.Obfuscator
	normalizer *sqllexer.Normalizer
	dbms       sqllexer.DBMSType
}

func newDescriber(d Dialect) *describer {
	dbms := sqllexer.DBMSPostgres
	if d == MySQL {
		dbms = sqllexer.DBMSMySQL
	}
	return &describer{
		obfuscator: sqllexer.NewObfuscator(
			sqllexer.WithReplaceBoolean(true),
			sqllexer.WithReplaceNull(true),
			sqllexer.WithDollarQuotedFunc(true),
		),
		normalizer: sqllexer.NewNormalizer(
			sqllexer.WithCollectTables(true),
			sqllexer.WithCollectCommands(true),
			sqllexer.WithUppercaseKeywords(true),
		),
		dbms: dbms,
	}
}

// Describe returns the facts of one statement text of dialect d. It never
// fails: text the lexer cannot follow still has its literals replaced.
func Describe(text string, d Dialect) Statement {
	return newDescriber(d).describe(text)
}

func (d *describer) describe(text string) Statement {
	sanitized, meta, err := sqllexer.ObfuscateAndNormalize(text, d.obfuscator, d.normalizer, sqllexer.WithDBMS(d.dbms))
	if err != nil || meta == nil {
		return Statement{Text: text, Sanitized: d.obfuscator.Obfuscate(text, sqllexer.WithDBMS(d.dbms)), Operation: firstWord(text)}
	}
	st := Statement{Text: text, Sanitized: sanitized, Operation: firstWord(text)}
	if len(meta.Commands) > 0 && st.Operation != "WITH" {
		st.Operation = meta.Commands[0]
	} else if st.Operation == "WITH" && len(meta.Commands) > 0 {
		st.Operation = meta.Commands[len(meta.Commands)-1]
	}
	tables := tablesOf(meta.Tables)
	if len(tables) == 1 && st.Operation != "" { // a table of no known operation is a guess
		st.Collection = tables[0]
	}
	w := walkStatement(text, d.dbms, tables)
	if w.parameters {
		st.Sanitized = text
	}
	st.Summary = summaryOf(st.Operation, tables, w)
	if !strings.Contains(st.Summary, st.Collection) {
		// The lexer took a table the walk did not (an identifier quoted
		// and never closed): malformed text names no collection.
		st.Collection = ""
	}
	return st
}

// tablesOf drops the names the lexer takes for tables in COPY ... FROM
// STDIN.
func tablesOf(names []string) []string {
	out := names[:0:0]
	for _, n := range names {
		if !strings.EqualFold(n, "stdin") && !strings.EqualFold(n, "stdout") {
			out = append(out, n)
		}
	}
	return out
}

// summaryOf is the summary of a statement whose operation is op: its
// operations and targets as written, or, when the lexer knows none of its
// operations, op followed by the tables.
func summaryOf(op string, tables []string, w walk) string {
	switch {
	case op == "":
		return ""
	case !w.hasOperation:
		return joinSummary(append([]string{op}, tables...))
	}
	return joinSummary(w.parts)
}

// firstWord returns the statement's leading keyword in upper case, after
// blanks, comments and opening parentheses; empty when it does not start
// with letters.
func firstWord(text string) string {
	text = skipNoise(text)
	end := 0
	for end < len(text) && end < maxKeyword && isLetter(text[end]) {
		end++
	}
	if end == 0 || (end < len(text) && isIdentByte(text[end])) {
		return ""
	}
	return strings.ToUpper(text[:end])
}

// maxKeyword is longer than any SQL command keyword.
const maxKeyword = 16

// skipNoise skips blanks, comments and opening parentheses.
func skipNoise(s string) string {
	for {
		t := strings.TrimLeft(s, " \t\r\n(")
		switch {
		case strings.HasPrefix(t, "--") || strings.HasPrefix(t, "#"):
			i := strings.IndexByte(t, '\n')
			if i < 0 {
				return ""
			}
			t = t[i+1:]
		case strings.HasPrefix(t, "/*"):
			i := strings.Index(t, "*/")
			if i < 0 {
				return ""
			}
			t = t[i+2:]
		}
		if t == s {
			return s
		}
		s = t
	}
}

func isLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

func isIdentByte(b byte) bool { return isLetter(b) || b == '_' || (b >= '0' && b <= '9') }
