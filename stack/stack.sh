#!/usr/bin/env bash
# stack/stack.sh — install, start, check and stop the REAL local single-node Kafka (KRaft) and
# OpenSearch used by `npm start`, the tests and CI.  See stack/README.md.
#
#   stack/stack.sh install | start | stop | status | logs [kafka|opensearch] | env | smoke | pin
#
# Everything lives under <repo>/.stack/ (git-ignored; override with CIRT_STACK_DIR):
#   downloads/   OpenSearch zip, generated pom          kafka/libs/   Kafka jars (from Maven Central)
#   kafka/       config, data, pid                      opensearch/   home, data, logs, pid
#   logs/kafka.log, logs/opensearch.log
set -euo pipefail

# ---- pinned versions ------------------------------------------------------------------------------
KAFKA_VERSION=3.9.1
KAFKA_ARTIFACT="org.apache.kafka:kafka_2.13:${KAFKA_VERSION}"
SLF4J_BINDING="org.slf4j:slf4j-reload4j:1.7.36"          # Kafka 3.9 uses slf4j 1.7 + reload4j
OPENSEARCH_VERSION=2.19.6
OPENSEARCH_ARTIFACT="org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
KAFKA_TOPICS=(telemetry.flows telemetry.logs telemetry.rejected alerts)
KAFKA_TOPIC_PARTITIONS=3

# ---- ports and settings (environment overridable, loopback only) ---------------------------------
KAFKA_PORT="${CIRT_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${CIRT_KAFKA_CONTROLLER_PORT:-19093}"
OPENSEARCH_PORT="${CIRT_OPENSEARCH_PORT:-19200}"
OPENSEARCH_TRANSPORT_PORT="${CIRT_OPENSEARCH_TRANSPORT_PORT:-19300}"
START_TIMEOUT="${CIRT_STACK_TIMEOUT:-120}"   # seconds to wait for each service to become healthy
STOP_TIMEOUT=30                              # seconds between SIGTERM and SIGKILL
OS_USER=cirt-os                              # unprivileged user for OpenSearch when we are root

# ---- paths -----------------------------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$SCRIPT_DIR")"
STACK_DIR="${CIRT_STACK_DIR:-$REPO_DIR/.stack}"
CHECKSUMS="$SCRIPT_DIR/checksums.sha256"
DOWNLOADS="$STACK_DIR/downloads"
LOG_DIR="$STACK_DIR/logs"
KAFKA_DIR="$STACK_DIR/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_LOG="$LOG_DIR/kafka.log"
OS_DIR="$STACK_DIR/opensearch"
OS_ZIP_NAME="opensearch-${OPENSEARCH_VERSION}.zip"
OS_HOME="$OS_DIR/opensearch-${OPENSEARCH_VERSION}"
OS_PID="$OS_DIR/opensearch.pid"
OS_LOG="$LOG_DIR/opensearch.log"
KAFKA_BROKER="127.0.0.1:${KAFKA_PORT}"
OPENSEARCH_URL="http://127.0.0.1:${OPENSEARCH_PORT}"

