#!/bin/bash
# Thunderstream's benchmark suite (issue 9) with its baselines (mdb_dump/mdb_load, gzip) in the same run.
# Usage: bench/run-suite.sh [--scale 1.0] [--runs 3] [--cases 1,2,3,4,5,6,7,8,9] [--work DIR] [--out FILE]
# Build first: mvn -q -pl bench,distribution -am package -DskipTests
# (case 5 runs the packaged distribution/target/thunderstream/bin/thunderstream with JAVA_OPTS=-Xmx64m).
# Needs lmdb-utils and gzip (apt-get install -y lmdb-utils), pigz for case 8. About 15 minutes at scale 1.
# --work DIR keeps the generated data (about 2.6 GB at scale 1) for later runs; without it a temp dir is removed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/target/benchmarks.jar"
launcher="$here/../distribution/target/thunderstream/bin/thunderstream"
[ -f "$jar" ] || { echo "build first: mvn -q -pl bench,distribution -am package -DskipTests" >&2; exit 2; }
for tool in mdb_dump mdb_load gzip; do
  command -v $tool >/dev/null || { echo "$tool missing: apt-get install -y lmdb-utils gzip" >&2; exit 2; }
done
exec java -Xmx1g --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$jar" io.thunderstream.bench.suite.Suite --thunderstream "$launcher" "$@"
