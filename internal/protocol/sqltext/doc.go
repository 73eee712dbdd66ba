// Package sqltext turns SQL statement text into the facts a database span
// carries: the text with every literal replaced by "?", the operation, the
// tables it names, and a low-cardinality summary such as "SELECT users".
//
// Lexing, obfuscation and table extraction come from
// github.com/DataDog/go-sqllexer, which knows the PostgreSQL and MySQL
// dialects (dollar quotes, backticks, escape strings) and replaces an
// unterminated literal, such as one cut by the capture size, as a whole.
// Describing a statement allocates, so Cache remembers the descriptions of
// recent statement texts: a prepared statement executed again and again, or
// the same query sent by every request, is described once.
package sqltext
