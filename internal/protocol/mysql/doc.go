// Package mysql decodes the MySQL client/server protocol, as MySQL and
// MariaDB speak it, from captured bytes: packet headers, the server's
// greeting and the client's handshake response, the commands a client
// sends (COM_QUERY, COM_INIT_DB, COM_STMT_PREPARE, COM_STMT_EXECUTE, ...)
// and the OK, ERR and EOF packets that end a server's answer.
//
// Functions work on a payload or a prefix of one (the capture keeps the
// first bytes of each syscall), allocate nothing, return slices of their
// input, and never panic on hostile input.
//
// Calls are made from the client's side of a connection only. The
// server's process sees the same commands; decoding its side too would
// report each one twice, so its connections are recognised (it writes the
// greeting or reads commands, or the kernel saw it accept) and ignored. A
// client whose handshake response is an SSLRequest continues in TLS, and
// the connection is skipped.
package mysql
