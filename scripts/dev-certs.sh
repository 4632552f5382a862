#!/usr/bin/env bash
# Dev PKI for the agent <-> gateway mTLS link: a CIRT CA, a gateway server certificate and one client
# certificate per agency agent. Idempotent: existing files are kept (delete .stack/certs to start over).
#
#   bash scripts/dev-certs.sh [OUT_DIR] [AGENCY:AGENT ...]      (default .stack/certs, demo agencies below)
#
# Identity travels in the client certificate, never in the payload: the SAN URI
#   spiffe://cirt.local/agency/<agency>/agent/<agent>
# is what the gateway maps to organization.id / agent.id. CN is "<agent>.<agency>" for humans.
set -euo pipefail
command -v openssl >/dev/null || { echo "dev-certs: openssl is missing (apt-get install openssl)" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.stack/certs}
shift || true
agents=("$@")
[ ${#agents[@]} -gt 0 ] || agents=(mofa:agent-01 moh:agent-01 mod:agent-01)
days=825
mkdir -p "$out"
cd "$out"

if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt \
    -days 3650 -subj "/O=CIRT/CN=CIRT dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

# issue NAME CN SAN EXTKEYUSAGE
issue() {
  local name=$1 cn=$2 san=$3 eku=$4
  [ -f "$name.crt" ] && return 0
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$name.key" -out "$name.csr" \
    -subj "/O=CIRT/CN=$cn" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days "$days" \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$san" "$eku") 2>/dev/null
  rm -f "$name.csr"
}

issue gateway "gateway.cirt.local" "DNS:localhost,DNS:gateway.cirt.local,IP:127.0.0.1" serverAuth
for pair in "${agents[@]}"; do
  agency=${pair%%:*}; agent=${pair#*:}
  [[ $agency =~ ^[a-z0-9-]+$ && $agent =~ ^[a-z0-9-]+$ ]] || { echo "dev-certs: bad AGENCY:AGENT '$pair' (use [a-z0-9-])" >&2; exit 2; }
  issue "$agency.$agent" "$agent.$agency" "URI:spiffe://cirt.local/agency/$agency/agent/$agent" clientAuth
done
chmod 600 ./*.key
echo "dev certificates in $out"
