#!/usr/bin/env bash
# A James 3.8.1 cluster on one machine: a private RabbitMQ (the distributed mail queue) and N James nodes
# (rabbitmq-server/'s test vehicle: the memory server on the RabbitMQ queue, blobs in a shared directory),
# every process on loopback and under WORK, nothing system-wide.
#
#   cluster.sh up --nodes N --conf DIR --jar JAR --work WORK [--runtime RUNTIME]
#       RabbitMQ on 127.0.0.60:5672 (management API 127.0.0.60:15672, epmd and the inter-node port on 127.0.0.1)
#       and N James nodes (default 2) from the James conf directory DIR (layout of config-samples/), JAR in each
#       node's extensions-jars/. Node i (1-based) listens for SMTP on 127.0.0.(60+i):2525 and WebAdmin on
#       127.0.0.(60+i):8000 whatever DIR says; its home is WORK/node<i>/, its log WORK/node<i>/james.log, its
#       PID WORK/node<i>.pid; node name node<i> (-Djamestls.node). Blobs: WORK/blobs. When DIR's smtpserver.xml
#       names conf/smtp-tls-key.pem and DIR has none (config-samples/ as checked out), each node gets a self-signed
#       STARTTLS pair (listener-cert.sh). Returns when every node answers SMTP and WebAdmin; non-zero with the
#       reason otherwise. RUNTIME (default rabbitmq-server/target/james-runtime, built with Maven when missing)
#       holds lib/.
#   cluster.sh down --work WORK          stops what up started there (nodes, RabbitMQ, its epmd), by PID
#   cluster.sh status --work WORK        one line per node and one for RabbitMQ
#   cluster.sh stop --node I [--kill] --work WORK    stops node I (SIGTERM; --kill: SIGKILL, like kill -9)
#   cluster.sh start --node I --work WORK            starts node I again over its home (after stop)
#
# Installs what it needs: Debian's rabbitmq-server when missing, and the runtime (mvn package of rabbitmq-server/).
# Start it under the IT lock on the shared development machine (flock /work/coord/it.lock ...).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"
RABBIT_IP=127.0.0.60
RABBIT_PORT=5672
RABBIT_MGMT_PORT=15672
NODE_SMTP_PORT=2525
NODE_WEBADMIN_PORT=8000
START_TIMEOUT=${CLUSTER_START_TIMEOUT:-120}
MAIN_CLASS=org.jamestls.server.RabbitMQMemoryJamesServerMain

die() { echo "cluster.sh: $*" >&2; exit 1; }
node_ip() { echo "127.0.0.$((60 + $1))"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
can_connect() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

smtp_greets() {
  timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2; read -r -t 4 line <&3; printf 'QUIT\r\n' >&3; [[ \$line == 220* ]]" 2>/dev/null
}

http_ok() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" 2>/dev/null || true)
  [ "$code" = 200 ]
}

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

NODES=2 CONF="" JAR="" WORK="" RUNTIME="" NODE="" KILL=""
CMD="${1:-}"; [ -n "$CMD" ] || usage; shift
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --conf) CONF="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --runtime) RUNTIME="$2"; shift 2 ;;
    --node) NODE="$2"; shift 2 ;;
    --kill) KILL=yes; shift ;;
    *) die "unknown argument '$1' (see cluster.sh without arguments)" ;;
  esac
done
[ -n "$WORK" ] || die "--work DIR is required"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
RABBIT_DIR="$WORK/rabbitmq"

# --- installation --------------------------------------------------------------------------------------------
install_rabbitmq() {
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && command -v curl >/dev/null 2>&1 && return 0
  echo "cluster.sh: installing Debian's rabbitmq-server and curl"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -E"
  export DEBIAN_FRONTEND=noninteractive
  # do not let the package start its own node (policy-rc.d 101), see install-test-deps.sh
  local created=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null; $sudo chmod 755 /usr/sbin/policy-rc.d; created=yes
  fi
  $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends rabbitmq-server curl >/dev/null \
    || { [ -n "$created" ] && $sudo rm -f /usr/sbin/policy-rc.d; die "apt-get install rabbitmq-server failed"; }
  [ -n "$created" ] && $sudo rm -f /usr/sbin/policy-rc.d
  $sudo epmd -kill >/dev/null 2>&1 || true
}

