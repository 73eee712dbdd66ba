// Command ferretdb serves the MongoDB wire protocol with FerretDB's
// embeddable server and its SQLite backend. FerretDB's own command needs
// version files its module does not carry; this starts the same server.
package main

import (
	"context"
	"flag"
	"log"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	addr := flag.String("listen-addr", "127.0.0.1:27017", "address to serve on")
	dir := flag.String("sqlite-dir", "", "directory of the SQLite databases")
	flag.Parse()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *addr}, Handler: "sqlite", SQLiteURL: "file:" + *dir + "/",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	f.Run(ctx)
}
