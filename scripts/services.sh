#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on 127.0.0.1 (installs them from Debian packages on a
# bare machine). Used by `npm run dev` and by CI; a no-op when both are already running.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! command -v pg_ctlcluster >/dev/null || ! command -v redis-server >/dev/null; then
  echo "services: installing postgresql and redis-server"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null
fi

if ! pg_up; then
  echo "services: starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "services: PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }

# Local development and tests connect as postgres over TCP without a password.
# A fresh Debian install asks for a password on TCP: trust loopback for the postgres user.
pg_login() { psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; }
if ! pg_login; then
  hba=$(as_root su postgres -c "psql -Atc 'show hba_file'")
  echo "services: trusting loopback logins for user postgres in $hba"
  as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  as_root su postgres -c "psql -Atc 'select pg_reload_conf()'" >/dev/null
fi
pg_login || { echo "services: cannot log in to PostgreSQL as postgres on 127.0.0.1; set DATABASE_URL" >&2; exit 1; }
for db in ${CODEFLEET_DATABASES:-codefleet}; do
  psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname = '$db'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -d postgres -qc "create database \"$db\"" && true
done

if ! redis_up; then
  echo "services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
fi
redis_up || { echo "services: Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }
echo "services: PostgreSQL and Redis are up"
