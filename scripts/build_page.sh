#!/usr/bin/env bash
# Build one book page strictly (as `make book` would) in a temporary book, for authors.
# Usage: scripts/build_page.sh chapters/ch2_data_analysis/page.md   -> prints the HTML path
set -euo pipefail
page=${1:?usage: scripts/build_page.sh chapters/SLUG/page.md}
root=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "${page%.*}")
tmp=$(mktemp -d /tmp/page-XXXXXX)
cp "$root/_config.yml" "$tmp/"
ln -s "$root/book" "$tmp/book"
ln -s "$root/chapters" "$tmp/chapters"
ln -s "$root/build" "$tmp/build"
printf 'format: jb-book\nroot: %s\n' "${page%.*}" > "$tmp/_toc.yml"
bash "$root/scripts/fetch_static_js.sh" "$root/build/static-js" >/dev/null
"$root/.venv/bin/jupyter-book" build "$tmp" --warningiserror --nitpick --keep-going
echo "built: $tmp/_build/html/${page%.*}.html"
