#!/usr/bin/env bash
# Installs whatever a fresh machine (Node and npm only) lacks, from the npm registry and
# Debian's packages only: pnpm, Debian's chromium, and the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version from the npm registry"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium_path" ]; then
  echo "bootstrap: installing Debian's chromium"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

# Lockfile-exact install; pnpm runs no dependency build scripts unless listed in
# onlyBuiltDependencies, so nothing downloads browsers or binaries.
pnpm install --frozen-lockfile --reporter=silent
