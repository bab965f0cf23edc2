#!/bin/sh
# make-certs.sh DIR: a CA and the certificates of the compose TLS profile, made once into DIR (a
# volume; nothing here is committed). Rerun: keeps what exists. Also a random etcd root password.
#   ca.pem                 the CA every process trusts (etcd and the nodes verify clients with it)
#   etcd.pem/.key          etcd's server certificate (DNS etcd-tls, localhost; IP 127.0.0.1)
#   node.pem/.key          the nodes' server certificate (DNS tls-node1..3, localhost; IP 127.0.0.1)
#   arith-worker.pem/.key  client certificate, CN arith-worker: nodes log in to etcd as that user
#   arith-client.pem/.key  client certificate, CN arith-client: clients log in to etcd as that user,
#                          and present it to the nodes' mTLS ports
#   root-password          etcd's root password (the roles service reads it)
set -eu
dir=${1:-/certs}
cd "$dir"
if [ -s ca.pem ] && [ -s root-password ]; then
  echo "certificates already in $dir"
  exit 0
fi
days=825
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days "$days" -subj /CN=arith-compose-ca
leaf() { # leaf NAME CN EXTENSIONS
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2"
  printf '%b' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days "$days" -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}
leaf etcd etcd-tls 'subjectAltName=DNS:etcd-tls,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
leaf node arith-node 'subjectAltName=DNS:tls-node1,DNS:tls-node2,DNS:tls-node3,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
leaf arith-worker arith-worker 'extendedKeyUsage=clientAuth\n'
leaf arith-client arith-client 'extendedKeyUsage=clientAuth\n'
openssl rand -hex 16 >root-password
rm -f ca.key ca.srl # no further certificates are signed here
# The nodes run as uid 1000 (the image's `node` user); etcd runs as root and reads everything.
chown -R 1000:1000 .
chmod 600 ./*.key root-password
chmod 644 ./*.pem
echo "certificates made in $dir"
