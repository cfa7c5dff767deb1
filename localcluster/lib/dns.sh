# Cluster DNS: CoreDNS on the host's bridge address, reading the API as its own user, behind
# the kube-dns Service whose EndpointSlice points at the host. It answers for the cluster's
# zones only and forwards nothing. Source, do not run.

lc_dns_up() {
  lc_kubectl apply -f - >/dev/null <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "localcluster:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "localcluster:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "localcluster:coredns"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "localcluster:coredns"}]
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, kubernetes.io/name: CoreDNS}
spec:
  clusterIP: $LC_DNS_SERVICE_IP
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-localcluster
  namespace: kube-system
  labels: {kubernetes.io/service-name: kube-dns, endpointslice.kubernetes.io/managed-by: localcluster}
addressType: IPv4
endpoints: [{addresses: ["$LC_HOST_IP"], conditions: {ready: true}}]
ports:
- {name: dns, port: 53, protocol: UDP}
- {name: dns-tcp, port: 53, protocol: TCP}
YAML
  lc_write "$LC_STATE/Corefile" <<COREFILE
.:53 {
    bind $LC_HOST_IP
    errors
    ready 127.0.0.1:18181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $(lc_kubeconfig coredns) localcluster
        pods insecure
        ttl 30
    }
    cache 30
}
COREFILE
  lc_start coredns -- "$(lc_coredns_dir)/coredns" -conf "$LC_STATE/Corefile"
  lc_wait coredns "ready (127.0.0.1:18181/ready)" 60 curl -sf http://127.0.0.1:18181/ready
}