ensure_runtime() {
  [ -n "$RUNTIME" ] || RUNTIME="$REPO/rabbitmq-server/target/james-runtime"
  if ! ls "$RUNTIME"/lib/james-server-queue-rabbitmq-*.jar >/dev/null 2>&1; then
    echo "cluster.sh: building the node runtime (mvn package of rabbitmq-server/) into $RUNTIME"
    (cd "$REPO" && mvn -B -q -pl rabbitmq-server -am package -DskipTests) || die "building rabbitmq-server/ failed"
    RUNTIME="$REPO/rabbitmq-server/target/james-runtime"
  fi
  RUNTIME="$(cd "$RUNTIME" && pwd)"
}

# --- RabbitMQ ------------------------------------------------------------------------------------------------
rabbit_env() {
  export HOME="$RABBIT_DIR"                       # its own Erlang cookie
  export RABBITMQ_NODENAME="jamestls-cluster@localhost"
  export RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia"
  export RABBITMQ_LOG_BASE="$RABBIT_DIR/log"
  export RABBITMQ_PID_FILE="$RABBIT_DIR/beam.pid"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$RABBIT_DIR/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf"
  export RABBITMQ_DIST_PORT=25672
  export ERL_EPMD_ADDRESS=127.0.0.1
  export ERL_EPMD_PORT=4369
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbit_up() {
  if alive "$WORK/rabbitmq.pid"; then
    echo "cluster.sh: RabbitMQ already running (pid $(cat "$WORK/rabbitmq.pid"))"; return 0
  fi
  can_connect "$RABBIT_IP" "$RABBIT_PORT" && die "something already listens on $RABBIT_IP:$RABBIT_PORT"
  mkdir -p "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
  cat > "$RABBIT_DIR/rabbitmq.conf" <<EOF
listeners.tcp.1 = $RABBIT_IP:$RABBIT_PORT
management.tcp.ip = $RABBIT_IP
management.tcp.port = $RABBIT_MGMT_PORT
log.file.level = info
log.console = false
EOF
  echo '[rabbitmq_management].' > "$RABBIT_DIR/enabled_plugins"
  echo '[].' > "$RABBIT_DIR/advanced.config"
  : > "$RABBIT_DIR/rabbitmq-env.conf"
  local epmd_before=""; pgrep -x epmd >/dev/null 2>&1 && epmd_before=yes
  ( rabbit_env; exec setsid /usr/lib/rabbitmq/bin/rabbitmq-server > "$RABBIT_DIR/console.log" 2>&1 < /dev/null ) &
  echo $! > "$WORK/rabbitmq.pid"
  local deadline=$((SECONDS + START_TIMEOUT))
  until http_ok -u guest:guest "http://$RABBIT_IP:$RABBIT_MGMT_PORT/api/overview" && can_connect "$RABBIT_IP" "$RABBIT_PORT"; do
    alive "$WORK/rabbitmq.pid" || { tail -30 "$RABBIT_DIR/console.log" >&2; die "RabbitMQ exited during start-up (log: $RABBIT_DIR/console.log)"; }
    [ $SECONDS -lt $deadline ] || { tail -30 "$RABBIT_DIR/console.log" >&2; die "RabbitMQ did not answer on $RABBIT_IP:$RABBIT_PORT and its management API within ${START_TIMEOUT}s"; }
    sleep 0.5
  done
  if [ -z "$epmd_before" ]; then pgrep -x epmd > "$WORK/epmd.pid" || true; fi
  echo "cluster.sh: RabbitMQ up on $RABBIT_IP:$RABBIT_PORT (management http://$RABBIT_IP:$RABBIT_MGMT_PORT, pid $(cat "$WORK/rabbitmq.pid"))"
}

rabbit_down() {
  if alive "$WORK/rabbitmq.pid"; then
    local pid; pid=$(cat "$WORK/rabbitmq.pid")
    ( rabbit_env; /usr/sbin/rabbitmqctl -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true ) || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; sleep 2; }
    kill -0 "$pid" 2>/dev/null && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
    echo "cluster.sh: RabbitMQ stopped"
  fi
  rm -f "$WORK/rabbitmq.pid"
  if [ -f "$WORK/epmd.pid" ]; then
    # the epmd this cluster's RabbitMQ started (none was running before): it outlives the node
    kill "$(cat "$WORK/epmd.pid")" 2>/dev/null || true
    rm -f "$WORK/epmd.pid"
  fi
  # an epmd started by our node while an earlier one was still exiting is not in epmd.pid: stop it too when no
  # Erlang node is registered with it any more (epmd -kill refuses otherwise)
  if command -v epmd >/dev/null 2>&1 && ERL_EPMD_ADDRESS=127.0.0.1 epmd -names 2>/dev/null | grep -q '^epmd: up and running' \
     && ! ERL_EPMD_ADDRESS=127.0.0.1 epmd -names 2>/dev/null | grep -q '^name '; then
    ERL_EPMD_ADDRESS=127.0.0.1 epmd -kill >/dev/null 2>&1 || true
  fi
}

