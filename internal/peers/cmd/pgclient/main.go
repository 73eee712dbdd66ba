// Command pgclient drives a PostgreSQL server with pgx over one connection
// for the privileged tests: it creates a table, inserts rows with literals,
// selects with a WHERE clause, executes a named prepared statement -n
// times, runs a query on a missing table, reads a large result set and one
// last query. It prints its process id, then one line per step: its name,
// how long it took in nanoseconds and whether it failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	n := flag.Int("n", 100, "executions of the prepared statement")
	rows := flag.Int("rows", 10000, "rows of the large result set")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: pgclient [-n N] [-rows R] postgres://...")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)
	fmt.Println("pid", os.Getpid(), false)
	step := func(name string, f func() error) {
		start := time.Now()
		err := f()
		fmt.Println(name, time.Since(start).Nanoseconds(), err != nil)
	}
	step("create", func() error {
		_, err := conn.Exec(ctx, "CREATE TABLE pgx_items (id int PRIMARY KEY, name text)")
		return err
	})
	step("insert", func() error {
		_, err := conn.Exec(ctx, "INSERT INTO pgx_items VALUES (1, 'pgx-secret-one'), (2, 'pgx-secret-two')")
		return err
	})
	step("select", func() error {
		var name string
		return conn.QueryRow(ctx, "SELECT name FROM pgx_items WHERE id = $1", 2).Scan(&name)
	})
	if _, err := conn.Prepare(ctx, "item_by_id", "SELECT name FROM pgx_items WHERE id = $1"); err != nil {
		log.Fatal(err)
	}
	step("prepared", func() error {
		var name string
		for i := range *n {
			if err := conn.QueryRow(ctx, "item_by_id", 1+i%2).Scan(&name); err != nil {
				return err
			}
		}
		return nil
	})
	step("missing", func() error {
		_, err := conn.Exec(ctx, "SELECT * FROM pgx_missing WHERE id = 7")
		return err
	})
	step("large", func() error {
		r, err := conn.Query(ctx, "SELECT g, 'row-' || g FROM generate_series(1, $1::int) g", *rows)
		if err != nil {
			return err
		}
		count := 0
		for r.Next() {
			count++
		}
		if count != *rows {
			return fmt.Errorf("read %d rows", count)
		}
		return r.Err()
	})
	step("after", func() error {
		_, err := conn.Exec(ctx, "UPDATE pgx_items SET name = 'pgx-secret-three' WHERE id = 1")
		return err
	})
}
