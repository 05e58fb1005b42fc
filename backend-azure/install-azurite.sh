#!/usr/bin/env bash
# Installs the Azurite blob emulator (npm package "azurite", pinned) into <repo>/.tools/azurite,
# where the backend-azure tests look for it (or set AZURITE_BIN to an azurite-blob executable).
# Idempotent: does nothing when the pinned version is already installed. Needs node and npm.
set -euo pipefail

AZURITE_VERSION="${AZURITE_VERSION:-3.37.0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
dest="$root/.tools/azurite"
bin="$dest/node_modules/.bin/azurite-blob"

installed_version() {
    node -p "require('$dest/node_modules/azurite/package.json').version" 2>/dev/null || true
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "install-azurite: node and npm are required (install Node.js 18 or newer)" >&2
    exit 1
fi

if [[ -x "$bin" && "$(installed_version)" == "$AZURITE_VERSION" ]]; then
    echo "install-azurite: azurite $AZURITE_VERSION already in $dest"
    exit 0
fi

mkdir -p "$dest"
# A private package.json keeps npm from walking up to some other project.
if [[ ! -f "$dest/package.json" ]]; then
    printf '{\n  "name": "thunderstream-test-tools",\n  "private": true\n}\n' > "$dest/package.json"
fi
npm install --prefix "$dest" --no-audit --no-fund --no-save --loglevel=error "azurite@$AZURITE_VERSION"

if [[ ! -x "$bin" ]]; then
    echo "install-azurite: $bin is missing after npm install" >&2
    exit 1
fi
echo "install-azurite: installed azurite $(installed_version) in $dest"
