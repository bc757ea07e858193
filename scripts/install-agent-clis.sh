#!/usr/bin/env bash
# Install the real agent CLIs that the end-to-end tests drive against the scripted model
# server (test/model-server). They go into a cache folder, not into the apps' dependencies
# (together about 1.2 GB).
#
#   scripts/install-agent-clis.sh [DIR]
#
# DIR defaults to ${CODEFLEET_AGENT_CACHE:-$HOME/.cache/codefleet-agents}. Prints the bin
# directory (DIR/node_modules/.bin) on stdout; progress goes to stderr. Idempotent: a stamp
# file records the pinned versions, and a second run with the same pins returns at once.
# Only the npm registry is contacted (through npm itself).
set -euo pipefail

# Pinned versions (checked with `npm view <pkg> version` and `<cli> --version` on 2026-11-23).
OPENCODE_VERSION=1.18.33
CLAUDE_CODE_VERSION=2.1.330
CODEX_VERSION=0.169.0
GEMINI_CLI_VERSION=0.61.0

PACKAGES=(
  "opencode-ai@${OPENCODE_VERSION}"
  "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}"
  "@openai/codex@${CODEX_VERSION}"
  "@google/gemini-cli@${GEMINI_CLI_VERSION}"
)

DIR="${1:-${CODEFLEET_AGENT_CACHE:-$HOME/.cache/codefleet-agents}}"
BIN="$DIR/node_modules/.bin"
STAMP="$DIR/.codefleet-agents.stamp"
STAMP_CONTENT="$(printf '%s\n' "${PACKAGES[@]}" "$(uname -s)-$(uname -m)")"

log() { printf '[install-agent-clis] %s\n' "$*" >&2; }

installed() {
  [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$STAMP_CONTENT" ]] || return 1
  local cli
  for cli in opencode claude codex gemini; do [[ -x "$BIN/$cli" ]] || return 1; done
}

if installed; then
  printf '%s\n' "$BIN"
  exit 0
fi

mkdir -p "$DIR"
# Serialise concurrent runs (parallel CI jobs sharing one cache).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DIR/.install.lock"
  flock 9
  if installed; then
    printf '%s\n' "$BIN"
    exit 0
  fi
fi

rm -f "$STAMP"
log "installing ${PACKAGES[*]} into $DIR"
# --ignore-scripts: npm 11 may or may not run dependencies' install scripts depending on its
# allow-list configuration, and node-pty's would compile native code. The two scripts the
# CLIs need are run explicitly below; both only link a binary from an already installed
# platform package.
npm install --prefix "$DIR" --ignore-scripts --no-audit --no-fund --save-exact --loglevel=error \
  "${PACKAGES[@]}" >&2

runs() { "$@" --version >/dev/null 2>&1; }

# Claude Code and OpenCode ship a placeholder bin that their postinstall replaces with the
# native binary from the platform package npm installed as an optional dependency
# (@anthropic-ai/claude-code-linux-x64, opencode-linux-x64 and so on).
link_native() {
  local cli="$1" pkg_dir="$2" script="$3" target="$4"
  shift 4
  if runs "$BIN/$cli"; then return 0; fi
  log "$cli: running its $script"
  (cd "$pkg_dir" && node "$script" >&2) || log "$cli: $script failed"
  if runs "$BIN/$cli"; then return 0; fi
  # Fallback: link the first platform binary that runs.
  local candidate
  for candidate in "$@"; do
    if [[ -x "$candidate" ]] && runs "$candidate"; then
      log "$cli: linking $candidate"
      ln -f "$candidate" "$target" 2>/dev/null || cp -f "$candidate" "$target"
      chmod 755 "$target"
      return 0
    fi
  done
  return 1
}

NM="$DIR/node_modules"
link_native claude "$NM/@anthropic-ai/claude-code" install.cjs "$NM/@anthropic-ai/claude-code/bin/claude.exe" \
  "$NM"/@anthropic-ai/claude-code-linux-*/claude "$NM"/@anthropic-ai/claude-code-darwin-*/claude || true
link_native opencode "$NM/opencode-ai" postinstall.mjs "$NM/opencode-ai/bin/opencode.exe" \
  "$NM"/opencode-linux-*/bin/opencode "$NM"/opencode-darwin-*/bin/opencode || true

failed=0
for cli in opencode claude codex gemini; do
  if version="$("$BIN/$cli" --version 2>/dev/null | head -n 1)"; then
    log "$cli: $version"
  else
    log "$cli: does not run ($BIN/$cli --version failed)"
    failed=1
  fi
done
if [[ "$failed" != 0 ]]; then
  log "some CLIs do not run; not writing the stamp"
  exit 1
fi

printf '%s\n' "$STAMP_CONTENT" >"$STAMP"
printf '%s\n' "$BIN"
