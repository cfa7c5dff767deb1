// Command agnhost stands in for the Kubernetes e2e image of that name with one of its
// subcommands, grpc-health-checking: a gRPC server of the standard health service
// (grpc.health.v1.Health) on --port, whose status an HTTP server on --http-port changes:
// GET /make-serving and /make-not-serving. It starts SERVING.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "grpc-health-checking" {
		fmt.Fprintln(os.Stderr, "usage: agnhost grpc-health-checking [--port 5000] [--http-port 8080] [--service NAME]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet("grpc-health-checking", flag.ExitOnError)
	port := flags.Int("port", 5000, "the gRPC health service's port")
	httpPort := flags.Int("http-port", 8080, "the port of /make-serving and /make-not-serving")
	service := flags.String("service", "", "the service name whose status changes (the empty name: the server's)")
	_ = flags.Parse(os.Args[2:])

	status := health.NewServer()
	status.SetServingStatus(*service, healthpb.HealthCheckResponse_SERVING)
	set := func(to healthpb.HealthCheckResponse_ServingStatus) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			status.SetServingStatus(*service, to)
			log.Printf("health of %q is now %s", *service, to)
			fmt.Fprintln(w, to)
		}
	}
	http.HandleFunc("/make-serving", set(healthpb.HealthCheckResponse_SERVING))
	http.HandleFunc("/make-not-serving", set(healthpb.HealthCheckResponse_NOT_SERVING))
	go func() { log.Fatal(http.ListenAndServe(fmt.Sprintf(":%d", *httpPort), nil)) }()

	listener, err := net.Listen("tcp", fmt.Sprintf(":%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	server := grpc.NewServer()
	healthpb.RegisterHealthServer(server, status)
	log.Printf("gRPC health on :%d, its switch on :%d", *port, *httpPort)
	log.Fatal(server.Serve(listener))
}
