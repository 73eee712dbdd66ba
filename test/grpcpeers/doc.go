// Package grpcpeers pins the gRPC example programs (greeter and route guide
// servers and clients from google.golang.org/grpc/examples) that the
// privileged tests observe, and holds a looping client that calls the
// greeter over one long-lived connection. It is a module of its own so that
// the examples' dependencies stay out of the main module.
//
// Build a peer with, for example:
//
//	go build -C test/grpcpeers -o /tmp/greeter_server google.golang.org/grpc/examples/helloworld/greeter_server
package grpcpeers

import (
	// The packages of the example programs, so that the requirement stays.
	_ "google.golang.org/grpc/examples/helloworld/helloworld"
	_ "google.golang.org/grpc/examples/route_guide/routeguide"
)
