#!/usr/bin/env bash
# Codefleet worker installer: runs the worker as the systemd service a2a-agent-worker.
#
# Run as root from a built checkout (npm install && npm run build), or pass --build:
#   sudo ./deploy/install.sh                 install or upgrade (safe to run again)
#   sudo ./deploy/install.sh --build --start build first, then enable and start
#   sudo ./deploy/install.sh --uninstall     remove app, unit; keep config and user
#   sudo ./deploy/install.sh --uninstall --purge   also remove config, state and user
#
# What it does:
#   1. checks node (>= 20.19, 24 recommended) and npm
#   2. creates the system user/group a2a-worker (home /var/lib/a2a-worker: agent state)
#   3. copies dist/, package.json, package-lock.json to /opt/a2a-worker and runs
#      `npm install --omit=dev` there
#   4. creates /etc/a2a-worker/config.json (from deploy/config.example.json, chmod 600,
#      owned by a2a-worker) and /etc/a2a-worker/env, only if they do not exist yet
#   5. installs /etc/systemd/system/a2a-agent-worker.service and reloads systemd;
#      restarts the service if it was running (upgrade)
#
# Paths can be overridden for testing: A2A_PREFIX, A2A_CONF_DIR, A2A_STATE_DIR, A2A_UNIT_DIR.
set -euo pipefail

SERVICE_NAME=a2a-agent-worker
SERVICE_USER=a2a-worker
PREFIX="${A2A_PREFIX:-/opt/a2a-worker}"
CONF_DIR="${A2A_CONF_DIR:-/etc/a2a-worker}"
STATE_DIR="${A2A_STATE_DIR:-/var/lib/a2a-worker}"
UNIT_DIR="${A2A_UNIT_DIR:-/etc/systemd/system}"
MIN_NODE_MAJOR=20
MIN_NODE_MINOR=19

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UNIT_SRC="$REPO_DIR/deploy/systemd/$SERVICE_NAME.service"
CONFIG_EXAMPLE="$REPO_DIR/deploy/config.example.json"
WORKER_MAIN_REL="dist/apps/worker/src/main.js"

ACTION=install
PURGE=false
BUILD=false
START=false
NODE_BIN="${NODE_BIN:-}"
STAGING=""

info() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: sudo $0 [--build] [--start] [--node PATH]
       sudo $0 --uninstall [--purge]

  --build        run 'npm install && npm run build' in the checkout first (as its owner)
  --start        enable and start the service after installing
  --node PATH    node binary to use (default: node on PATH); must be >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR
  --uninstall    stop and remove the service and $PREFIX (keeps $CONF_DIR and the user)
  --purge        with --uninstall: also remove $CONF_DIR, $STATE_DIR and the $SERVICE_USER user
  -h, --help     this help
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) ACTION=uninstall ;;
    --purge) PURGE=true ;;
    --build) BUILD=true ;;
    --start) START=true ;;
    --node) [ $# -ge 2 ] || die "--node needs a path"; NODE_BIN="$2"; shift ;;
    --node=*) NODE_BIN="${1#--node=}" ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done

have_systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# Refuse to rm -rf anything that is not an absolute path of at least two components.
safe_rm_rf() {
  case "$1" in
    /?*/?*) rm -rf -- "$1" ;;
    *) die "refusing to remove suspicious path: '$1'" ;;
  esac
}

cleanup() { if [ -n "$STAGING" ] && [ -d "$STAGING" ]; then rm -rf -- "$STAGING"; fi; }
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || die "run as root: sudo $0"

# ---------------------------------------------------------------------------------------
uninstall() {
  info "Uninstalling $SERVICE_NAME"
  if have_systemd; then
    systemctl disable --now "$SERVICE_NAME" >/dev/null 2>&1 || true
  fi
  if [ -f "$UNIT_DIR/$SERVICE_NAME.service" ]; then
    rm -f -- "$UNIT_DIR/$SERVICE_NAME.service"
    note "removed $UNIT_DIR/$SERVICE_NAME.service"
  fi
  if have_systemd; then systemctl daemon-reload; fi
  if [ -d "$PREFIX" ]; then safe_rm_rf "$PREFIX"; note "removed $PREFIX"; fi

  if [ "$PURGE" = true ]; then
    if [ -d "$CONF_DIR" ]; then safe_rm_rf "$CONF_DIR"; note "removed $CONF_DIR"; fi
    if [ -d "$STATE_DIR" ]; then safe_rm_rf "$STATE_DIR"; note "removed $STATE_DIR"; fi
    if id -u "$SERVICE_USER" >/dev/null 2>&1; then userdel "$SERVICE_USER"; note "removed user $SERVICE_USER"; fi
    if getent group "$SERVICE_USER" >/dev/null 2>&1; then groupdel "$SERVICE_USER"; fi
  else
    note "kept $CONF_DIR, $STATE_DIR and user $SERVICE_USER (use --uninstall --purge to remove)"
  fi
  info "Done."
}

