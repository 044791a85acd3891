#!/usr/bin/env bash
# Demo on loopback: builds the extension, starts a real Apache James 3.8.1 (memory server, from Maven
# Central) with the jar in extensions-jars/ and config-samples/ as its conf/, real Postfix receivers
# (with and without STARTTLS, one with a broken handshake) and a dnsmasq answering MX/A, sends one mail
# per kind of destination of config-samples/tls-policy.xml, and prints what became of each mail.
set -euo pipefail
cd "$(dirname "$0")"
it-tests/scripts/install-test-deps.sh
mvn -B -q verify -Dit.test=SamplePolicyDemoIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false
echo
echo "What happened to each mail (James's log: it-tests/target/james-home/logs/james.log):"
cat it-tests/target/demo-report.txt
