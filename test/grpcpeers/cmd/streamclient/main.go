// Command streamclient makes -n calls to the greeter over ONE ClientConn,
// -c at a time, so that several streams share the connection at once: call
// i is helloworld.Greeter/SayHello for even i and, for odd i, the method
// helloworld.Greeter/Probe{i}, which the greeter does not implement, so
// that the call can be told from the others by its method name. It prints
// one line per call: its number, method and status code, and fails when a
// call ends otherwise than OK (SayHello) or Unimplemented (Probe). With
// -traceparent-every N, every call i with i%N == 0 carries a traceparent
// in its metadata, as an application with an SDK would send: trace id
// 5eed followed by i+1 in 28 hex digits, span id 5eed followed by i+1 in
// 12 hex digits, sampled.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	pb "google.golang.org/grpc/examples/helloworld/helloworld"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "the greeter's address")
	n := flag.Int("n", 40, "calls to make")
	c := flag.Int("c", 8, "calls in flight at once")
	every := flag.Int("traceparent-every", 0, "send a traceparent with every call i where i%N == 0; 0 for none")
	flag.Parse()
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatalf("connect: %v", err)
	}
	defer conn.Close()
	next := make(chan int)
	go func() {
		for i := range *n {
			next <- i
		}
		close(next)
	}()
	var mu sync.Mutex
	failed := false
	var wg sync.WaitGroup
	for range *c {
		wg.Go(func() {
			for i := range next {
				method, code := call(conn, i, *every > 0 && i%*every == 0)
				mu.Lock()
				fmt.Println(i, method, code)
				if code != want(i) {
					failed = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed {
		log.Fatal("a call ended with an unexpected status")
	}
}

// call makes call i and returns its method and status code.
func call(conn *grpc.ClientConn, i int, traceparent bool) (string, codes.Code) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if traceparent {
		ctx = metadata.AppendToOutgoingContext(ctx, "traceparent", fmt.Sprintf("00-5eed%028x-5eed%012x-01", i+1, i+1))
	}
	method := "/helloworld.Greeter/SayHello"
	if i%2 == 1 {
		method = fmt.Sprintf("/helloworld.Greeter/Probe%d", i)
	}
	err := conn.Invoke(ctx, method, &pb.HelloRequest{Name: fmt.Sprintf("call-%d", i)}, new(pb.HelloReply))
	return method, status.Code(err)
}

func want(i int) codes.Code {
	if i%2 == 1 {
		return codes.Unimplemented
	}
	return codes.OK
}
