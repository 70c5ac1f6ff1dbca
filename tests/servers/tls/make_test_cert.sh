#!/usr/bin/env bash
# Makes the loopback TLS test certificates in <dir>, unless they are there:
#   ca.pem           "openbits loopback test CA" (tests trust it in the Wine prefix)
#   server.pem       the server's certificate, signed by that CA, for 127.0.0.1
#                    (subjectAltName IP:127.0.0.1 and DNS:localhost, serverAuth)
#   server.key       its private key, unencrypted
#   wronghost.pem    signed by the same CA, valid, but only for wrong-host.invalid
#   expired.pem      signed by the same CA for 127.0.0.1 and localhost, but
#                    valid only from 2020-01-01 to 2021-01-01
# The last two use server.key too.  The CA's key is thrown away once the
# certificates are signed, so the CA can vouch for nothing else.  Valid for
# 20 years.  Needs the openssl CLI.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 <dir>" >&2; exit 2; }
dir=$1
complete=1
for f in ca.pem server.pem server.key wronghost.pem expired.pem; do [ -s "$dir/$f" ] || complete=0; done
[ $complete = 1 ] && exit 0
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.make.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
days=7300

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -subj "/CN=openbits loopback test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" \
    -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null

# ext <file> <subjectAltName>
ext() {
    cat >"$1" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $2
EXT
}
ext "$tmp/server.ext" "IP:127.0.0.1, DNS:localhost"
ext "$tmp/wronghost.ext" "DNS:wrong-host.invalid"
openssl x509 -req -sha256 -days "$days" -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -extfile "$tmp/server.ext" -out "$tmp/server.pem" 2>/dev/null
openssl req -new -key "$tmp/server.key" -sha256 -subj "/CN=wrong-host.invalid" -out "$tmp/wronghost.csr" 2>/dev/null
openssl x509 -req -sha256 -days "$days" -in "$tmp/wronghost.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -extfile "$tmp/wronghost.ext" -out "$tmp/wronghost.pem" 2>/dev/null

# An expired certificate needs dates in the past, which only "openssl ca" sets.
mkdir -p "$tmp/ca"
: >"$tmp/ca/index.txt"
openssl rand -hex 8 >"$tmp/ca/serial"
cat >"$tmp/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $tmp/ca/index.txt
serial = $tmp/ca/serial
new_certs_dir = $tmp/ca
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
openssl ca -batch -notext -config "$tmp/ca.cnf" -cert "$tmp/ca.pem" -keyfile "$tmp/ca.key" \
    -startdate 20200101000000Z -enddate 20210101000000Z -extfile "$tmp/server.ext" \
    -in "$tmp/server.csr" -out "$tmp/expired.pem" 2>/dev/null
mv "$tmp/server.key" "$tmp/server.pem" "$tmp/wronghost.pem" "$tmp/expired.pem" "$dir/"
mv "$tmp/ca.pem" "$dir/"      # last: its presence means the set is complete
