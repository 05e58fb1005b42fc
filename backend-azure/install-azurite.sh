#!/usr/bin/env bash
# Installs the Azurite blob emulator (npm package "azurite", pinned with its whole dependency
# tree in backend-azure/azurite/package-lock.json) into <repo>/.tools/azurite, where the
# backend-azure tests look for it (or set AZURITE_BIN to an azurite-blob executable).
# Idempotent: does nothing when the same lockfile is already installed. Needs node and npm.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
src="$here/azurite"
dest="$root/.tools/azurite"
bin="$dest/node_modules/.bin/azurite-blob"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "install-azurite: node and npm are required (Node.js 18 or newer)" >&2
    exit 1
fi

if [[ -x "$bin" ]] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
    echo "install-azurite: azurite $(node -p "require('$dest/node_modules/azurite/package.json').version") already in $dest"
    exit 0
fi

mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
# npm ci installs exactly the lockfile (and removes whatever node_modules held before).
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)

if [[ ! -x "$bin" ]]; then
    echo "install-azurite: $bin is missing after npm ci" >&2
    exit 1
fi
echo "install-azurite: installed azurite $(node -p "require('$dest/node_modules/azurite/package.json').version") in $dest"
