#!/usr/bin/env bash
# Delivery benchmark (README, section "Benchmark"): in one run, on this machine, one James 3.8.1 and the same
# Postfix-like sinks behind a delaying proxy (-Dbench.rtt=MS, default 0), measures the ceiling client, stock
# RemoteDelivery, TlsRemoteDelivery tls=required and tls=no, and the same three draining a pre-filled queue;
# prints mails/s, latency, round trips per mail, sessions, the round-trip bound, TLS handshakes, heap and CPU,
# the ratios against the targets, and writes this command's section of it-tests/benchmark-results.md.
# Fails only if a mail is lost, duplicated, sent over the wrong channel, or the sinks saw a protocol error.
#   ./benchmark.sh                                   loopback, 1000 mails x 3 rounds per path
#   ./benchmark.sh -Dbench.rtt=50 -Dbench.mails=200 -Dbench.warmup=50 -Dbench.rounds=1
#   ./benchmark.sh -Dbench.rtt=50 -Dbench.domains=100 -Dbench.mxAddresses=10 -Dbench.paths=ceiling,required,drain-required \
#       -Dbench.ceilingSessions=200 -Dbench.mails=5000
#   other options: -Dbench.proxy=false, -Dbench.pipelining=false, -Dbench.chunking=false, -Dbench.paths=...,
#   -Dbench.mxAddresses=N, -Dbench.submitters=N, -Dbench.dnsTtl=S (README)
# Runs as root like run-tests.sh (dnsmasq on 127.0.0.2:53, proxies/sinks on 127.0.1.x:25). On a shared machine:
#   flock /work/coord/it.lock ./benchmark.sh ...
set -euo pipefail
cd "$(dirname "$0")"
it-tests/scripts/install-test-deps.sh
exec mvn -B verify -Pbenchmark "$@"
