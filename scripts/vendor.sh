#!/usr/bin/env bash
# Copies the pinned front-end libraries from the npm registry into the static files.
# Run after changing package.json; the copied files are committed so that running
# Backstage needs no Node.js and nothing loads from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts >/dev/null
mkdir -p src/backstage/core/static/vendor tests/browser/vendor
cp node_modules/htmx.org/dist/htmx.min.js src/backstage/core/static/vendor/htmx.min.js
cp node_modules/axe-core/axe.min.js tests/browser/vendor/axe.min.js
echo "vendored: htmx $(node -p "require('./node_modules/htmx.org/package.json').version"), axe-core $(node -p "require('./node_modules/axe-core/package.json').version")"
