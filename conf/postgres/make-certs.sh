#!/bin/sh
# Makes a throwaway certificate authority, a server certificate for 127.0.0.1
# and localhost, and a client certificate for one database user, in three
# folders, so that each party gets only what it needs:
#
#   DIRECTORY/ca/      ca.key, ca.crt          keep this one away from servers and clients:
#                                              whoever holds ca.key can mint certificates
#   DIRECTORY/server/  server.crt, server.key, ca.crt   for the server's data directory
#   DIRECTORY/client/  client.crt, client.key, ca.crt   for the client (PGSSLCERT, ...)
#
# Usage: make-certs.sh [DIRECTORY [DATABASE_USER]]   (defaults: pki cookbook)
set -eu
dir=${1:-pki}
user=${2:-cookbook}
days=30
umask 077
mkdir -p "$dir/ca" "$dir/server" "$dir/client"
cd "$dir"

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# The certificate authority signs the two other certificates.
newkey ca/ca.key
openssl req -new -x509 -key ca/ca.key -days "$days" -subj "/CN=cookbook throwaway CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca/ca.crt

# The server certificate names the addresses clients connect to, so that
# sslmode=verify-full can check them.
newkey server/server.key
openssl req -new -key server/server.key -subj "/CN=localhost" -out server/server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server/server.ext
openssl x509 -req -in server/server.csr -CA ca/ca.crt -CAkey ca/ca.key -CAcreateserial \
    -CAserial ca/ca.srl -days "$days" -extfile server/server.ext -out server/server.crt 2>/dev/null

# The client certificate's common name is the database user it logs in as.
newkey client/client.key
openssl req -new -key client/client.key -subj "/CN=$user" -out client/client.csr
printf 'extendedKeyUsage=clientAuth\n' > client/client.ext
openssl x509 -req -in client/client.csr -CA ca/ca.crt -CAkey ca/ca.key -CAcreateserial \
    -CAserial ca/ca.srl -days "$days" -extfile client/client.ext -out client/client.crt 2>/dev/null

# Both sides check the other's certificate against the authority's.
cp ca/ca.crt server/ca.crt
cp ca/ca.crt client/ca.crt
chmod 644 ca/ca.crt server/ca.crt server/server.crt client/ca.crt client/client.crt
rm -f server/server.csr server/server.ext client/client.csr client/client.ext
