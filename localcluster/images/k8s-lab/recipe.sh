# A shell-friendly Debian (bash, coreutils, df, mount, ps) that keeps running,
# serving a small page on port 7777 with busybox httpd.
debian_rootfs essential busybox-static mount procps
install -D -m 644 "$src/index.html" "$root/var/www/k8s-lab/index.html"
bah config --cmd '["busybox", "httpd", "-f", "-p", "7777", "-h", "/var/www/k8s-lab"]' \
  --port 7777/tcp --env PATH="$default_path" "$ctr"
