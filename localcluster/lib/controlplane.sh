# etcd and the control plane, on the host: etcd on loopback, the apiserver on the bridge
# address that nodes and pods reach. Source, do not run.

lc_etcd_up() {
  local dir="$LC_STATE/etcd"
  mkdir -p "$dir"; chmod 700 "$dir"
  lc_start etcd -- etcd --name localcluster --data-dir "$dir" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster localcluster=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
    --quota-backend-bytes 2147483648 --log-level warn
  lc_wait etcd "serving on 127.0.0.1:2379" 60 curl -sf http://127.0.0.1:2381/health
}

# LC_APISERVER_ADMISSION_CONFIG: a file for --admission-control-config-file (make variants sets
# Pod Security's cluster-wide default with it).
lc_controlplane_up() {
  local bin pki; bin=${LC_KUBE_BIN:-$(lc_bin_dir "$LC_KUBE_VERSION")}; pki=$(lc_pki_dir)
  lc_start kube-apiserver -- "$bin/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address="$LC_HOST_IP" --advertise-address="$LC_HOST_IP" --secure-port=6443 \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-cluster-ip-range="$LC_SERVICE_CIDR" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true --profiling=false \
    ${LC_APISERVER_ADMISSION_CONFIG:+--admission-control-config-file="$LC_APISERVER_ADMISSION_CONFIG"}
  lc_wait kube-apiserver "ready on $LC_APISERVER_URL" 120 lc_kubectl get --raw /readyz
  # LC_CONTROLLERS: the broken-cluster lab (localcluster/lab/) disables one controller with it.
  # A node is Unknown 20 s after its last heartbeat (50 s by default): its kubelet renews its lease
  # every 2.5 s here (nodeLeaseDurationSeconds in node.sh), so that is eight missed renewals.
  lc_start kube-controller-manager -- "$bin/kube-controller-manager" \
    --kubeconfig="$(lc_kubeconfig controller-manager)" \
    --authentication-kubeconfig="$(lc_kubeconfig controller-manager)" \
    --authorization-kubeconfig="$(lc_kubeconfig controller-manager)" \
    --bind-address=127.0.0.1 --leader-elect=false \
    --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --service-account-private-key-file="$pki/sa.key" --use-service-account-credentials \
    --service-cluster-ip-range="$LC_SERVICE_CIDR" --cluster-cidr="$LC_CLUSTER_CIDR" \
    --allocate-node-cidrs=false --profiling=false --controllers="${LC_CONTROLLERS:-*}" \
    --node-monitor-grace-period=20s
  lc_start kube-scheduler -- "$bin/kube-scheduler" \
    --kubeconfig="$(lc_kubeconfig scheduler)" \
    --authentication-kubeconfig="$(lc_kubeconfig scheduler)" \
    --authorization-kubeconfig="$(lc_kubeconfig scheduler)" \
    --bind-address=127.0.0.1 --leader-elect=false --profiling=false
  lc_wait kube-controller-manager "healthy on 127.0.0.1:10257" 90 \
    curl -sfk https://127.0.0.1:10257/healthz
  lc_wait kube-scheduler "healthy on 127.0.0.1:10259" 90 curl -sfk https://127.0.0.1:10259/healthz
}
