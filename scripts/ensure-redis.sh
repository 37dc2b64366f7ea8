#!/bin/sh
# Make sure a redis-server binary is on the PATH for the tests that need a real Redis (they start and
# stop their own server on a free loopback port). Idempotent: does nothing when redis-server exists.
# Installs Debian's `redis-server` package otherwise (needs root, or sudo without a password).
set -eu
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends redis-server
# The package starts a system service; the tests never use it (they run their own on a free port).
command -v redis-server