# --- James nodes ---------------------------------------------------------------------------------------------
assemble_node() {
  local i=$1 home="$WORK/node$1" ip; ip=$(node_ip "$1")
  rm -rf "$home"; mkdir -p "$home/conf" "$home/extensions-jars" "$WORK/blobs"
  cp -R "$CONF"/. "$home/conf/"
  cp "$JAR" "$home/extensions-jars/"
  "$SCRIPT_DIR/listener-cert.sh" "$home/conf" || die "cannot write node$i's STARTTLS certificate"
  # the node's own addresses, whatever DIR says
  sed -i -E "s#<bind>[^<]*</bind>#<bind>$ip:$NODE_SMTP_PORT</bind>#" "$home/conf/smtpserver.xml"
  sed -i -E -e "s#^port=.*#port=$NODE_WEBADMIN_PORT#" -e "s#^host=.*#host=$ip#" "$home/conf/webadmin.properties"
  grep -q "^host=" "$home/conf/webadmin.properties" || echo "host=$ip" >> "$home/conf/webadmin.properties"
  cat > "$home/conf/rabbitmq.properties" <<EOF
# written by cluster.sh: the cluster's private RabbitMQ
uri=amqp://guest:guest@$RABBIT_IP:$RABBIT_PORT
management.uri=http://$RABBIT_IP:$RABBIT_MGMT_PORT
management.user=guest
management.password=guest
EOF
}

launch_node() {
  local i=$1 home="$WORK/node$1" ip; ip=$(node_ip "$1")
  alive "$WORK/node$i.pid" && die "node$i is already running (pid $(cat "$WORK/node$i.pid"))"
  can_connect "$ip" "$NODE_SMTP_PORT" && die "something already listens on $ip:$NODE_SMTP_PORT (node$i)"
  [ -f "$home/james.log" ] && mv "$home/james.log" "$home/james-$(date +%s).log"
  echo "$RUNTIME" > "$WORK/runtime"
  ( cd "$home" && exec setsid java -Xmx512m -Dworking.directory="$home" \
      -Dlogback.configurationFile="$home/conf/logback.xml" \
      -Djamestls.node="node$i" -Djamestls.shared.blobs="$WORK/blobs" \
      -cp "$RUNTIME/lib/*" "$MAIN_CLASS" > "$home/james.log" 2>&1 < /dev/null ) &
  echo $! > "$WORK/node$i.pid"
}

