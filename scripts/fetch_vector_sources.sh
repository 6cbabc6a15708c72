#!/usr/bin/env bash
# Fetch the SVG sources of `senga vector` into a cache folder (never committed).
#
#   bash scripts/fetch_vector_sources.sh [DEST] [AVATARS_PER_STYLE]
#
# DEST defaults to data/vector-src (git-ignored), AVATARS_PER_STYLE to 300.
# Needs apt-get (Debian / Ubuntu; no root: `apt-get download` + `dpkg -x`),
# node >= 18 and npm. Writes
#
#   DEST/openclipart/{people,animals,recreation}/*.svg   Open Clip Art 0.18 (public domain)
#   DEST/openclipart/LICENSE                              the package's copyright file
#   DEST/dicebear/{lorelei,adventurer,micah}/*.svg        DiceBear 9.4.3 avatars, seeds 0..N-1
#   DEST/dicebear/{lorelei,adventurer,micah}/LICENSE      each style's licence (CC0 1.0 / CC BY 4.0)
#   DEST/SOURCES.md                                       what was fetched, versions, licences
#
# Then: senga vector DEST/openclipart DEST/dicebear -o OUT --n 400 (see docs/data.md, "Vector pairs").
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-data/vector-src}"
per_style="${2:-300}"
dicebear_version="9.4.3"
folders=(people animals recreation)
styles=(lorelei adventurer micah)

mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== Open Clip Art (Debian package openclipart-svg) -> $dest/openclipart"
(cd "$work" && apt-get download openclipart-svg >/dev/null 2>&1) || {
    echo "apt-get download openclipart-svg failed: run 'apt-get update' (as root) and retry" >&2
    exit 1
}
deb="$(ls "$work"/openclipart-svg_*.deb)"
dpkg -x "$deb" "$work/pkg"
clip_version="$(dpkg-deb -f "$deb" Version)"
mkdir -p "$dest/openclipart"
for f in "${folders[@]}"; do
    rm -rf "${dest:?}/openclipart/$f"
    cp -r "$work/pkg/usr/share/openclipart/svg/$f" "$dest/openclipart/$f"
done
cp "$work/pkg/usr/share/doc/openclipart-svg/copyright" "$dest/openclipart/LICENSE"

echo "== DiceBear $dicebear_version avatars (npm) -> $dest/dicebear"
mkdir -p "$work/node"
(cd "$work/node" && npm install --no-audit --no-fund --silent \
    "@dicebear/core@$dicebear_version" "@dicebear/lorelei@$dicebear_version" \
    "@dicebear/adventurer@$dicebear_version" "@dicebear/micah@$dicebear_version" >/dev/null)
cp "$here/dicebear_avatars.mjs" "$work/node/"
mkdir -p "$dest/dicebear"
for s in "${styles[@]}"; do rm -rf "${dest:?}/dicebear/$s"; done
node "$work/node/dicebear_avatars.mjs" "$dest/dicebear" "$per_style" "${styles[@]}"
for s in "${styles[@]}"; do
    cp "$work/node/node_modules/@dicebear/$s/LICENSE" "$dest/dicebear/$s/LICENSE"
done

count() { find "$1" -name '*.svg' | wc -l | tr -d ' '; }
cat >"$dest/SOURCES.md" <<EOF
# Vector sources for senga vector (fetched $(date -u +%Y-%m-%d) by scripts/fetch_vector_sources.sh)

| folder | files | source | licence |
|---|---:|---|---|
| openclipart/people | $(count "$dest/openclipart/people") | Debian openclipart-svg $clip_version | public domain (openclipart/LICENSE) |
| openclipart/animals | $(count "$dest/openclipart/animals") | Debian openclipart-svg $clip_version | public domain |
| openclipart/recreation | $(count "$dest/openclipart/recreation") | Debian openclipart-svg $clip_version | public domain |
| dicebear/lorelei | $(count "$dest/dicebear/lorelei") | npm @dicebear/lorelei $dicebear_version, design "Lorelei" by Lisa Wischofsky | CC0 1.0 (dicebear/lorelei/LICENSE) |
| dicebear/adventurer | $(count "$dest/dicebear/adventurer") | npm @dicebear/adventurer $dicebear_version, design "Adventurer" by Lisa Wischofsky | CC BY 4.0: attribute (dicebear/adventurer/LICENSE) |
| dicebear/micah | $(count "$dest/dicebear/micah") | npm @dicebear/micah $dicebear_version, design "Avatar Illustration System" by Micah Lanier | CC BY 4.0: attribute (dicebear/micah/LICENSE) |

DiceBear code (@dicebear/core and the style packages' code) is MIT, by Florian Körner.
Anything made from the CC BY 4.0 styles must credit the designer, the design's
name, the licence, and say that it was changed (rendered, recolored, shaded by senga).
EOF
echo "== done: $(count "$dest") SVG files; licences in $dest/SOURCES.md"