# ---- small helpers ---------------------------------------------------------------------------------
log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }
need() { # need <command> <how to install>
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed. Install it with: $2"
}
is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Print the major version of the given java binary (8 for 1.8.x, 17 for 17.0.x ...).
java_major() {
  local v
  v="$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  [[ "$v" == 1.* ]] && v="${v#1.}"
  echo "${v%%[.+-]*}"
}

# Pick a JDK/JRE for both services: OpenSearch 2.19 needs Java 17..23 (it relies on the
# SecurityManager, which Java 24+ removed); Kafka 3.9 is happy with the same range.
# Order: $CIRT_JAVA_HOME, $JAVA_HOME, `java` on PATH, then /usr/lib/jvm/*.
find_java() {
  local candidates=() c major found_any=""
  [[ -n "${CIRT_JAVA_HOME:-}" ]] && candidates+=("$CIRT_JAVA_HOME/bin/java")
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for c in /usr/lib/jvm/*/bin/java; do [[ -x "$c" ]] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    major="$(java_major "$c")"
    found_any+=" $c ($major)"
    if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 17 && major <= 23 )); then
      JAVA_BIN="$c"
      JAVA_HOME_DIR="$(dirname "$(dirname "$c")")"
      return 0
    fi
    [[ "$c" == "${CIRT_JAVA_HOME:-/nonexistent}/bin/java" || "$c" == "${JAVA_HOME:-/nonexistent}/bin/java" ]] &&
      log "ignoring Java $major at $c (need 17 to 23), looking for another one"
  done
  die "Java 17 to 23 is required (OpenSearch ${OPENSEARCH_VERSION} and Kafka ${KAFKA_VERSION});" \
      "found:${found_any:- none}. Install it with: apt-get install openjdk-17-jre-headless" \
      "(or point CIRT_JAVA_HOME at a JDK 17-23)."
}

# Is this pid alive and does its command line match the extended regex? (guards against recycled pids)
pid_matches() { # pid_matches <pid> <pattern>
  [[ -n "$1" && -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -Eq -- "$2"
}
# Print the pid from <pid file> if that process is alive and is the expected program, else nothing.
live_pid() { # live_pid <pid file> <command line pattern>
  local p=""
  [[ -f "$1" ]] && p="$(tr -dc '0-9' <"$1")"
  if pid_matches "$p" "$2"; then echo "$p"; fi
}
kafka_pid() { live_pid "$KAFKA_PID" 'kafka\.Kafka'; }
# (while bin/opensearch is still preparing the JVM options the pid runs the launcher script)
opensearch_pid() { live_pid "$OS_PID" 'org\.opensearch\.bootstrap\.OpenSearch|/bin/opensearch'; }

# Fail with a clear message if a TCP port is already listened on (called only when our own
# service is not running, so whoever holds it is not ours).
check_port_free() { # check_port_free <port>
  local port="$1" line pid name
  line="$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n1)"
  [[ -z "$line" ]] && return 0
  pid="$(grep -o 'pid=[0-9]*' <<<"$line" | head -n1 | cut -d= -f2)"
  name="$(grep -o 'users:(("[^"]*"' <<<"$line" | head -n1 | sed 's/users:(("//; s/"$//')"
  die "port $port is already in use by ${name:-an unknown process} (pid ${pid:-?}). Stop it, or choose" \
      "other ports with CIRT_KAFKA_PORT / CIRT_KAFKA_CONTROLLER_PORT / CIRT_OPENSEARCH_PORT / CIRT_OPENSEARCH_TRANSPORT_PORT."
}

# Print the last lines of a log (used when a service does not come up).
tail_log() { # tail_log <file>
  log "last 30 lines of $1:"
  tail -n 30 "$1" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# Verify the pinned sha256 sums of files under $STACK_DIR whose path starts with <prefix>.
verify_checksums() { # verify_checksums <prefix> <what>
  [[ -s "$CHECKSUMS" ]] || die "$CHECKSUMS is missing; run 'stack/stack.sh pin' once (trusted network) and commit it."
  local entries
  entries="$(grep -E "^[0-9a-f]{64}  $1" "$CHECKSUMS" || true)"
  [[ -n "$entries" ]] || die "no pinned checksums for $2 ($1*) in $CHECKSUMS; run 'stack/stack.sh pin'."
  if ! (cd "$STACK_DIR" && sha256sum -c --quiet --strict <<<"$entries") >&2; then
    die "checksum mismatch for $2 (see above). The download differs from the pinned one in $CHECKSUMS;" \
        "delete $STACK_DIR and retry, and if it persists do not use it."
  fi
}

# Every file in a directory must be pinned (no unexpected extra jar on the classpath).
verify_no_unpinned() { # verify_no_unpinned <dir relative to STACK_DIR>
  local f
  for f in "$STACK_DIR/$1"/*; do
    grep -qF "  $1/$(basename "$f")" "$CHECKSUMS" || die "unpinned file $f (not in $CHECKSUMS); run 'stack/stack.sh pin'."
  done
}

# Run maven quietly with strict checksum checks; its output goes to .stack/logs/maven.log (shown on failure).
mvn_run() {
  mkdir -p "$LOG_DIR"
  if ! mvn -B --strict-checksums -Dstyle.color=never "$@" >"$LOG_DIR/maven.log" 2>&1; then
    grep -E 'ERROR|WARN' "$LOG_DIR/maven.log" | head -n 20 | sed 's/^/    /' >&2 || true
    return 1
  fi
}

# ---- Kafka -----------------------------------------------------------------------------------------

# Download kafka_2.13 and its runtime dependencies (plus an slf4j binding) into .stack/kafka/libs.
download_kafka() {
  local build="$DOWNLOADS/kafka-pom" g a v
  mkdir -p "$build"
  {
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    echo '<groupId>local.cirt</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>'
    echo '<dependencies>'
    for coord in "$KAFKA_ARTIFACT" "$SLF4J_BINDING"; do
      IFS=: read -r g a v <<<"$coord"
      echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
    done
    echo '</dependencies></project>'
  } >"$build/pom.xml"
  rm -rf "$KAFKA_LIBS.tmp"
  mvn_run -f "$build/pom.xml" "$DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp" \
    || die "maven could not fetch $KAFKA_ARTIFACT (see $LOG_DIR/maven.log; is Maven Central reachable?)"
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
}

install_kafka() {
  if [[ -f "$KAFKA_LIBS/kafka_2.13-${KAFKA_VERSION}.jar" ]]; then
    log "kafka ${KAFKA_VERSION}: already installed in $KAFKA_LIBS"
  else
    log "kafka ${KAFKA_VERSION}: downloading jars from Maven Central"
    download_kafka
  fi
  [[ "${PINNING:-}" == 1 ]] && return 0
  verify_checksums "kafka/libs/" "the Kafka jars"
  verify_no_unpinned "kafka/libs"
  log "kafka ${KAFKA_VERSION}: checksums ok ($(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars)"
}

# (Re)write server.properties and log4j.properties (cheap, so ports from the env always apply).
write_kafka_config() {
  mkdir -p "$KAFKA_DIR/data" "$LOG_DIR"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Generated by stack/stack.sh — single-node KRaft (combined broker + controller), loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${KAFKA_CONTROLLER_PORT}
listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT},CONTROLLER://127.0.0.1:${KAFKA_CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${KAFKA_DIR}/data
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
message.max.bytes=10485760
replica.fetch.max.bytes=10485760
EOF
  cat >"$KAFKA_DIR/log4j.properties" <<'EOF'
# Generated by stack/stack.sh — everything to stdout, which stack.sh appends to .stack/logs/kafka.log
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF
}

kafka_java() { "$JAVA_BIN" -Xms256m -Xmx512m -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" -cp "$KAFKA_LIBS/*" "$@"; }

# Format the KRaft storage once (cluster id kept in .stack/kafka/cluster-id).
format_kafka_storage() {
  [[ -f "$KAFKA_DIR/data/meta.properties" ]] && return 0
  [[ -s "$KAFKA_DIR/cluster-id" ]] ||
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$KAFKA_DIR/cluster-id"
  log "kafka: formatting storage (cluster id $(cat "$KAFKA_DIR/cluster-id"))"
  kafka_java kafka.tools.StorageTool format --ignore-formatted \
    -t "$(cat "$KAFKA_DIR/cluster-id")" -c "$KAFKA_DIR/server.properties" >>"$KAFKA_LOG" 2>&1 \
    || { tail_log "$KAFKA_LOG"; die "kafka storage format failed"; }
}

# Kafka health = the broker answers a metadata request (real client from node_modules).
kafka_health() { # prints e.g. "metadata ok, 4 topics"; non-zero if not healthy
  node "$SCRIPT_DIR/kafka-admin.mjs" health "$KAFKA_BROKER" 2>/dev/null
}

check_node() {
  need node "apt-get install nodejs (Node 20), then npm ci at the repository root"
  [[ -d "$REPO_DIR/node_modules/@platformatic/kafka" ]] ||
    die "node_modules/@platformatic/kafka is missing (used for Kafka health checks and topics); run 'npm ci' at $REPO_DIR"
}

start_kafka() {
  local pid status
  if status="$(kafka_health)"; then
    log "kafka: already up at $KAFKA_BROKER ($status)"
    ensure_topics
    return 0
  fi
  pid="$(kafka_pid)"
  if [[ -z "$pid" ]]; then
    write_kafka_config
    format_kafka_storage
    log "kafka: starting on $KAFKA_BROKER (log: $KAFKA_LOG)"
    echo "=== $(date -Is) stack.sh start kafka ${KAFKA_VERSION} ===" >>"$KAFKA_LOG"
    setsid nohup "$JAVA_BIN" -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
      </dev/null >>"$KAFKA_LOG" 2>&1 9>&- &   # 9>&-: the service must not inherit the stack lock
    echo $! >"$KAFKA_PID"
  else
    log "kafka: process $pid is running but not healthy yet; waiting"
  fi
  wait_healthy kafka kafka_health kafka_pid "$KAFKA_LOG"
  ensure_topics
}

# Create the pipeline topics that are missing (idempotent; prints only what it created).
ensure_topics() {
  node "$SCRIPT_DIR/kafka-admin.mjs" topics "$KAFKA_BROKER" "$KAFKA_TOPIC_PARTITIONS" "${KAFKA_TOPICS[@]}" |
    sed 's/^/[stack] kafka: /' >&2 || die "kafka: could not create topics ${KAFKA_TOPICS[*]}"
}

# ---- OpenSearch ------------------------------------------------------------------------------------

download_opensearch() {
  mkdir -p "$DOWNLOADS"
  if [[ ! -f "$DOWNLOADS/$OS_ZIP_NAME" ]]; then
    log "opensearch ${OPENSEARCH_VERSION}: fetching $OPENSEARCH_ARTIFACT via maven"
    mvn_run "$DEPENDENCY_PLUGIN:copy" -Dartifact="$OPENSEARCH_ARTIFACT" -DoutputDirectory="$DOWNLOADS" \
      || die "maven could not fetch $OPENSEARCH_ARTIFACT (see $LOG_DIR/maven.log; is Maven Central reachable?)"
  fi
}

install_opensearch() {
  download_opensearch
  [[ "${PINNING:-}" == 1 ]] && return 0
  verify_checksums "downloads/$OS_ZIP_NAME" "the OpenSearch zip"
  if [[ -x "$OS_HOME/bin/opensearch" ]]; then
    log "opensearch ${OPENSEARCH_VERSION}: already installed in $OS_HOME"
    return 0
  fi
  log "opensearch ${OPENSEARCH_VERSION}: unpacking into $OS_DIR"
  rm -rf "$OS_HOME.tmp" && mkdir -p "$OS_HOME.tmp"
  unzip -q "$DOWNLOADS/$OS_ZIP_NAME" -d "$OS_HOME.tmp"
  mv "$OS_HOME.tmp/opensearch-${OPENSEARCH_VERSION}" "$OS_HOME" && rmdir "$OS_HOME.tmp"
}

# When root: make sure the unprivileged user exists and can reach the OpenSearch directories.
prepare_opensearch_user() {
  is_root || return 0
  if ! id -u "$OS_USER" >/dev/null 2>&1; then
    log "opensearch: creating system user $OS_USER (OpenSearch refuses to run as root)"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$OS_USER"
  fi
  # Every directory from / down to .stack/opensearch must be traversable by that user (checked
  # top-down so the message names the first one that blocks, e.g. /root with mode 700).
  local dir="" part
  local -a parts
  IFS=/ read -r -a parts <<<"${OS_DIR#/}"
  for part in "" "${parts[@]}"; do
    dir="${dir%/}/$part"
    [[ -d "$dir" ]] || break
    if ! setpriv --reuid="$OS_USER" --regid="$OS_USER" --init-groups test -x "$dir" 2>/dev/null; then
      die "opensearch runs as user '$OS_USER', which cannot enter '$dir' (mode $(stat -c %A "$dir")). Either" \
          "'chmod o+x $dir', or keep the stack elsewhere, e.g. CIRT_STACK_DIR=/var/lib/cirt-stack stack/stack.sh start."
    fi
  done
}

# (Re)write opensearch.yml and the heap settings.
write_opensearch_config() {
  mkdir -p "$OS_DIR/data" "$OS_DIR/logs" "$LOG_DIR"
  cat >"$OS_HOME/config/opensearch.yml" <<EOF
# Generated by stack/stack.sh — single-node dev cluster, loopback only.
cluster.name: cirt-dev
node.name: cirt-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: ${OPENSEARCH_PORT}
transport.port: ${OPENSEARCH_TRANSPORT_PORT}
path.data: ${OS_DIR}/data
path.logs: ${OS_DIR}/logs
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: true
EOF
}

opensearch_health() { # prints e.g. "cluster green"; non-zero unless green or yellow
  local body status
  body="$(curl -fsS --max-time 5 "$OPENSEARCH_URL/_cluster/health" 2>/dev/null)" || return 1
  status="$(grep -o '"status":"[a-z]*"' <<<"$body" | cut -d'"' -f4)"
  [[ "$status" == green || "$status" == yellow ]] || return 1
  echo "cluster $status"
}

start_opensearch() {
  local pid status run_as=()
  if status="$(opensearch_health)"; then log "opensearch: already up at $OPENSEARCH_URL ($status)"; return 0; fi
  pid="$(opensearch_pid)"
  if [[ -z "$pid" ]]; then
    write_opensearch_config
    if is_root; then
      chown -R "$OS_USER:" "$OS_DIR"
      run_as=(setpriv --reuid="$OS_USER" --regid="$OS_USER" --init-groups --)
    fi
    log "opensearch: starting on $OPENSEARCH_URL${run_as:+ as user $OS_USER} (log: $OS_LOG)"
    echo "=== $(date -Is) stack.sh start opensearch ${OPENSEARCH_VERSION} ===" >>"$OS_LOG"
    # bin/opensearch execs java in the foreground, so $! is the JVM's pid.
    OPENSEARCH_JAVA_HOME="$JAVA_HOME_DIR" OPENSEARCH_JAVA_OPTS="-Xms512m -Xmx512m" \
      setsid nohup "${run_as[@]}" "$OS_HOME/bin/opensearch" </dev/null >>"$OS_LOG" 2>&1 9>&- &
    echo $! >"$OS_PID"
  else
    log "opensearch: process $pid is running but not healthy yet; waiting"
  fi
  wait_healthy opensearch opensearch_health opensearch_pid "$OS_LOG"
}

# ---- shared start/stop logic -----------------------------------------------------------------------

# Poll <health fn> every 2 s, up to START_TIMEOUT; fail fast if the process died.
wait_healthy() { # wait_healthy <name> <health fn> <pid fn> <log>
  local name="$1" health="$2" pidfn="$3" logfile="$4" waited=0 status
  while (( waited < START_TIMEOUT )); do
    if status="$($health)"; then log "$name: up ($status) after ${waited}s"; return 0; fi
    if [[ -z "$($pidfn)" ]]; then
      tail_log "$logfile"
      die "$name exited during startup (see $logfile)"
    fi
    (( waited > 0 && waited % 10 == 0 )) && log "$name: waiting for health ... ${waited}s"
    sleep 2
    waited=$((waited + 2))
  done
  tail_log "$logfile"
  die "$name did not become healthy within ${START_TIMEOUT}s (see $logfile); 'stack/stack.sh stop' to clean up"
}

# SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL; remove the pid file.
stop_service() { # stop_service <name> <pid fn> <pid file>
  local name="$1" pid waited=0
  pid="$($2)"
  if [[ -z "$pid" ]]; then
    log "$name: not running"
    rm -f "$3"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && (( waited < STOP_TIMEOUT )); do sleep 1; waited=$((waited + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$3"
  log "$name: stopped"
}

# ---- subcommands -----------------------------------------------------------------------------------

cmd_install() {
  need mvn "apt-get install maven"
  need unzip "apt-get install unzip"
  find_java
  mkdir -p "$DOWNLOADS" "$LOG_DIR" "$KAFKA_DIR" "$OS_DIR"
  install_kafka
  install_opensearch
  log "install done (java: $JAVA_BIN)"
}

# Before starting anything: each service that is neither healthy nor already starting must be
# installed and find its ports free (so a port clash never leaves half a stack running).
preflight() {
  if ! kafka_health >/dev/null && [[ -z "$(kafka_pid)" ]]; then
    [[ -f "$KAFKA_LIBS/kafka_2.13-${KAFKA_VERSION}.jar" ]] || die "kafka is not installed; run 'stack/stack.sh install'"
    check_port_free "$KAFKA_PORT"
    check_port_free "$KAFKA_CONTROLLER_PORT"
  fi
  if ! opensearch_health >/dev/null && [[ -z "$(opensearch_pid)" ]]; then
    [[ -x "$OS_HOME/bin/opensearch" ]] || die "opensearch is not installed; run 'stack/stack.sh install'"
    check_port_free "$OPENSEARCH_PORT"
    check_port_free "$OPENSEARCH_TRANSPORT_PORT"
    prepare_opensearch_user
  fi
}

cmd_start() {
  need curl "apt-get install curl"
  need ss "apt-get install iproute2"
  need setsid "apt-get install util-linux"
  check_node
  find_java
  cmd_install # idempotent: downloads and verifies only what is missing
  preflight
  start_kafka
  start_opensearch
  cmd_env
}

cmd_stop() {
  stop_service kafka kafka_pid "$KAFKA_PID"
  stop_service opensearch opensearch_pid "$OS_PID"
}

cmd_status() {
  local rc=0 status
  check_node
  if status="$(kafka_health)"; then
    printf '%-11s up    %s (%s)\n' kafka "$KAFKA_BROKER" "$status"
  else
    printf '%-11s down  %s%s\n' kafka "$KAFKA_BROKER" "$( [[ -n "$(kafka_pid)" ]] && echo " (process $(kafka_pid) running, not answering)")"
    rc=1
  fi
  if status="$(opensearch_health)"; then
    printf '%-11s up    %s (%s)\n' opensearch "$OPENSEARCH_URL" "$status"
  else
    printf '%-11s down  %s%s\n' opensearch "$OPENSEARCH_URL" "$( [[ -n "$(opensearch_pid)" ]] && echo " (process $(opensearch_pid) running, not healthy)")"
    rc=1
  fi
  return "$rc"
}

cmd_logs() { # logs [kafka|opensearch] [-f]: last 50 lines of each log (or follow one)
  local which="${1:-all}"
  case "$which" in
    kafka) tail -n 50 "${@:2}" "$KAFKA_LOG" ;;
    opensearch) tail -n 50 "${@:2}" "$OS_LOG" ;;
    all) tail -n 50 "$KAFKA_LOG" "$OS_LOG" ;;
    *) die "usage: stack/stack.sh logs [kafka|opensearch] [-f]" ;;
  esac
}

# End-to-end check of the running stack: one Kafka message round trip, one OpenSearch document round trip.
cmd_smoke() {
  check_node
  node "$SCRIPT_DIR/kafka-admin.mjs" smoke "$KAFKA_BROKER" cirt-stack-smoke | sed 's/^/[stack] kafka: /' >&2 ||
    die "kafka smoke test failed"
  local index="cirt-stack-smoke" doc
  curl -fsS --max-time 10 -XPUT "$OPENSEARCH_URL/$index/_doc/1?refresh=true" -H 'content-type: application/json' \
    -d "{\"message\":\"hello $$\"}" >/dev/null || die "opensearch smoke test: indexing failed"
  doc="$(curl -fsS --max-time 10 "$OPENSEARCH_URL/$index/_search?q=message:$$")" || die "opensearch smoke test: search failed"
  grep -q "hello $$" <<<"$doc" || die "opensearch smoke test: document not found: $doc"
  curl -fsS --max-time 10 -XDELETE "$OPENSEARCH_URL/$index" >/dev/null
  log "opensearch: indexed and found a document in $index (index deleted again)"
}

cmd_env() {
  echo "CIRT_KAFKA_BROKERS=$KAFKA_BROKER"
  echo "CIRT_OPENSEARCH_URL=$OPENSEARCH_URL"
}

# Maintainers only: download everything and (re)write stack/checksums.sha256.
cmd_pin() {
  need mvn "apt-get install maven"
  mkdir -p "$DOWNLOADS" "$LOG_DIR" "$KAFKA_DIR" "$OS_DIR"
  PINNING=1 install_kafka
  PINNING=1 download_opensearch
  {
    echo "# sha256 of the pinned stack downloads (paths relative to .stack/). Regenerate: stack/stack.sh pin"
    echo "# Kafka ${KAFKA_VERSION} (${KAFKA_ARTIFACT} + runtime deps + ${SLF4J_BINDING}), OpenSearch ${OPENSEARCH_VERSION} (${OPENSEARCH_ARTIFACT})"
    (cd "$STACK_DIR" && sha256sum "downloads/$OS_ZIP_NAME" kafka/libs/*)
  } >"$CHECKSUMS"
  log "wrote $CHECKSUMS ($(grep -c '^[0-9a-f]' "$CHECKSUMS") files)"
}

usage() {
  cat >&2 <<EOF
usage: stack/stack.sh <command>
  install   download (Maven Central, checksum-verified) Kafka ${KAFKA_VERSION} and OpenSearch ${OPENSEARCH_VERSION} into .stack/
  start     start whatever is not running and wait until healthy; create the Kafka topics
  stop      stop both (SIGTERM, then SIGKILL after ${STOP_TIMEOUT}s)
  status    one line per service; exit 0 only if both are healthy
  logs      show logs: logs [kafka|opensearch] [-f]
  env       print CIRT_KAFKA_BROKERS / CIRT_OPENSEARCH_URL
  smoke     produce+consume one Kafka message and index+search one OpenSearch document
  pin       (maintainers) regenerate stack/checksums.sha256 from the current downloads
EOF
}

# Serialise install/start/stop (e.g. test runners calling start in parallel) on .stack/stack.lock.
take_lock() {
  need flock "apt-get install util-linux"
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/stack.lock"
  if ! flock -n 9; then
    log "another stack.sh is running in $STACK_DIR; waiting for it (up to 5 min)"
    flock -w 300 9 || die "timed out waiting for the lock $STACK_DIR/stack.lock"
  fi
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    install) take_lock; cmd_install ;;
    start) take_lock; cmd_start ;;
    stop) take_lock; cmd_stop ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    env) cmd_env ;;
    smoke) cmd_smoke ;;
    pin) cmd_pin ;;
    -h | --help | help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