# ---------------------------------------------------------------------------------------
check_node() {
  if [ -z "$NODE_BIN" ]; then
    NODE_BIN="$(command -v node || true)"
  fi
  if [ -z "$NODE_BIN" ] || [ ! -x "$NODE_BIN" ]; then
    die "node not found. Install Node.js 24 (>= $MIN_NODE_MAJOR.$MIN_NODE_MINOR) system-wide, or pass --node PATH"
  fi
  case "$NODE_BIN" in /*) ;; *) NODE_BIN="$(cd "$(dirname "$NODE_BIN")" && pwd)/$(basename "$NODE_BIN")" ;; esac

  local version major minor
  version="$("$NODE_BIN" -p 'process.versions.node')"
  major="${version%%.*}"
  minor="${version#*.}"; minor="${minor%%.*}"
  if [ "$major" -lt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -lt "$MIN_NODE_MINOR" ]; }; then
    die "node $version at $NODE_BIN is too old: need >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR (24 recommended)"
  fi
  if [ "$major" -lt 24 ]; then warn "node $version works, but 24 is recommended"; fi
  case "$NODE_BIN" in
    /root/*|/home/*) warn "$NODE_BIN is inside a home directory; the service user may not be able to run it. Prefer a system-wide node (e.g. /usr/bin/node)." ;;
  esac

  NPM_BIN="$(dirname "$NODE_BIN")/npm"
  [ -x "$NPM_BIN" ] || NPM_BIN="$(command -v npm || true)"
  [ -n "$NPM_BIN" ] || die "npm not found next to $NODE_BIN or on PATH"
  NODE_PATH_DIR="$(dirname "$NODE_BIN")"
  info "Using node $version ($NODE_BIN)"
}

run_npm() { PATH="$NODE_PATH_DIR:$PATH" "$NPM_BIN" "$@"; }

build_checkout() {
  local owner
  owner="$(stat -c %U "$REPO_DIR")"
  info "Building the checkout in $REPO_DIR (as $owner)"
  if [ "$owner" = root ]; then
    (cd "$REPO_DIR" && run_npm install --no-audit --no-fund && run_npm run build)
  else
    # shellcheck disable=SC2016 # expanded by the inner sh
    runuser -u "$owner" -- env "PATH=$NODE_PATH_DIR:$PATH" \
      sh -c 'cd "$1" && "$2" ci --no-audit --no-fund && "$2" run build' sh "$REPO_DIR" "$NPM_BIN"
  fi
}

ensure_user() {
  if ! getent group "$SERVICE_USER" >/dev/null 2>&1; then
    groupadd --system "$SERVICE_USER"
    note "created group $SERVICE_USER"
  fi
  if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
    local nologin
    nologin="$(command -v nologin || echo /usr/sbin/nologin)"
    useradd --system --gid "$SERVICE_USER" --home-dir "$STATE_DIR" --no-create-home \
      --shell "$nologin" --comment "Codefleet agent worker" "$SERVICE_USER"
    note "created system user $SERVICE_USER (home $STATE_DIR)"
  else
    note "user $SERVICE_USER exists"
  fi
  install -d -m 750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$STATE_DIR"
}

install_app() {
  info "Installing the worker to $PREFIX"
  install -d -m 755 -o root -g root "$PREFIX"
  STAGING="$(mktemp -d "$PREFIX/.install.XXXXXX")"
  cp -R "$REPO_DIR/dist" "$STAGING/dist"
  cp "$REPO_DIR/package.json" "$REPO_DIR/package-lock.json" "$STAGING/"
  (cd "$STAGING" && run_npm install --omit=dev --no-audit --no-fund --loglevel=error)
  install -d -m 755 "$STAGING/deploy"
  cp "$REPO_DIR/deploy/README.md" "$CONFIG_EXAMPLE" "$UNIT_SRC" "$STAGING/deploy/" 2>/dev/null || true

  # Swap the new files in (the service is restarted afterwards if it was running).
  local item
  for item in dist node_modules package.json package-lock.json deploy; do
    rm -rf -- "${PREFIX:?}/$item"
    if [ -e "$STAGING/$item" ]; then mv -- "$STAGING/$item" "$PREFIX/$item"; fi
  done
  rmdir -- "$STAGING"; STAGING=""
  chown -R root:root "$PREFIX"
  chmod -R go-w "$PREFIX"
  note "installed dist/ and production node_modules"
}

install_config() {
  info "Configuration in $CONF_DIR"
  install -d -m 750 -o root -g "$SERVICE_USER" "$CONF_DIR"
  if [ -f "$CONF_DIR/config.json" ]; then
    note "kept existing $CONF_DIR/config.json"
  else
    install -m 600 -o "$SERVICE_USER" -g "$SERVICE_USER" "$CONFIG_EXAMPLE" "$CONF_DIR/config.json"
    note "created $CONF_DIR/config.json from deploy/config.example.json: EDIT IT (server_url, codebases)"
  fi
  if [ -f "$CONF_DIR/env" ]; then
    note "kept existing $CONF_DIR/env"
  else
    ( umask 077; cat >"$CONF_DIR/env" <<'EOF'
# Environment for the a2a-agent-worker service (KEY=value per line). Overrides config.json.
# Apply changes with: sudo systemctl restart a2a-agent-worker
#A2A_SERVER_URL=https://codefleet.example.com
#A2A_WORKER_NAME=worker-1
#A2A_AUTH_TOKEN=
#A2A_REDIS_URL=redis://redis.internal:6379
#A2A_POLL_INTERVAL=5
#ENABLED_TOOLS=opencode
#DEFAULT_TOOL=opencode

# Credentials for the agent CLIs
#ANTHROPIC_API_KEY=
#OPENAI_API_KEY=
#GEMINI_API_KEY=
EOF
    )
    chown root:root "$CONF_DIR/env"
    chmod 600 "$CONF_DIR/env"
    note "created $CONF_DIR/env (set A2A_AUTH_TOKEN here)"
  fi
  if [ "$(stat -c %a "$CONF_DIR/config.json")" != 600 ]; then
    warn "$CONF_DIR/config.json is mode $(stat -c %a "$CONF_DIR/config.json"); 600 is recommended"
  fi
}

install_unit() {
  info "Installing $UNIT_DIR/$SERVICE_NAME.service"
  [ -f "$UNIT_SRC" ] || die "missing $UNIT_SRC"
  install -d -m 755 "$UNIT_DIR"
  local tmp
  tmp="$(mktemp)"
  sed -e "s#^ExecStart=/usr/bin/node #ExecStart=$NODE_BIN #" \
      -e "s#/opt/a2a-worker#$PREFIX#g" \
      -e "s#/etc/a2a-worker#$CONF_DIR#g" \
      -e "s#/var/lib/a2a-worker#$STATE_DIR#g" \
      "$UNIT_SRC" >"$tmp"
  install -m 644 -o root -g root "$tmp" "$UNIT_DIR/$SERVICE_NAME.service"
  rm -f -- "$tmp"

  if ! have_systemd; then
    warn "systemd is not running here: unit installed but not loaded"
    return
  fi
  systemctl daemon-reload
  if [ "$START" = true ]; then
    systemctl enable "$SERVICE_NAME" >/dev/null 2>&1
    systemctl restart "$SERVICE_NAME"
    note "enabled and (re)started $SERVICE_NAME"
  elif systemctl is-active --quiet "$SERVICE_NAME"; then
    systemctl restart "$SERVICE_NAME"
    note "restarted the running service with the new version"
  fi
}

install_all() {
  check_node
  if [ "$BUILD" = true ]; then build_checkout; fi
  [ -f "$REPO_DIR/$WORKER_MAIN_REL" ] \
    || die "$REPO_DIR/$WORKER_MAIN_REL not found: build first (npm install && npm run build) or pass --build"
  [ -f "$REPO_DIR/package-lock.json" ] || die "$REPO_DIR/package-lock.json not found"
  [ -f "$CONFIG_EXAMPLE" ] || die "missing $CONFIG_EXAMPLE"

  info "Service user $SERVICE_USER"
  ensure_user
  install_app
  install_config
  install_unit

  info "Done."
  cat <<EOF

Next steps:
  1. Edit $CONF_DIR/config.json (server_url, worker_name, codebases) and set
     A2A_AUTH_TOKEN in $CONF_DIR/env.
  2. Give $SERVICE_USER write access to the codebases, e.g.
       sudo setfacl -R -m u:$SERVICE_USER:rwX -m d:u:$SERVICE_USER:rwX /home/user/my-project
  3. sudo systemctl enable --now $SERVICE_NAME
     sudo journalctl -u $SERVICE_NAME -f
EOF
}

case "$ACTION" in
  install) install_all ;;
  uninstall) uninstall ;;
esac
