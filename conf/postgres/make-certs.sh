#!/bin/sh
# Makes a throwaway certificate authority (ca.crt, ca.key), a server
# certificate for 127.0.0.1 and localhost (server.crt, server.key), and a
# client certificate for one database user (client.crt, client.key).
#
# Usage: make-certs.sh [DIRECTORY [DATABASE_USER]]   (defaults: certs cookbook)
set -eu
dir=${1:-certs}
user=${2:-cookbook}
days=30
mkdir -p "$dir"
cd "$dir"

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# The certificate authority signs the two other certificates.
newkey ca.key
openssl req -new -x509 -key ca.key -days "$days" -subj "/CN=cookbook throwaway CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt

# The server certificate names the addresses clients connect to, so that
# sslmode=verify-full can check them.
newkey server.key
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days "$days" -extfile server.ext -out server.crt 2>/dev/null

# The client certificate's common name is the database user it logs in as.
newkey client.key
openssl req -new -key client.key -subj "/CN=$user" -out client.csr
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days "$days" -extfile client.ext -out client.crt 2>/dev/null

rm -f server.csr server.ext client.csr client.ext ca.srl
