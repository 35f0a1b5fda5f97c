#!/usr/bin/env bash
# Makes the base image of job images available to the local Docker engine.
#   - present already: nothing to do;
#   - otherwise pulled from its registry;
#   - where no registry answers (offline, air-gapped), a Debian image is built from Debian's
#     package mirror with debootstrap and imported: `debian:<suite>` or `debian:<suite>-slim`.
# Usage: bash scripts/base-image.sh [IMAGE]   (default: $TDS_BASE_IMAGE or debian:bookworm-slim)
set -euo pipefail

image="${1:-${TDS_BASE_IMAGE:-debian:bookworm-slim}}"

if ! docker info >/dev/null 2>&1; then
  echo "No Docker engine answers: start Docker (or set DOCKER_HOST) first." >&2
  exit 1
fi

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "Base image $image is present."
  exit 0
fi

echo "Pulling base image $image..."
if timeout "${TDS_PULL_TIMEOUT:-120}" docker pull "$image"; then
  exit 0
fi

case "$image" in
  debian:*) suite="${image#debian:}"; suite="${suite%-slim}" ;;
  *)
    echo "Could not pull $image, and only debian:<suite> images can be built offline." >&2
    exit 1
    ;;
esac

echo "Could not pull $image; building it from Debian's packages with debootstrap (suite $suite)."
if ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
  else
    echo "debootstrap is needed to build $image offline: install it (apt-get install debootstrap) and run this again." >&2
    exit 1
  fi
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
# The mirror is debootstrap's default unless DEBIAN_MIRROR names another.
debootstrap --variant=minbase "$suite" "$rootfs" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} >/dev/null
tar -C "$rootfs" -c . | docker import - "$image" >/dev/null
echo "Built base image $image."
