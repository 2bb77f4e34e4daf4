#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the shared corpus charts (../shared,
# next to the repository) and from testdata/. Safe to re-run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared="$here/../../shared/corpus/charts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$here/corpus/template_parse" "$here/corpus/template_render" \
         "$here/corpus/values_yaml" "$here/corpus/chart_archive"

charts=""
if [ -d "$shared" ]; then
  charts=$(ls "$shared"/*.tgz)
else
  echo "note: $shared not found; seeding from testdata only" >&2
fi
for tgz in $charts; do
  name=$(basename "$tgz" .tgz)
  mkdir -p "$tmp/$name"
  tar -xzf "$tgz" -C "$tmp/$name"
  # Small charts also seed the archive target, as plain tar streams.
  if [ "$(wc -c < "$tgz")" -lt 65536 ]; then
    gzip -dc "$tgz" > "$here/corpus/chart_archive/$name.tar"
  fi
done
find "$here/../testdata" -name '*.tgz' -size -64k 2>/dev/null | head -50 | while read -r tgz; do
  gzip -dc "$tgz" > "$here/corpus/chart_archive/td-$(echo "$tgz" | cksum | cut -d' ' -f1).tar" 2>/dev/null || true
done

# Templates: every file under templates/ (size-capped; libFuzzer's -max_len
# decides what it mutates anyway).
find "$tmp" -path '*/templates/*' -type f -size -16k | while read -r f; do
  id=$(echo "$f" | cksum | cut -d' ' -f1)
  cp "$f" "$here/corpus/template_parse/$id"
  cp "$f" "$here/corpus/template_render/$id"
done
# Values and Chart.yaml files, plus the YAML test cases of testdata/.
find "$tmp" "$here/../testdata" \( -name 'values*.yaml' -o -name 'Chart.yaml' -o -path '*values-yaml/cases/*' \) \
    -type f -size -32k 2>/dev/null | while read -r f; do
  cp "$f" "$here/corpus/values_yaml/$(echo "$f" | cksum | cut -d' ' -f1)"
done
for d in "$here"/corpus/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
