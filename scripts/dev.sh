#!/usr/bin/env bash
# One command for a fresh machine: local PostgreSQL and Redis, a build, the API on :8000 and a
# worker on this machine serving ./workspace (or CODEFLEET_CODEBASE). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh
[ -d node_modules ] || npm install --no-audit --no-fund
npm run -s build

export PORT=${PORT:-8000}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/codefleet}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
token_file=.cache/dev-token
mkdir -p .cache
[ -s "$token_file" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$token_file"
token=$(cat "$token_file")
export A2A_AUTH_TOKENS=${A2A_AUTH_TOKENS:-dev:$token}
codebase=${CODEFLEET_CODEBASE:-$PWD/workspace}
mkdir -p "$codebase"

npm run -s start:api &
api=$!
trap 'kill $api ${worker:-} 2>/dev/null; wait' INT TERM EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done

A2A_AUTH_TOKEN=$token npm run -s start:worker -- --server "http://127.0.0.1:$PORT" --name "$(hostname)-dev" \
  --codebase "workspace:$codebase" &
worker=$!

cat <<MSG

Codefleet is running: API http://127.0.0.1:$PORT (Swagger UI at /docs), one worker serving $codebase.
Token: $token   (curl -H "Authorization: Bearer $token" http://127.0.0.1:$PORT/v1/agent/workers)
MSG
wait
