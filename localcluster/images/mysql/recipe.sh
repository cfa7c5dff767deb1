# MariaDB from Debian standing in for MySQL 5.7: server and client, an
# entrypoint that behaves like the official one, an empty /var/lib/mysql.
debian_rootfs essential mariadb-server-core mariadb-client-core
add_user mysql 999 mysql 999 /var/lib/mysql
install -m 644 "$src/server.cnf" "$root/etc/mysql/mariadb.conf.d/50-server.cnf"
install -m 755 "$src/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
ln -s usr/local/bin/docker-entrypoint.sh "$root/entrypoint.sh"
mkdir -p "$root/var/lib/mysql" "$root/run/mysqld" "$root/docker-entrypoint-initdb.d"
rm -rf "${root:?}"/var/lib/mysql/*
chown 999:999 "$root/var/lib/mysql" "$root/run/mysqld"
chroot "$root" mysqld --version >/dev/null
chroot "$root" mysql --version >/dev/null

bah config --entrypoint '["docker-entrypoint.sh"]' --cmd '["mysqld"]' --port 3306/tcp \
  --volume /var/lib/mysql --env PATH="$default_path" "$ctr"
