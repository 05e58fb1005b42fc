#!/bin/bash
# Soak run: two packaged instances (A, B) sync one LMDB each through fs or S3 (S3Proxy) while an
# application writer (Writer.java) writes ~50 txns/s, 80 % into A and 20 % into B. Samples resource
# use every 30 s, then stops the writer, waits for A and B to agree and prints a markdown summary.
#   bench/soak/run.sh [--backend fs|s3] [--minutes N] [--out DIR]
# JAVA_OPTS, if set, is passed on to both instances (say -Xmx64m, to see memory under a heap cap).
# Exit status: 0 = A and B identical and no process died; 1 otherwise; 2 = usage/setup error.
set -u
BACKEND=fs MINUTES=20 OUT=
while [ $# -gt 0 ]; do
  case $1 in
    --backend) BACKEND=$2; shift 2 ;;
    --minutes) MINUTES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "usage: $0 [--backend fs|s3] [--minutes N] [--out DIR]" >&2; exit 2 ;;
  esac
done
case $BACKEND in fs | s3) ;; *) echo "--backend must be fs or s3" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
D=$REPO/distribution/target/thunderstream
if [ ! -x "$D/bin/thunderstream" ]; then
  echo "no packaged distribution at $D; build it first: (cd $REPO && mvn -pl distribution -am package -DskipTests)" >&2; exit 2
fi
RUN=${OUT:-$(mktemp -d /tmp/soak-run.XXXXXX)}; mkdir -p "$RUN"; RUN=$(cd "$RUN" && pwd); rm -f "$RUN/died"
WARMUP=60 INTERVAL=30
log() { echo "$(date +%T) $*" >&2; }
nap() { sleep "$1" & SLEEP=$!; wait $SLEEP; }  # interruptible by the traps below

# --- every process started here is stopped on exit, failure or Ctrl-C
PIDS=() SLEEP=
cleanup() {
  trap - EXIT INT TERM
  [ -n "$SLEEP" ] && kill "$SLEEP" 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for _ in $(seq 20); do alive=0; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 0.5; done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; log "no answer from $1"; return 1; }
died() { for n in "$@"; do kill -0 "${PID[$n]}" 2>/dev/null || { log "process $n (${PID[$n]}) died"; echo "$n" >> "$RUN/died"; }; done; }
declare -A PID PORT

log "run dir $RUN, backend $BACKEND, $MINUTES min loaded after ${WARMUP}s warm-up"
if [ "$BACKEND" = s3 ]; then
  # S3Proxy's jars: backend-s3's test dependencies. Our own modules come from the reactor (-am,
  # compiled), so that nothing needs to be installed in the local Maven repository first.
  s3proxy_cp=(-pl backend-s3 -am test-compile dependency:build-classpath -Dmdep.includeScope=test
    -DexcludeGroupIds=io.thunderstream -Dmdep.outputFile="$RUN/s3proxy.cp" -Djacoco.skip=true)
  (cd "$REPO" && { mvn -q -o "${s3proxy_cp[@]}" || mvn -q "${s3proxy_cp[@]}"; } > "$RUN/mvn.log" 2>&1) ||
    { echo "could not get S3Proxy's classpath (see $RUN/mvn.log)" >&2; exit 2; }
  PORT[s3proxy]=$(free_port)
  cat > "$RUN/s3proxy.properties" <<P
s3proxy.endpoint=http://127.0.0.1:${PORT[s3proxy]}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=soak-access
s3proxy.credential=soak-secret
jclouds.provider=transient
jclouds.identity=soak-access
jclouds.credential=soak-secret
P
  cat > "$RUN/s3proxy-logback.xml" <<'P'
<configuration>
  <appender name="E" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="E"/></root>
</configuration>
P
  java -Xmx512m -Dlogback.configurationFile="$RUN/s3proxy-logback.xml" -cp "$(cat "$RUN/s3proxy.cp")" \
    org.gaul.s3proxy.Main --properties "$RUN/s3proxy.properties" > "$RUN/s3proxy.log" 2>&1 < /dev/null &
  PID[s3proxy]=$!; PIDS+=($!)
  wait_http "http://127.0.0.1:${PORT[s3proxy]}/" || exit 1
fi

