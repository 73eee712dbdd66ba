package sqltext

import (
	"strings"

	sqllexer "github.com/DataDog/go-sqllexer"
)

// maxSummaryLen bounds db.query.summary, as the semantic conventions ask;
// the summary is cut between parts, never inside an operation or a target.
const maxSummaryLen = 255

// walk is what one pass of the lexer tells about a statement: its
// operations and targets in the order they are written, and whether it
// holds parameter placeholders.
type walk struct {
	parts        []string
	hasOperation bool
	parameters   bool
}

// walker follows the tokens of one statement. A target is an identifier
// the normalizer collected as a table (so CTE names and STDIN are left
// out) standing where a table stands: right after a table keyword (FROM,
// INTO, JOIN, UPDATE, ...) or after a comma in the list that follows one.
type walker struct {
	tables    map[string]bool
	mysql     bool
	out       walk
	indicator bool // the previous token introduces a table
	inList    bool // a table list is open
	comma     bool // the previous token is a comma
}

// walkStatement lexes text and returns its parts; tables are the names the
// normalizer collected.
func walkStatement(text string, dbms sqllexer.DBMSType, tables []string) walk {
	w := walker{tables: make(map[string]bool, len(tables)), mysql: dbms == sqllexer.DBMSMySQL}
	for _, t := range tables {
		w.tables[t] = true
	}
	lexer := sqllexer.New(text, sqllexer.WithDBMS(dbms))
	for tok := lexer.Scan(); tok.Type != sqllexer.EOF && tok.Type != sqllexer.ERROR; tok = lexer.Scan() {
		w.token(tok)
	}
	return w.out
}

// token takes one token into account.
func (w *walker) token(tok *sqllexer.Token) {
	switch tok.Type {
	case sqllexer.SPACE, sqllexer.COMMENT, sqllexer.MULTILINE_COMMENT:
		return
	case sqllexer.COMMAND:
		w.command(strings.ToUpper(tok.Value))
		return
	case sqllexer.KEYWORD:
		w.indicator, w.inList = tableKeywords[strings.ToUpper(tok.Value)], false
	case sqllexer.IDENT, sqllexer.QUOTED_IDENT, sqllexer.FUNCTION:
		w.identifier(unquote(tok.Value))
	case sqllexer.PUNCTUATION:
		w.inList = w.inList && tok.Value != "(" && tok.Value != ")"
		w.indicator, w.comma = false, tok.Value == ","
		return
	case sqllexer.POSITIONAL_PARAMETER, sqllexer.BIND_PARAMETER:
		w.out.parameters = true
	case sqllexer.OPERATOR:
		w.out.parameters = w.out.parameters || (w.mysql && tok.Value == "?")
	}
	w.comma = false
}

// command takes an SQL command: an operation, unless it only joins.
func (w *walker) command(up string) {
	w.indicator, w.inList, w.comma = tableCommands[up], false, false
	if up != "JOIN" && up != "STRAIGHT_JOIN" {
		w.out.parts = append(w.out.parts, up)
		w.out.hasOperation = true
	}
}

// identifier takes a name, which is a target where a table stands.
func (w *walker) identifier(name string) {
	if (w.indicator || (w.inList && w.comma)) && w.tables[name] {
		w.out.parts = append(w.out.parts, name)
		w.inList = true
	}
	w.indicator = false
}

// tableCommands and tableKeywords introduce a table, as the lexer's table
// indicators do.
var (
	tableCommands = map[string]bool{"JOIN": true, "UPDATE": true, "STRAIGHT_JOIN": true}
	tableKeywords = map[string]bool{"FROM": true, "INTO": true, "TABLE": true, "EXISTS": true, "ONLY": true}
)

// unquote removes the quotes of a quoted identifier as the normalizer does
// when it collects tables: `shop`.`items` becomes shop.items.
func unquote(s string) string {
	if !strings.ContainsAny(s, "\"`[]") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '`' || r == '[' || r == ']' {
			return -1
		}
		return r
	}, s)
}

// joinSummary joins parts with spaces, leaving out the parts that would
// take it past maxSummaryLen.
func joinSummary(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		n := len(p)
		if b.Len() > 0 {
			n++
		}
		if b.Len()+n > maxSummaryLen {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}
