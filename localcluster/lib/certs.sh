# The cluster's PKI and kubeconfigs, made with openssl as hack/local-up-cluster.sh does.
# Source, do not run.

lc_pki_dir() { echo "$LC_STATE/pki"; }

# lc_cert NAME CN O [SAN]: a key and a certificate signed by the cluster CA.
lc_cert() {
  local name=$1 cn=$2 org=$3 san=${4:-} dir; dir=$(lc_pki_dir)
  [ -f "$dir/$name.crt" ] && return 0
  local subj="/CN=$cn"; [ -n "$org" ] && subj="/O=$org$subj"
  local ext; ext=$(mktemp)
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"
    else echo "extendedKeyUsage=clientAuth"; fi
  } > "$ext"
  openssl genrsa -out "$dir/$name.key" 2048 2>/dev/null
  openssl req -new -key "$dir/$name.key" -subj "$subj" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 365 -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
}

# lc_write_kubeconfig NAME CERT_NAME: a kubeconfig for the client certificate CERT_NAME.
lc_write_kubeconfig() {
  local file dir; file=$(lc_kubeconfig "$1"); dir=$(lc_pki_dir)
  mkdir -p "$(dirname "$file")"
  lc_write "$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: localcluster
  cluster:
    server: $LC_APISERVER_URL
    certificate-authority-data: $(base64 -w0 < "$dir/ca.crt")
users:
- name: $1
  user:
    client-certificate-data: $(base64 -w0 < "$dir/$2.crt")
    client-key-data: $(base64 -w0 < "$dir/$2.key")
contexts:
- name: localcluster
  context: {cluster: localcluster, user: $1}
current-context: localcluster
KC
  chmod 600 "$file"
}

lc_pki_up() {
  local dir; dir=$(lc_pki_dir)
  mkdir -p "$dir"; chmod 700 "$dir"
  if [ ! -f "$dir/ca.crt" ]; then
    openssl genrsa -out "$dir/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$dir/ca.key" -subj "/CN=localcluster-ca" -days 365 \
      -out "$dir/ca.crt" 2>/dev/null
  fi
  [ -f "$dir/sa.key" ] || { openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
                            openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null; }
  lc_cert apiserver kube-apiserver "" \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$LC_HOST_IP,IP:$LC_APISERVER_SERVICE_IP"
  lc_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  lc_cert admin admin system:masters
  lc_cert controller-manager system:kube-controller-manager ""
  lc_cert scheduler system:kube-scheduler ""
  lc_cert kube-proxy system:kube-proxy ""
  lc_cert coredns localcluster:coredns ""
  lc_write_kubeconfig admin admin
  lc_write_kubeconfig controller-manager controller-manager
  lc_write_kubeconfig scheduler scheduler
  lc_write_kubeconfig kube-proxy kube-proxy
  lc_write_kubeconfig coredns coredns
  local node
  for node in "${LC_NODES[@]}"; do
    lc_cert "kubelet-$node" "system:node:$node" system:nodes
    lc_write_kubeconfig "kubelet-$node" "kubelet-$node"
  done
}
