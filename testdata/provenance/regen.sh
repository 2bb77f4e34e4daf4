#!/usr/bin/env bash
# Regenerates the test-only OpenPGP keys and the helm-signed fixture used by
# the unit tests in src/repo/provenance/ (these keys protect nothing).
#   keys: signer (RSA, unprotected), locked (RSA, passphrase "s3cret"),
#         other (ed25519, unprotected; not the signer of anything)
#   exported as legacy binary (.pub/.sec), armored (.asc) and a GnuPG keybox
#   (signer.kbx); fixture/: a chart packaged and signed by the real helm
#   (HELM=/path/to/helm, default `helm`) with the signer key.
set -euo pipefail
cd "$(dirname "$0")"
HELM=${HELM:-helm}
work=$(mktemp -d /tmp/rudder-prov-keys.XXXXXX)
trap 'for h in "$work"/g-*; do GNUPGHOME=$h gpgconf --kill gpg-agent || true; done; rm -rf "$work"' EXIT

gen() { # name params
  local home="$work/g-$1"
  mkdir -m 700 "$home"
  printf '%b' "$2" > "$home/params"
  GNUPGHOME=$home gpg --batch --pinentry-mode loopback --gen-key "$home/params" 2>/dev/null
}
gen signer 'Key-Type: RSA\nKey-Length: 2048\nName-Real: Provenance Signer\nName-Comment: rudder tests\nName-Email: signer@example.com\nExpire-Date: 0\n%no-protection\n%commit\n'
gen locked 'Key-Type: RSA\nKey-Length: 2048\nName-Real: Locked Signer\nName-Email: locked@example.com\nExpire-Date: 0\nPassphrase: s3cret\n%commit\n'
gen other 'Key-Type: EDDSA\nKey-Curve: ed25519\nName-Real: Other Person\nName-Email: other@example.com\nExpire-Date: 0\n%no-protection\n%commit\n'

for k in signer locked other; do
  home="$work/g-$k"
  GNUPGHOME=$home gpg --batch --export > "$k.pub"
  GNUPGHOME=$home gpg --batch --pinentry-mode loopback --passphrase s3cret --export-secret-keys > "$k.sec"
  GNUPGHOME=$home gpg --batch --armor --export > "$k.asc"
done
cp "$work/g-signer/pubring.kbx" signer.kbx

rm -rf fixture && mkdir -p fixture/src/templates
printf 'apiVersion: v2\nname: signed\nversion: 0.1.0\ndescription: A chart signed by helm\nkeywords: [provenance]\n' > fixture/src/Chart.yaml
printf 'replicas: 1\n' > fixture/src/values.yaml
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n' > fixture/src/templates/cm.yaml
"$HELM" package --sign --key 'Provenance Signer' --keyring signer.sec fixture/src -d fixture >/dev/null
rm -rf fixture/src
echo "regenerated: $(ls | tr '\n' ' ') fixture/$(ls fixture | tr '\n' ' ')"
