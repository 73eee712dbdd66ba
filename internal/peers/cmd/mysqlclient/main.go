// Command mysqlclient drives a MySQL or MariaDB server with
// go-sql-driver/mysql over one connection for the privileged tests, with
// server-side prepared statements: it creates a table, inserts rows with
// literals, selects with a WHERE clause, executes a prepared statement -n
// times, runs a query on a missing table, reads a large result set and one
// last query. It prints its process id, then one line per step: its name,
// how long it took in nanoseconds and whether it failed.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/go-sql-driver/mysql"
)

func main() {
	n := flag.Int("n", 100, "executions of the prepared statement")
	rows := flag.Int("rows", 10000, "rows of the large result set")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: mysqlclient [-n N] [-rows R] user@tcp(host:port)/db")
	}
	cfg, err := mysql.ParseDSN(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	cfg.InterpolateParams = false // arguments go through COM_STMT_PREPARE / EXECUTE
	db := sql.OpenDB(must(mysql.NewConnector(cfg)))
	db.SetMaxOpenConns(1)
	defer db.Close()
	fmt.Println("pid", os.Getpid(), false)
	step := func(name string, f func() error) {
		start := time.Now()
		err := f()
		fmt.Println(name, time.Since(start).Nanoseconds(), err != nil)
	}
	step("create", func() error {
		_, err := db.Exec("CREATE TABLE my_items (id int PRIMARY KEY, name text)")
		return err
	})
	step("insert", func() error {
		_, err := db.Exec("INSERT INTO my_items VALUES (1, 'my-secret-one'), (2, 'my-secret-two')")
		return err
	})
	step("select", func() error {
		var name string
		return db.QueryRow("SELECT name FROM my_items WHERE id = 2").Scan(&name)
	})
	stmt := must(db.Prepare("SELECT name FROM my_items WHERE id = ?"))
	step("prepared", func() error {
		var name string
		for i := range *n {
			if err := stmt.QueryRow(1 + i%2).Scan(&name); err != nil {
				return err
			}
		}
		return nil
	})
	stmt.Close()
	step("missing", func() error {
		_, err := db.Exec("SELECT * FROM my_missing WHERE id = 7")
		return err
	})
	step("large", func() error {
		r, err := db.Query("SELECT seq, CONCAT('row-', seq) FROM seq_1_to_" + fmt.Sprint(*rows))
		if err != nil {
			return err
		}
		defer r.Close()
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
		_, err := db.Exec("UPDATE my_items SET name = 'my-secret-three' WHERE id = 1")
		return err
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
