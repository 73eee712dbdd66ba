// Package kafkapeers pins the real Kafka peers the end-to-end tests run:
// franz-go's kfake (an in-process implementation of the Kafka broker's
// wire protocol) as a one-broker cluster in cmd/kfake, and franz-go's kgo
// client in cmd/kafkaclient. A module of its own, so that neither enters
// the receiver's go.mod. The other client the tests drive, kcat
// (librdkafka), is a Debian package. Build a peer with, for example:
//
//	go build -C test/kafkapeers -o /tmp/kfake ./cmd/kfake
package kafkapeers
