#!/usr/bin/env bash
# Makes a Node.js image for building and running the service's image where no registry answers:
# the base image (debian:bookworm-slim, built offline by scripts/base-image.sh) plus the Node.js 24
# that `npm ci` installed in node_modules/.bin (package-lock.json pins it), this machine's npm, and
# its CA certificates (npm may need them to reach the registry through this machine's proxy).
# Debian's own `nodejs` package is 18 in bookworm, older than the service needs.
# Usage: bash scripts/node-image.sh [TAG]   (default: tds-node:<major version>)
set -euo pipefail
cd "$(dirname "$0")/.."

base="${TDS_BASE_IMAGE:-debian:bookworm-slim}"
# The project's own Node.js (after `npm ci`), else the one on the PATH.
if [ -x node_modules/.bin/node ]; then node_bin="$(readlink -f node_modules/.bin/node)"; else node_bin="$(command -v node)"; fi
version="$("$node_bin" -p process.versions.node)"
[ "${version%%.*}" -ge 24 ] || {
  echo "Node.js $version ($node_bin) is too old for the image: it is built on Node.js 24; run npm ci first." >&2
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
