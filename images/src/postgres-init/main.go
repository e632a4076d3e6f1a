// postgres-init: the entrypoint of the project's PostgreSQL image (Debian's PostgreSQL
// binaries, which the image carries). It keeps the environment contract of the official
// postgres image the program was written for: on an empty $PGDATA it runs initdb with
// $POSTGRES_USER as superuser and $POSTGRES_PASSWORD (through a file, never argv), creates
// $POSTGRES_DB, requires scram-sha-256 for every TCP client (the in-container socket is
// trusted, as in the official image: only processes in the container reach it), then execs postgres.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

const bin = "/usr/lib/postgresql/15/bin"

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "postgres-init: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	data := os.Getenv("PGDATA")
	user := os.Getenv("POSTGRES_USER")
	password := os.Getenv("POSTGRES_PASSWORD")
	db := os.Getenv("POSTGRES_DB")
	if data == "" || user == "" {
		fail("PGDATA and POSTGRES_USER must be set")
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); os.IsNotExist(err) {
		if password == "" {
			fail("POSTGRES_PASSWORD is empty: refusing to create a database anyone may log in to")
		}
		initialise(data, user, password, db)
	}
	// The password is needed only by initdb: the server never sees it in its environment.
	env := []string{}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "POSTGRES_PASSWORD=") {
			env = append(env, e)
		}
	}
	if err := syscall.Exec(bin+"/postgres", []string{"postgres", "-D", data}, env); err != nil {
		fail("exec postgres: %v", err)
	}
}

func run(name string, stdin string, args ...string) {
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		fail("%s: %v", name, err)
	}
}

func initialise(data, user, password, db string) {
	pwfile, err := os.CreateTemp("", "pwfile")
	if err != nil {
		fail("temp file: %v", err)
	}
	defer os.Remove(pwfile.Name())
	if _, err := pwfile.WriteString(password + "\n"); err != nil {
		fail("temp file: %v", err)
	}
	pwfile.Close()
	run("initdb", "", "-D", data, "-U", user, "--pwfile="+pwfile.Name(), "--auth-local=trust",
		"--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C")
	if db != "" && db != "postgres" {
		// Single-user mode: no server listens while the database is created.
		run("postgres", fmt.Sprintf("CREATE DATABASE %s OWNER %s;\n", quote(db), quote(user)),
			"--single", "-D", data, "-j", "postgres")
	}
	appendTo(filepath.Join(data, "pg_hba.conf"), "host all all all scram-sha-256\n")
	// The image carries no LLVM: JIT is off.
	appendTo(filepath.Join(data, "postgresql.conf"), "listen_addresses = '*'\njit = off\n")
}

func quote(ident string) string { return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"` }

func appendTo(file, text string) {
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		fail("%v", err)
	}
}
