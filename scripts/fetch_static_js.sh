#!/usr/bin/env bash
# Fetch the JavaScript the published book needs from the npm registry into build/static-js,
# so the book loads it from its own _static/ folder instead of a CDN: the ipywidgets
# embedder (html-manager 1.0.x is the one for ipywidgets 8), require.js, and MathJax 3.
# Versions are pinned.
set -euo pipefail
HTML_MANAGER=@jupyter-widgets/html-manager@1.0.15
REQUIREJS=requirejs@2.3.8
MATHJAX=mathjax@3.2.2
out=${1:-build/static-js}
if [ -f "$out/embed-amd.js" ] && [ -f "$out/require.js" ] && [ -f "$out/mathjax/tex-mml-chtml.js" ]; then exit 0; fi
command -v npm >/dev/null || { echo "fetch_static_js: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$HTML_MANAGER" "$REQUIREJS" "$MATHJAX" >/dev/null 2>&1)
mkdir -p "$tmp/hm" "$tmp/rq" "$tmp/mj" "$out.tmp"
tar -xzf "$tmp"/jupyter-widgets-html-manager-*.tgz -C "$tmp/hm"
tar -xzf "$tmp"/requirejs-*.tgz -C "$tmp/rq"
tar -xzf "$tmp"/mathjax-*.tgz -C "$tmp/mj"
cp "$tmp"/hm/package/dist/embed-amd.js "$out.tmp/"
# fonts and images that the bundle references relative to itself
find "$tmp/hm/package/dist" -maxdepth 1 -type f \( -name '*.eot' -o -name '*.svg' -o -name '*.ttf' -o -name '*.woff' -o -name '*.woff2' \) -exec cp {} "$out.tmp/" \;
cp "$tmp"/rq/package/require.js "$out.tmp/"
# MathJax loads its components and fonts relative to itself: keep its es5/ tree whole
cp -r "$tmp"/mj/package/es5 "$out.tmp/mathjax"
{
  echo "Fetched from the npm registry by scripts/fetch_static_js.sh:"
  echo "  $HTML_MANAGER  licence: $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["license"])' "$tmp/hm/package/package.json")"
  echo "  $REQUIREJS  licence: $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["license"])' "$tmp/rq/package/package.json")"
  echo "  $MATHJAX  licence: $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["license"])' "$tmp/mj/package/package.json")"
} > "$out.tmp/NOTICE.txt"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "book JavaScript (widgets, MathJax) in $out"
