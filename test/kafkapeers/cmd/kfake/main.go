// Command kfake serves the Kafka wire protocol, broker side, with
// franz-go's kfake: a cluster of one broker on one address, holding the
// topics it is given and creating no others, until SIGINT or SIGTERM.
// kfake's own command listens on fixed ports and starts a pprof server;
// this starts the same cluster where the test says. With -advertise-addr
// the broker names another address in its metadata (a recording relay in
// front of it), so that clients connect there.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"os/signal"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	addr := flag.String("listen-addr", "127.0.0.1:9092", "address to serve on")
	topics := flag.String("topics", "", "comma-separated topics to create")
	partitions := flag.Int("partitions", 1, "partitions of each topic")
	advertise := flag.String("advertise-addr", "", "address the broker gives clients, when not the one it serves on")
	flag.Parse()
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		// kfake asks for 127.0.0.1:port; the broker listens on addr,
		// and advertises it in metadata.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			l, err := net.Listen(network, *addr)
			if err != nil || *advertise == "" {
				return l, err
			}
			a, err := net.ResolveTCPAddr(network, *advertise)
			return advertised{l, a}, err
		}),
	}
	if *topics != "" {
		opts = append(opts, kfake.SeedTopics(int32(*partitions), strings.Split(*topics, ",")...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		log.Fatalf("start kfake on %s: %v", *addr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	c.Close()
}

// advertised is a listener that gives another address as its own: kfake
// advertises its listeners' addresses.
type advertised struct {
	net.Listener
	addr net.Addr
}

func (a advertised) Addr() net.Addr { return a.addr }
