#!/usr/bin/env bash
# Makes the loopback TLS test certificates in <dir>, unless they are there:
#   ca.pem       "openbits loopback test CA" (tests trust it in the Wine prefix)
#   server.pem   the server's certificate, signed by that CA, for 127.0.0.1
#                (subjectAltName IP:127.0.0.1 and DNS:localhost, serverAuth)
#   server.key   its private key, unencrypted
# The CA's key is thrown away once the server's certificate is signed, so the
# CA can vouch for nothing else.  Valid for 20 years.  Needs the openssl CLI.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 <dir>" >&2; exit 2; }
dir=$1
[ -s "$dir/ca.pem" ] && [ -s "$dir/server.pem" ] && [ -s "$dir/server.key" ] && exit 0
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.make.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
days=7300

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -subj "/CN=openbits loopback test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" \
    -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
cat >"$tmp/server.ext" <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
EXT
openssl x509 -req -sha256 -days "$days" -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -extfile "$tmp/server.ext" -out "$tmp/server.pem" 2>/dev/null
mv "$tmp/server.key" "$tmp/server.pem" "$dir/"
mv "$tmp/ca.pem" "$dir/"      # last: its presence means the set is complete
