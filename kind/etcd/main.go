// Command etcd is etcd's server at the release go.mod pins, built as its own module: etcd's
// server module replaces its sibling modules with local paths, so `go install` refuses it.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
