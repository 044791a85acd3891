#!/usr/bin/env bash
# Runs every test: unit tests of the mailet, then the integration tests against a real James 3.8.1,
# real Postfix receivers and a real dnsmasq on loopback. Installs Postfix/dnsmasq/openssl first if missing.
set -euo pipefail
cd "$(dirname "$0")"
it-tests/scripts/install-test-deps.sh
exec mvn -B verify "$@"