# --- instances A and B: config from the template below, own temp dir, GC log for the live heap
for i in a b; do
  PORT[$i]=$(free_port); mkdir -p "$RUN/$i/lmdb" "$RUN/$i/tmp"
  if [ "$BACKEND" = fs ]; then
    mkdir -p "$RUN/bucket"; storage="  type: fs
  options:
    root_path: $RUN/bucket"
  else storage="  type: s3
  options:
    endpoint_url: http://127.0.0.1:${PORT[s3proxy]}
    bucket: soak
    create_bucket: true
    access_key: soak-access
    secret_key: soak-secret"
  fi
  cat > "$RUN/$i.yaml" <<Y
instance: soak-$i
lmdb_poll_interval: 100ms
storage_poll_interval: 100ms
lmdbs:
  main:
    path: $RUN/$i/lmdb
    schema_tracks_changes: true
    options: {create: true, map_size: 256MB}
storage:
$storage
  cleanup:
    enabled: true
    interval: 5s
    must_keep_interval: 10s
http:
  address: 127.0.0.1:${PORT[$i]}
log:
  level: info
Y
  JAVA_OPTS="${JAVA_OPTS:-} -Djava.io.tmpdir=$RUN/$i/tmp -Xlog:gc:file=$RUN/$i-gc.log:time,uptime" \
    "$D/bin/thunderstream" -c "$RUN/$i.yaml" sync > "$RUN/$i.log" 2>&1 < /dev/null &
  PID[$i]=$!; PIDS+=($!)
done
wait_http "http://127.0.0.1:${PORT[a]}/metrics" && wait_http "http://127.0.0.1:${PORT[b]}/metrics" || { died a b; exit 1; }

