#!/usr/bin/env bash
# Regenerates the chart-command goldens (tests/goldens/chart/) from the real
# helm, for the cases listed in tests/goldens/chart/cases.txt.
# Helm is $HELM_BIN, else .helm-oracle/helm, else /work/helm-bin/helm.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
helm=${HELM_BIN:-$root/.helm-oracle/helm}
[ -x "$helm" ] || helm=/work/helm-bin/helm
[ -x "$helm" ] || { echo "no helm binary found" >&2; exit 1; }
out=$root/tests/goldens/chart
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

while IFS='|' read -r id kind args; do
  case "$id" in ''|\#*) continue ;; esac
  home=$scratch/home-$id
  mkdir -p "$home"
  envs=(HELM_CACHE_HOME=$home/cache HELM_CONFIG_HOME=$home/config HELM_DATA_HOME=$home/data
        HELM_REPOSITORY_CONFIG=$home/config/repositories.yaml HELM_REPOSITORY_CACHE=$home/cache/repository
        KUBECONFIG=$home/kubeconfig)
  case "$kind" in
    run)
      # shellcheck disable=SC2086
      # The checkout's absolute path is masked so the goldens hold on any clone.
      (cd "$root/testdata" && env "${envs[@]}" "$helm" $args >"$home/stdout" 2>"$home/stderr")
      echo $? >"$out/$id.code"
      sed "s#$root#<ROOT>#g" "$home/stdout" >"$out/$id.out"
      grep '^Error:' "$home/stderr" | sed "s#$root#<ROOT>#g" >"$out/$id.err" || true
      ;;
    env)
      # HELM_BIN is the binary's own path; the scratch home is masked.
      # shellcheck disable=SC2086
      (cd "$root/testdata" && env "${envs[@]}" HELM_NAMESPACE=golden "$helm" $args 2>"$home/stderr" |
        grep -v '^HELM_BIN=' | sed "s#$home#<HOME>#g" >"$out/$id.out")
      echo 0 >"$out/$id.code"
      ;;
    create)
      dir=$scratch/create-$id
      mkdir -p "$dir"
      # shellcheck disable=SC2086
      (cd "$dir" && env "${envs[@]}" "$helm" $args >"$out/$id.out" 2>/dev/null)
      echo $? >"$out/$id.code"
      (cd "$dir" && find . -type f | LC_ALL=C sort | while read -r f; do
         printf '%s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$f"; done) >"$out/$id.tree"
      ;;
    package)
      dest=$scratch/package-$id
      mkdir -p "$dest"
      # shellcheck disable=SC2086
      (cd "$root/testdata" && env "${envs[@]}" SOURCE_DATE_EPOCH=1700000000 "$helm" $args -d "$dest" >/dev/null 2>&1)
      echo $? >"$out/$id.code"
      for f in "$dest"/*.tgz; do
        basename "$f" >"$out/$id.name"
        gzip -dc "$f" | sha256sum | cut -d' ' -f1 >"$out/$id.tar.sha256"
        tar tzf "$f" >"$out/$id.list"
      done
      ;;
  esac
  echo "regenerated $id"
done <"$out/cases.txt"
