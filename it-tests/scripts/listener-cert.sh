#!/usr/bin/env bash
# The SMTP listener's STARTTLS certificate for a James conf directory made from config-samples/:
#
#   listener-cert.sh CONF_DIR
#
# config-samples/smtpserver.xml names conf/smtp-tls-chain.pem and conf/smtp-tls-key.pem (James does not start
# without them; an operator puts the host's real pair there, and git ignores them). When CONF_DIR/smtpserver.xml
# names them and CONF_DIR has no smtp-tls-key.pem, this writes a fresh self-signed pair for relay.example.org
# (and localhost), valid 30 days; a conf that brings its own pair, or names other files, is left as it is.
# One way of making it for every harness: the single-node ITs and demo (JamesServer) and cluster.sh run this.
set -euo pipefail

die() { echo "listener-cert.sh: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: listener-cert.sh CONF_DIR"
conf="$1"
[ -f "$conf/smtpserver.xml" ] || die "no smtpserver.xml in '$conf'"
grep -q 'file://conf/smtp-tls-key.pem' "$conf/smtpserver.xml" || exit 0
[ -e "$conf/smtp-tls-key.pem" ] && exit 0
command -v openssl >/dev/null 2>&1 || die "openssl is needed for the listener's self-signed certificate (apt-get install openssl)"

host=relay.example.org
tmp="$(mktemp -d "$conf/.listener-cert.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=$host" \
  -addext "subjectAltName=DNS:$host,DNS:localhost" -addext "extendedKeyUsage=serverAuth" \
  -keyout "$tmp/key.pem" -out "$tmp/chain.pem" 2>"$tmp/openssl.log" \
  || { cat "$tmp/openssl.log" >&2; die "openssl req failed"; }
mv "$tmp/chain.pem" "$conf/smtp-tls-chain.pem"
mv "$tmp/key.pem" "$conf/smtp-tls-key.pem"
