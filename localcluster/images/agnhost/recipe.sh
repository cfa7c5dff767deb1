# A stand-in for agnhost with only its grpc-health-checking subcommand (main.go), built here
# from the Go module proxy, static, alone in the image.
(cd "$src" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "-s -w" -o "$root/agnhost" .)
bah config --entrypoint '["/agnhost"]' "$ctr"
