// etcd, as upstream's server/main.go starts it: etcdmain is the whole server.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
