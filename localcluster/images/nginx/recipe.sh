# nginx from Debian, configured like the official image: /etc/nginx/nginx.conf
# and conf.d/default.conf as upstream ships them, workers run as user nginx
# (uid 101), logs go to stdout/stderr through symlinks.
debian_rootfs essential nginx curl ca-certificates
add_user nginx 101 nginx 101 /nonexistent
install -m 644 "$src/nginx.conf" "$root/etc/nginx/nginx.conf"
install -m 644 "$src/default.conf" "$root/etc/nginx/conf.d/default.conf"
install -m 755 "$src/docker-entrypoint.sh" "$root/docker-entrypoint.sh"
rm -f "$root/etc/nginx/sites-enabled/default"
rm -rf "$root/var/www/html"
grep -q 'Welcome to nginx!' "$root/usr/share/nginx/html/index.html"
install -m 644 "$src/50x.html" "$root/usr/share/nginx/html/50x.html"
# A volume mounted over /var/log/nginx hides these links, and nginx writes real files there.
rm -f "$root"/var/log/nginx/*
ln -s /dev/stdout "$root/var/log/nginx/access.log"
ln -s /dev/stderr "$root/var/log/nginx/error.log"

bah config --entrypoint '["/docker-entrypoint.sh"]' --cmd '["nginx", "-g", "daemon off;"]' \
  --port 80/tcp --stop-signal SIGQUIT --env PATH="$default_path" "$ctr"
