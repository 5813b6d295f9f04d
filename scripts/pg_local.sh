#!/usr/bin/env bash
# A local PostgreSQL for tests and benchmarks, listening on 127.0.0.1 only.
#
#   scripts/pg_local.sh [DBNAME]      (DBNAME defaults to cxm)
#
# Idempotent: installs PostgreSQL through apt-get when it is missing, creates and starts the
# Debian cluster, creates the role `cxm` (password `cxm`, CREATEDB so that the test runner can
# create test databases) and the database owned by it. Progress goes to stderr; the last line
# on stdout is the DATABASE_URL to use, e.g. postgres://cxm:cxm@127.0.0.1:5432/cxm
set -euo pipefail

DBNAME="${1:-cxm}"
ROLE=cxm
PASSWORD=cxm
CLUSTER=main

say() { echo "pg_local: $*" >&2; }

as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"
    elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
    else sudo -n -u postgres -- "$@"
    fi
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n -- "$@"; fi
}

pg_version() {
    ls /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -1
}

VERSION="$(pg_version || true)"
if [ -z "$VERSION" ] || [ ! -x "/usr/lib/postgresql/$VERSION/bin/postgres" ] \
    || ! command -v pg_ctlcluster >/dev/null; then
    say "installing PostgreSQL with apt-get (quietly) …"
    export DEBIAN_FRONTEND=noninteractive
    # A UTF-8 locale for the cluster that the package creates.
    export LANG=C.UTF-8 LC_ALL=C.UTF-8
    as_root apt-get -q update >/dev/null
    as_root apt-get -q install -y --no-install-recommends postgresql >/dev/null
    VERSION="$(pg_version)"
fi

if ! pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$VERSION/$CLUSTER"; then
    say "creating cluster $VERSION/$CLUSTER"
    as_root pg_createcluster --encoding=UTF8 --locale=C.UTF-8 "$VERSION" "$CLUSTER" >/dev/null
fi

# Loopback only, whatever the package's defaults are; shared buffers big enough to keep the
# benchmark's hot pages (Debian's default of 128MB is sized for very small machines).
CONF_DIR="/etc/postgresql/$VERSION/$CLUSTER/conf.d"
CONF="$CONF_DIR/00-opencxm.conf"
WANTED="listen_addresses = '127.0.0.1'
shared_buffers = '${CXM_PG_SHARED_BUFFERS:-512MB}'"
if [ "$(cat "$CONF" 2>/dev/null || true)" != "$WANTED" ]; then
    as_root mkdir -p "$CONF_DIR"
    echo "$WANTED" | as_root tee "$CONF" >/dev/null
    if pg_ctlcluster "$VERSION" "$CLUSTER" status >/dev/null 2>&1; then
        say "restarting cluster $VERSION/$CLUSTER for its new settings"
        as_root pg_ctlcluster "$VERSION" "$CLUSTER" restart >&2
    fi
fi

if ! pg_ctlcluster "$VERSION" "$CLUSTER" status >/dev/null 2>&1; then
    say "starting cluster $VERSION/$CLUSTER"
    as_root pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi

PORT="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $3}')"
psql_su() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres "$@"; }

for _ in $(seq 1 30); do
    psql_su -tAc "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
done

psql_su <<SQL >/dev/null
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    ELSE
        ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    END IF;
END
\$\$;
SQL

if [ "$(psql_su -tAc "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'")" != 1 ]; then
    say "creating database $DBNAME"
    psql_su -c "CREATE DATABASE \"$DBNAME\" OWNER $ROLE ENCODING 'UTF8' TEMPLATE template0" >&2
fi

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DBNAME"