# --- the application writer, with the distribution's lmdbjava
java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$D/lib/*" "$HERE/Writer.java" "$RUN/a/lmdb" "$RUN/b/lmdb" 20 \
  > "$RUN/writer.log" 2>&1 < /dev/null &
PID[writer]=$!; PIDS+=($!)

# --- sampling: one line per process and sample in samples.tsv
HAVE_MDB_STAT=1; command -v mdb_stat > /dev/null || { HAVE_MDB_STAT=0; log "mdb_stat not installed (package lmdb-utils): no LMDB reader/free-page figures"; }
S=$RUN/samples.tsv
printf 'phase\telapsed_s\tinst\tfds\tfd_jar\tfd_sock\tfd_pipe\tfd_anon\tfd_mdb\tfd_deleted\tfd_other\tthreads\trss_mb\theap_live_mb\ttmp_files\tdata_mdb_kb\tentries\treaders\tmax_reader_lag\tfree_pages\tblobs\terror_counters\n' > "$S"
T0=$(date +%s)
sample() { # $1 = phase
  local blobs i pid n f fds jar sock pipe anon mdb del lm heap readers lag free last oldest ent err
  if [ "$BACKEND" = fs ]; then blobs=$(ls "$RUN/bucket" | wc -l)
  else blobs=$(curl -s "http://127.0.0.1:${PORT[a]}/storage" | tail -n +2 | wc -l); fi
  for i in a b; do
    pid=${PID[$i]}; lm=$RUN/$i/lmdb
    kill -0 "$pid" 2>/dev/null || continue
    f=$(ls -l /proc/$pid/fd 2>/dev/null | grep -- '->')
    c() { grep -c -- "$1" <<< "$f"; }
    fds=$(wc -l <<< "$f"); jar=$(c '\.jar$'); sock=$(c '> socket:'); pipe=$(c '> pipe:'); anon=$(c '> anon_inode:')
    mdb=$(c '\.mdb$'); del=$(c '(deleted)')
    # live heap: the full GC forced now, read from the GC log (an attach can fail under load: up to 3 tries, errors in DIR/X-jcmd.log)
    n=$(grep -c 'Pause Full' "$RUN/$i-gc.log"); heap=
    for _ in 1 2 3; do
      jcmd "$pid" GC.run >> "$RUN/$i-jcmd.log" 2>&1; sleep 0.2
      [ "$(grep -c 'Pause Full' "$RUN/$i-gc.log")" -gt "$n" ] && { heap=$(grep 'Pause Full' "$RUN/$i-gc.log" | tail -1 | sed -E 's/.*->([0-9]+)M.*/\1/'); break; }
    done
    readers=- lag=- free=-
    if [ $HAVE_MDB_STAT = 1 ]; then
      # reader table first, then the last txn: a reader can only be behind it
      mdb_stat -r "$lm" > "$RUN/$i-readers.txt"; mdb_stat -ef "$lm" > "$RUN/$i-env.txt"
      last=$(awk '/Last transaction ID:/{print $4}' "$RUN/$i-env.txt")
      readers=$(awk 'f && NF==3 {c++} /pid +thread +txnid/{f=1} END{print c+0}' "$RUN/$i-readers.txt")
      oldest=$(awk 'f && NF==3 && $3!="-" {if(m==""||$3+0<m)m=$3+0} /pid +thread +txnid/{f=1} END{print m}' "$RUN/$i-readers.txt")
      lag=$([ -z "$oldest" ] && echo 0 || echo $((last - oldest)))
      free=$(awk '/Free pages/{print $3}' "$RUN/$i-env.txt")
    fi
    curl -s "http://127.0.0.1:${PORT[$i]}/metrics" > "$RUN/$i-metrics.txt"
    ent=$(awk 'index($0,"lmdb_stat_entries{db=\"records\"")==1 {printf "%d", $NF}' "$RUN/$i-metrics.txt")
    err=$(awk '!/^#/ && $1 ~ /^lightningstream_.*(failed|rejected)/ {s+=$NF} END{printf "%d", s}' "$RUN/$i-metrics.txt")
    printf '%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%s\n' "$1" $(($(date +%s) - T0)) $i \
      "$fds" "$jar" "$sock" "$pipe" "$anon" "$mdb" "$del" $((fds - jar - sock - pipe - anon - mdb - del)) \
      "$(awk '/^Threads:/{print $2}' /proc/$pid/status)" $(($(awk '/^VmRSS:/{print $2}' /proc/$pid/status) / 1024)) "${heap:--}" \
      "$(find "$RUN/$i/tmp" -type f | wc -l)" $(($(stat -c %s "$lm/data.mdb") / 1024)) "${ent:--}" "$readers" "$lag" "${free:--}" "$blobs" "${err:--}" >> "$S"
  done
}
log "warm-up ${WARMUP}s"; nap $WARMUP; died a b writer
END=$(($(date +%s) + MINUTES * 60))
while :; do
  sample loaded; died a b writer
  [ -s "$RUN/died" ] && break
  now=$(date +%s); [ $now -ge $END ] && break
  nap $((INTERVAL < END - now ? INTERVAL : END - now))
done

# --- stop the writer, wait until A and B hold the same data (dump without the local txn id)
log "stopping the writer"; kill "${PID[writer]}"; wait "${PID[writer]}" 2>/dev/null; tail -1 "$RUN/writer.log" >&2
same=0; t=$(date +%s)
dump() { "$D/bin/thunderstream" -c "$RUN/$1.yaml" dump --headers 2> "$RUN/$1-dump.err" | sed -E 's/ txn=[0-9]+//' > "$RUN/$1-dump.txt"; }
for _ in $(seq 24); do
  nap 5; dump a; dump b
  if [ -s "$RUN/a-dump.txt" ] && cmp -s "$RUN/a-dump.txt" "$RUN/b-dump.txt"; then same=1; break; fi
done
CONV="A and B identical ($(wc -l < "$RUN/a-dump.txt") entries) $(($(date +%s) - t)) s after the writer stopped"
[ $same = 1 ] || CONV="A and B DIFFER 120 s after the writer stopped: $(diff "$RUN/a-dump.txt" "$RUN/b-dump.txt" | grep -c '^[<>]') differing lines (diff $RUN/a-dump.txt $RUN/b-dump.txt)"
sample quiet; died a b ${PID[s3proxy]:+s3proxy}

python3 "$HERE/analyze.py" "$S" "$BACKEND" "$MINUTES" "$CONV" "$HAVE_MDB_STAT" "$([ -s "$RUN/died" ] && sort -u "$RUN/died" | tr '\n' ' ')" | tee "$RUN/summary.md"
echo "raw data: $RUN"
[ $same = 1 ] && [ ! -s "$RUN/died" ]
