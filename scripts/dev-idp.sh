#!/usr/bin/env bash
# A stand-in identity provider for trying edf.auth.mode = jwt by hand: makes an RSA key pair and
# its JWKS, and mints RS256 (or HS256) access tokens the server accepts. Needs openssl, jq and xxd.
# Not an identity provider for real users: it signs whatever it is told.
#
#   scripts/dev-idp.sh keys   DIR              DIR/private.pem (the signing key) and DIR/jwks.json
#   scripts/dev-idp.sh rotate DIR              a new signing key; jwks.json publishes both
#   scripts/dev-idp.sh token  DIR SUB [ROLE..] an RS256 token for SUB with these roles
#   HS256_SECRET=... scripts/dev-idp.sh token - SUB [ROLE..]   an HS256 token instead (no DIR)
#
# The token's `iss` and `aud` come from EDF_JWT_ISSUER and EDF_JWT_AUDIENCE (the names the server
# reads; defaults https://dev-idp.invalid and edf), its lifetime from TTL seconds (default 3600).
set -euo pipefail

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

usage() { sed -n '2,12p' "$0" >&2; exit 2; }

new_key() { # DIR -> DIR/private.pem, prints its public JWK
  local dir=$1
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/private.pem" 2>/dev/null
  chmod 600 "$dir/private.pem"
  local n kid
  n=$(openssl rsa -in "$dir/private.pem" -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
  kid=$(openssl rsa -in "$dir/private.pem" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -binary | b64url | cut -c1-16)
  jq -n --arg n "$n" --arg kid "$kid" '{kty: "RSA", use: "sig", alg: "RS256", kid: $kid, n: $n, e: "AQAB"}'
}

kid_of() { # DIR -> the kid of DIR/private.pem
  openssl rsa -in "$1/private.pem" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -binary | b64url | cut -c1-16
}

cmd=${1:-}; [ -n "$cmd" ] || usage
case "$cmd" in
  keys)
    dir=${2:?DIR}; mkdir -p "$dir"
    new_key "$dir" | jq '{keys: [.]}' > "$dir/jwks.json"
    echo "signing key $dir/private.pem (kid $(kid_of "$dir")); JWKS $dir/jwks.json" >&2
    ;;
  rotate)
    dir=${2:?DIR}; [ -f "$dir/jwks.json" ] || { echo "no $dir/jwks.json: run keys first" >&2; exit 1; }
    jwk=$(new_key "$dir")
    jq --argjson jwk "$jwk" '.keys += [$jwk]' "$dir/jwks.json" > "$dir/jwks.json.new" && mv "$dir/jwks.json.new" "$dir/jwks.json"
    echo "new signing key (kid $(kid_of "$dir")); $dir/jwks.json now has $(jq '.keys | length' "$dir/jwks.json") keys" >&2
    ;;
  token)
    dir=${2:?DIR}; sub=${3:?SUB}; shift 3
    now=$(date +%s)
    roles=$(printf '%s\n' "$@" | jq -R . | jq -cs 'map(select(length > 0))')
    payload=$(jq -cn --arg iss "${EDF_JWT_ISSUER:-https://dev-idp.invalid}" --arg aud "${EDF_JWT_AUDIENCE:-edf}" \
      --arg sub "$sub" --argjson roles "$roles" --argjson iat "$now" --argjson exp "$((now + ${TTL:-3600}))" \
      '{iss: $iss, aud: $aud, sub: $sub, roles: $roles, iat: $iat, exp: $exp}')
    if [ -n "${HS256_SECRET:-}" ]; then
      header='{"alg":"HS256","typ":"JWT"}'
      input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
      sig=$(printf '%s' "$input" | openssl dgst -sha256 -hmac "$HS256_SECRET" -binary | b64url)
    else
      header=$(jq -cn --arg kid "$(kid_of "$dir")" '{alg: "RS256", typ: "JWT", kid: $kid}')
      input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
      sig=$(printf '%s' "$input" | openssl dgst -sha256 -sign "$dir/private.pem" -binary | b64url)
    fi
    echo "$input.$sig"
    ;;
  *) usage ;;
esac
