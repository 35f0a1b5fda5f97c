#!/usr/bin/env bash
# Makes a Node.js image for building and running the service's image where no registry answers:
# the base image (debian:bookworm-slim, built offline by scripts/base-image.sh) plus this machine's
# own Node.js and npm, and its CA certificates (npm may need them to reach the registry through
# this machine's proxy). Debian's own `nodejs` package is 18 in bookworm, older than the 20.19 the
# service needs, so the machine's Node.js is copied instead.
# Usage: bash scripts/node-image.sh [TAG]   (default: tds-node:<major version>)
set -euo pipefail

base="${TDS_BASE_IMAGE:-debian:bookworm-slim}"
node_bin="$(command -v node)"
version="$(node -p process.versions.node)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' || {
  echo "Node.js $version is too old: the service needs 20.19 or newer." >&2
  exit 1
}
tag="${1:-tds-node:${version%%.*}}"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"

if docker image inspect "$tag" >/dev/null 2>&1 &&
  [ "$(docker run --rm --entrypoint node "$tag" -p process.versions.node 2>/dev/null)" = "$version" ]; then
  echo "Node image $tag (Node.js $version) is present."
  exit 0
fi

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$node_bin" "$context/node"
cp -r "$npm_dir" "$context/npm"
printf '#!/bin/sh\nexec node /usr/local/lib/node_modules/npm/bin/npm-cli.js "$@"\n' >"$context/npm-cli"
chmod 755 "$context/npm-cli"
certs=/etc/ssl/certs/ca-certificates.crt
if [ -f "$certs" ]; then cp "$certs" "$context/ca-certificates.crt"; else : >"$context/ca-certificates.crt"; fi
cat >"$context/Dockerfile" <<DOCKERFILE
FROM $base
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY npm-cli /usr/local/bin/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
DOCKERFILE
docker build -q -t "$tag" "$context" >/dev/null
echo "Built $tag: $base with Node.js $version."