await_node() {
  local i=$1 ip deadline; ip=$(node_ip "$1"); deadline=$((SECONDS + START_TIMEOUT))
  until smtp_greets "$ip" "$NODE_SMTP_PORT" && http_ok "http://$ip:$NODE_WEBADMIN_PORT/healthcheck/checks"; do
    if ! alive "$WORK/node$i.pid"; then
      tail -40 "$WORK/node$i/james.log" >&2
      die "node$i exited during start-up (log: $WORK/node$i/james.log)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -40 "$WORK/node$i/james.log" >&2; die "node$i did not answer SMTP $ip:$NODE_SMTP_PORT and WebAdmin $ip:$NODE_WEBADMIN_PORT within ${START_TIMEOUT}s"; }
    sleep 0.5
  done
  echo "cluster.sh: node$i up: SMTP $ip:$NODE_SMTP_PORT, WebAdmin http://$ip:$NODE_WEBADMIN_PORT (pid $(cat "$WORK/node$i.pid"))"
}

stop_node() {
  local i=$1 signal=${2:-TERM} pidfile="$WORK/node$1.pid"
  if alive "$pidfile"; then
    local pid; pid=$(cat "$pidfile")
    kill "-$signal" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "cluster.sh: node$i stopped (SIG$signal)"
  fi
  rm -f "$pidfile"
}


case "$CMD" in
  up)
    [[ "$NODES" =~ ^[1-9]$ ]] || die "--nodes must be 1 to 9 (127.0.0.61-69), not '$NODES'"
    [ -d "$CONF" ] && [ -f "$CONF/smtpserver.xml" ] && [ -f "$CONF/webadmin.properties" ] \
      || die "--conf DIR must be a James conf directory (smtpserver.xml, webadmin.properties...): '$CONF'"
    [ -f "$JAR" ] || die "--jar must name the mailet jar: '$JAR'"
    CONF="$(cd "$CONF" && pwd)"
    install_rabbitmq
    ensure_runtime
    rabbit_up
    for i in $(seq 1 "$NODES"); do assemble_node "$i"; launch_node "$i"; done
    for i in $(seq 1 "$NODES"); do await_node "$i"; done
    ;;
  down)
    for d in "$WORK"/node[0-9]*.pid; do [ -e "$d" ] || continue; n=${d##*/node}; stop_node "${n%.pid}"; done
    rabbit_down
    ;;
  stop)
    [ -n "$NODE" ] || die "stop needs --node I"
    if [ -n "$KILL" ]; then stop_node "$NODE" KILL; else stop_node "$NODE" TERM; fi
    ;;
  start)
    [ -n "$NODE" ] || die "start needs --node I"
    [ -d "$WORK/node$NODE/conf" ] || die "no node$NODE under $WORK (run up first)"
    RUNTIME="$(cat "$WORK/runtime")"
    launch_node "$NODE"
    await_node "$NODE"
    ;;
  status)
    if alive "$WORK/rabbitmq.pid"; then
      # right after start the management API lists queues before it has their counts: no "messages" yet
      queues=$( (curl -s --max-time 5 -u guest:guest "http://$RABBIT_IP:$RABBIT_MGMT_PORT/api/queues" || true) \
        | (grep -o '"messages":[0-9]*' || true) | awk -F: '{s+=$2} END {print s+0}')
      echo "rabbitmq  up    pid $(cat "$WORK/rabbitmq.pid") amqp $RABBIT_IP:$RABBIT_PORT management http://$RABBIT_IP:$RABBIT_MGMT_PORT messages=$queues"
    else
      echo "rabbitmq  down"
    fi
    for d in "$WORK"/node[0-9]*; do
      [ -d "$d" ] || continue
      n=${d##*/node}; ip=$(node_ip "$n")
      if alive "$WORK/node$n.pid"; then
        smtp=down; smtp_greets "$ip" "$NODE_SMTP_PORT" && smtp=up
        web=down; http_ok "http://$ip:$NODE_WEBADMIN_PORT/healthcheck/checks" && web=up
        echo "node$n     up    pid $(cat "$WORK/node$n.pid") smtp $ip:$NODE_SMTP_PORT $smtp webadmin $ip:$NODE_WEBADMIN_PORT $web log $d/james.log"
      else
        echo "node$n     down  log $d/james.log"
      fi
    done
    ;;
  *) usage ;;
esac
