// Command coredns is CoreDNS with only the plugins that the local cluster's Corefile
// (localcluster/lib/dns.sh) and kubeadm's, which kind's clusters run, use: a full build compiles
// every cloud provider's SDK, which nothing here loads. As CoreDNS's own main, with its list of
// directives cut to those plugins, kept in CoreDNS's order (core/dnsserver/zdirectives.go).
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func init() {
	dnsserver.Directives = []string{"reload", "bind", "ready", "health", "prometheus", "errors", "loadbalance",
		"cache", "kubernetes", "loop", "forward"}
}

func main() {
	coremain.Run()
}
