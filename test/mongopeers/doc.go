// Package mongopeers pins the real MongoDB peers the end-to-end tests run:
// FerretDB (a Go implementation of the MongoDB wire protocol, here with its
// embedded SQLite backend) as the server, and the official Go driver's
// client in cmd/mongoclient. A module of its own, so that neither enters
// the receiver's go.mod. Build a peer with, for example:
//
//	go build -C test/mongopeers -o /tmp/ferretdb ./cmd/ferretdb
package mongopeers
