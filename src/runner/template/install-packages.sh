#!/bin/sh
# Installs the packages listed one per line in $1 with whatever package manager the base image has.
set -eu
list="$1"
if [ ! -s "$list" ]; then exit 0; fi

if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  xargs apt-get install -y --no-install-recommends < "$list"
  apt-get clean
  rm -rf /var/lib/apt/lists/*
elif command -v apk >/dev/null 2>&1; then
  xargs apk add --no-cache < "$list"
elif command -v dnf >/dev/null 2>&1; then
  xargs dnf install -y < "$list"
  dnf clean all
elif command -v microdnf >/dev/null 2>&1; then
  xargs microdnf install -y < "$list"
  microdnf clean all
elif command -v yum >/dev/null 2>&1; then
  xargs yum install -y < "$list"
  yum clean all
else
  echo "The base image has no package manager this service knows (apt-get, apk, dnf, microdnf, yum)." >&2
  exit 1
fi
