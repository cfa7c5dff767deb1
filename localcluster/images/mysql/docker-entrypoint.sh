#!/bin/bash
# Does what the official mysql:5.7 entrypoint does, with MariaDB: on the first
# start it initializes the data directory from MYSQL_ROOT_PASSWORD (or
# MYSQL_ALLOW_EMPTY_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD, MYSQL_ROOT_HOST),
# MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD and /docker-entrypoint-initdb.d,
# then runs the server, which drops to user mysql itself.
set -eo pipefail
shopt -s nullglob

log() { local type=$1; shift; printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$type" "$*"; }
note() { log Note "$@"; }
error() { log ERROR "$@" >&2; exit 1; }
sql_string() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }

# A command starting with an option is options for mysqld.
if [ "${1:0:1}" = - ]; then set -- mysqld "$@"; fi

wants_help() {
  local arg
  for arg; do case $arg in -'?' | --help | --print-defaults | -V | --version) return 0 ;; esac; done
  return 1
}

init_database() {
  local datadir=$1 socket=$2; shift 2
  if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "$MYSQL_ALLOW_EMPTY_PASSWORD" ] && [ -z "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    error 'Database is uninitialized and password option is not specified
    You need to specify one of the following:
    - MYSQL_ROOT_PASSWORD
    - MYSQL_ALLOW_EMPTY_PASSWORD
    - MYSQL_RANDOM_ROOT_PASSWORD'
  fi
  note "Initializing database files"
  mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve --default-time-zone=SYSTEM --skip-log-bin >/dev/null
  note "Database files initialized"

  note "Starting temporary server"
  "$@" --skip-networking --socket="$socket" --skip-log-bin &
  local pid=$! i
  local client=(mysql --protocol=socket --socket="$socket" -uroot)
  for i in {30..0}; do
    if "${client[@]}" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || error "Unable to start server."
    sleep 1
  done
  [ "$i" != 0 ] || error "Unable to start server."
  note "Temporary server started."

  local password=$MYSQL_ROOT_PASSWORD host=${MYSQL_ROOT_HOST:-%}
  if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    note "GENERATED ROOT PASSWORD: $password"
  fi
  local pw; pw=$(sql_string "$password")
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    # mariadb-install-db also creates root@<hostname> and a proxy grant for it.
    echo "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');"
    echo "DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';"
    echo "FLUSH PRIVILEGES;"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $pw;"
    if [ "$host" != localhost ]; then
      echo "CREATE USER 'root'@$(sql_string "$host") IDENTIFIED BY $pw;"
      echo "GRANT ALL ON *.* TO 'root'@$(sql_string "$host") WITH GRANT OPTION;"
    fi
    echo "DROP DATABASE IF EXISTS test;"
    if [ -n "$MYSQL_DATABASE" ]; then
      note "Creating database ${MYSQL_DATABASE}" >&2
      echo "CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE//\`/\`\`}\`;"
    fi
    if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
      note "Creating user ${MYSQL_USER}" >&2
      echo "CREATE USER $(sql_string "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
      if [ -n "$MYSQL_DATABASE" ]; then
        echo "GRANT ALL ON \`${MYSQL_DATABASE//\`/\`\`}\`.* TO $(sql_string "$MYSQL_USER")@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | "${client[@]}" --database=mysql

  client+=(--password="$password")
  if [ -n "$MYSQL_DATABASE" ]; then client+=(--database="$MYSQL_DATABASE"); fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    # shellcheck source=/dev/null
    case $f in
      *.sh) note "$0: running $f"; . "$f" ;;
      *.sql) note "$0: running $f"; "${client[@]}" <"$f" ;;
      *.sql.gz) note "$0: running $f"; gunzip -c "$f" | "${client[@]}" ;;
      *) note "$0: ignoring $f" ;;
    esac
  done

  note "Stopping temporary server"
  kill "$pid"
  wait "$pid" || error "Unable to shut down server."
  note "Temporary server stopped"
  echo
  note "MySQL init process done. Ready for start up."
  echo
}

if [ "$1" = mysqld ] && ! wants_help "$@"; then
  note "Entrypoint script for MariaDB Server $(mysqld --version | awk '{ print $3 }') started."
  read -r datadir socket < <("$@" --verbose --help 2>/dev/null |
    awk '$1 == "datadir" { d = $2 } $1 == "socket" { s = $2 } END { print d, s }')
  datadir=${datadir%/}
  mkdir -p "$datadir" "$(dirname "$socket")"
  if [ "$(id -u)" = 0 ]; then chown -R mysql:mysql "$datadir" "$(dirname "$socket")"; fi
  if [ ! -d "$datadir/mysql" ]; then init_database "$datadir" "$socket" "$@"; fi
fi
exec "$@"
