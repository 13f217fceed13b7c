#!/usr/bin/env bash
# Fetch the ipywidgets embedding JavaScript from the npm registry into build/widgets-js,
# so the published book loads it from its own _static/ folder instead of a CDN.
# Versions are pinned; html-manager 1.0.x is the embedder for ipywidgets 8.
set -euo pipefail
HTML_MANAGER=@jupyter-widgets/html-manager@1.0.15
REQUIREJS=requirejs@2.3.8
out=${1:-build/widgets-js}
if [ -f "$out/embed-amd.js" ] && [ -f "$out/require.js" ]; then exit 0; fi
command -v npm >/dev/null || { echo "fetch_widget_js: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$HTML_MANAGER" "$REQUIREJS" >/dev/null 2>&1)
mkdir -p "$tmp/hm" "$tmp/rq" "$out.tmp"
tar -xzf "$tmp"/jupyter-widgets-html-manager-*.tgz -C "$tmp/hm"
tar -xzf "$tmp"/requirejs-*.tgz -C "$tmp/rq"
cp "$tmp"/hm/package/dist/embed-amd.js "$out.tmp/"
# fonts and images that the bundle references relative to itself
find "$tmp/hm/package/dist" -maxdepth 1 -type f \( -name '*.eot' -o -name '*.svg' -o -name '*.ttf' -o -name '*.woff' -o -name '*.woff2' \) -exec cp {} "$out.tmp/" \;
cp "$tmp"/rq/package/require.js "$out.tmp/"
{
  echo "Fetched from the npm registry by scripts/fetch_widget_js.sh:"
  echo "  $HTML_MANAGER  licence: $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["license"])' "$tmp/hm/package/package.json")"
  echo "  $REQUIREJS  licence: $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["license"])' "$tmp/rq/package/package.json")"
} > "$out.tmp/NOTICE.txt"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "widget JavaScript in $out"
