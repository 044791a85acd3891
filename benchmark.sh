#!/usr/bin/env bash
# Delivery benchmark (README, section "Benchmark"): in one run, on this machine, one James 3.8.1 and the same
# STARTTLS sinks, measures the sinks' ceiling, stock RemoteDelivery, TlsRemoteDelivery tls=required and tls=no,
# prints mails/s, p50/p99 latency, TLS handshakes and James's heap, the ratios against the targets, and writes
# it-tests/benchmark-results.md. Fails only if a mail is lost, duplicated or sent over the wrong channel.
#   ./benchmark.sh                      1000 mails per path
#   ./benchmark.sh -Dbench.mails=200    other sizes (also -Dbench.rounds=3, -Dbench.warmup=N, -Dbench.submitters=8)
# Runs as root like run-tests.sh (dnsmasq on 127.0.0.2:53, sinks on 127.0.1.1-10:25).
set -euo pipefail
cd "$(dirname "$0")"
it-tests/scripts/install-test-deps.sh
exec mvn -B verify -Pbenchmark "$@"
