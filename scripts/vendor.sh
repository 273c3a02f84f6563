#!/usr/bin/env bash
# Copies the pinned front-end libraries from the npm registry into the static files.
# Run after changing package.json; the copied files are committed so that running
# Backstage needs no Node.js and nothing loads from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts >/dev/null
mkdir -p src/backstage/core/static/vendor tests/browser/vendor
cp node_modules/htmx.org/dist/htmx.min.js src/backstage/core/static/vendor/htmx.min.js
# Without their source maps (not shipped), whose references would break collectstatic's manifest.
sed '/^\/\/# sourceMappingURL=/d' node_modules/tus-js-client/dist/tus.min.js > src/backstage/core/static/vendor/tus.min.js
sed '/^\/\/# sourceMappingURL=/d' node_modules/hls.js/dist/hls.min.js > src/backstage/core/static/vendor/hls.min.js
cp node_modules/axe-core/axe.min.js tests/browser/vendor/axe.min.js
version() { node -p "require('./node_modules/$1/package.json').version"; }
echo "vendored: htmx $(version htmx.org), tus-js-client $(version tus-js-client), hls.js $(version hls.js), axe-core $(version axe-core)"
