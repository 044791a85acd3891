#!/usr/bin/env bash
# Installs the native programs the integration tests (it-tests/) drive for real:
#   postfix (receiving MTAs), dnsmasq (DNS for MX/A/TXT records), openssl (test certificates),
#   nginx (HTTPS hosts serving MTA-STS policies, mta-sts.<domain> on 127.0.0.30-39:443),
#   knot (knotd/knotc/keymgr: the DNSSEC-signed zones of the DANE tests, 127.0.0.40:53) and
#   knot-dnsutils (kdig, to look at those zones by hand: kdig @127.0.0.40 +dnssec dane.test MX) and
#   rabbitmq-server (the distributed mail queue of the multi-node tests and it-tests/scripts/cluster.sh,
#   started privately on 127.0.0.60:5672 with epmd and the inter-node port on 127.0.0.1).
# Idempotent and non-interactive. Also makes sure the distribution's own postfix/dnsmasq
# services are not running, because the tests start private instances on loopback addresses
# (127.0.0.2:53 for DNS, 127.0.0.11-16:2525 for SMTP, 127.0.0.30:443 for HTTPS, 127.0.0.40:53 for DNSSEC) and a system
# instance bound to 0.0.0.0 would clash with them.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo -E"
fi

missing=()
command -v postfix  >/dev/null 2>&1 || [ -x /usr/sbin/postfix ]  || missing+=(postfix)
command -v dnsmasq  >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ]  || missing+=(dnsmasq-base)
command -v openssl  >/dev/null 2>&1 || missing+=(openssl)
# "nginx" (not nginx-light): the package that carries the binary on Debian 12 and later.
command -v nginx    >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]    || missing+=(nginx)
[ -x /usr/sbin/knotd ] && [ -x /usr/sbin/keymgr ] || missing+=(knot)
command -v kdig     >/dev/null 2>&1 || missing+=(knot-dnsutils)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v curl     >/dev/null 2>&1 || missing+=(curl)   # cluster.sh polls RabbitMQ's management API

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: installing ${missing[*]}"
  # Postfix asks debconf questions on install: answer "No configuration" so that it neither
  # writes a main.cf for a real mail system nor starts listening on port 25.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  echo "postfix postfix/mailname string localhost" | $SUDO debconf-set-selections
  $SUDO apt-get update -q
  # policy-rc.d 101 = "do not start services from maintainer scripts" (removed afterwards).
  created_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    created_policy=yes
  fi
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  if [ -n "$created_policy" ]; then
    $SUDO rm -f /usr/sbin/policy-rc.d
  fi
else
  echo "install-test-deps: postfix, dnsmasq, openssl, nginx, knot and rabbitmq-server already installed"
fi

# Stop distribution services that may have been started by the packages (or by an image).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for svc in postfix dnsmasq nginx knot rabbitmq-server epmd.socket epmd; do
    $SUDO systemctl stop "$svc" >/dev/null 2>&1 || true
    $SUDO systemctl disable "$svc" >/dev/null 2>&1 || true
  done
fi
# The system-wide postfix instance (config in /etc/postfix) if it runs without systemd.
if [ -f /etc/postfix/main.cf ] && $SUDO postfix status >/dev/null 2>&1; then
  $SUDO postfix stop >/dev/null 2>&1 || true
fi
if [ -x /etc/init.d/dnsmasq ]; then
  $SUDO /etc/init.d/dnsmasq stop >/dev/null 2>&1 || true
fi
if [ -x /etc/init.d/nginx ]; then
  $SUDO /etc/init.d/nginx stop >/dev/null 2>&1 || true
fi
# The distribution's knotd (config /etc/knot/knot.conf, pid file /run/knot/knot.pid) if it runs without
# systemd: stop it through its own control socket; the tests' knotd has its own socket under target/.
if [ -S /run/knot/knot.sock ]; then
  $SUDO /usr/sbin/knotc -s /run/knot/knot.sock stop >/dev/null 2>&1 || true
fi

# The distribution's RabbitMQ node (node name rabbit@<host>, started by the package's init script without
# systemd) and the epmd it leaves on 0.0.0.0:4369: the tests run their own node with its own name and data
# directory, and their own epmd on 127.0.0.1 (see it-tests/scripts/cluster.sh).
if [ -x /etc/init.d/rabbitmq-server ]; then
  $SUDO /etc/init.d/rabbitmq-server stop >/dev/null 2>&1 || true
fi
# epmd -kill refuses while a node is registered, so a running test node keeps its epmd.
if command -v epmd >/dev/null 2>&1; then
  $SUDO epmd -kill >/dev/null 2>&1 || true
fi

# Postfix refuses to start without a "postfix" user and "postdrop" group; the package creates
# them, but check so a broken machine fails here with a clear message instead of inside a test.
getent passwd postfix >/dev/null || { echo "install-test-deps: user 'postfix' missing" >&2; exit 1; }
getent group postdrop >/dev/null || { echo "install-test-deps: group 'postdrop' missing" >&2; exit 1; }

echo "install-test-deps: $(/usr/sbin/postconf -d -h mail_version 2>/dev/null | sed 's/^/postfix /'), $(/usr/sbin/dnsmasq --version | head -1), $(openssl version), $(/usr/sbin/nginx -v 2>&1), $(/usr/sbin/knotd --version), rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null)"
