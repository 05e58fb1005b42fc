#!/bin/bash
# Snapshot codec benchmark with its baselines, all in one run on the same bytes:
#   JMH CodecBenchmark (decode, encode, encode+gzip-1, gunzip+decode) vs pigz -1 -p 2 and gzip -dc.
# Usage: bench/run-codec.sh [extra JMH args]   (build first: mvn -q -pl bench package)
# Needs pigz and gzip (apt-get install -y pigz). Prints figures and the ratios.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build first: mvn -q -pl bench package" >&2; exit 2; }
command -v pigz >/dev/null || { echo "pigz missing: apt-get install -y pigz" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

java -Xmx2g -cp "$jar" io.thunderstream.bench.CodecData "$work"

best() { # best wall time in seconds of 5 runs of "$@"
  local best=999999999999 t0 t1 t
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N); "$@"; t1=$(date +%s%N)
    t=$(( (t1 - t0) / 1000 ))
    [ "$t" -lt "$best" ] && best=$t
  done
  echo "scale=3; $best / 1000000" | bc
}
pigz_s=$(best sh -c "pigz -1 -p 2 < '$work/codec.pb' > '$work/pigz.gz'")
pigz1_s=$(best sh -c "pigz -1 -p 1 < '$work/codec.pb' > /dev/null")
gzip1_s=$(best sh -c "gzip -1 < '$work/codec.pb' > /dev/null")
gzipd_s=$(best sh -c "gzip -dc < '$work/codec.pb.gz' > /dev/null")
echo "baseline pigz -1 -p 2: ${pigz_s}s   pigz -1 -p 1: ${pigz1_s}s   gzip -1: ${gzip1_s}s   gzip -dc: ${gzipd_s}s   (best of 5)"
echo "sizes: protobuf $(stat -c %s "$work/codec.pb")  ours gzip-1 $(stat -c %s "$work/codec.pb.gz")  pigz -1 $(stat -c %s "$work/pigz.gz")"

java -jar "$jar" CodecBenchmark -rf json -rff "$work/jmh.json" "$@" | grep -E "^(Benchmark|CodecBenchmark)" || true

python3 - "$work/jmh.json" "$pigz_s" "$gzipd_s" "$pigz1_s" <<'PY'
import json, sys
res = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"] for r in json.load(open(sys.argv[1]))}
pigz, gzipd, pigz1 = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
def score(name):
    m = res.get(name)
    return None if m is None else m["score"]
print()
for name in ("decode", "encode"):
    if score(name) is not None:
        print(f"raw {name}: {score(name)/1e6:.1f} M entries/s")
for name, base, label in (("encodeGzip1", pigz1, "pigz -1 -p 1"), ("encodeGzip1", pigz, "pigz -1 -p 2"),
                          ("encodeGzip1Parallel2", pigz, "pigz -1 -p 2"),
                          ("gunzipDecode", gzipd, "gzip -dc")):
    if score(name) is not None:
        s = score(name) / 1000.0
        print(f"{name}: {s:.3f}s = {s/base:.2f}x {label} ({base:.3f}s)")
PY
