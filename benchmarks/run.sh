#!/usr/bin/env bash
# Builds the benchmarks module (with its third-party contenders) and runs every benchmark:
# the JMH microbenchmarks, then the end-to-end harness against a TLS 1.3 PostgreSQL.
#
#   benchmarks/run.sh            full run, about 10-15 minutes on 2 cores; writes benchmarks/RESULTS.md
#   benchmarks/run.sh --smoke    a quick check that everything runs (about 2 minutes); writes
#                                benchmarks/target/RESULTS-smoke.md, labelled as a smoke run
#   --offline                    build with mvn -o (everything already in ~/.m2)
#   --out FILE                   write the report somewhere else
#
# Extra -D settings for the harness go in BENCH_OPTS, e.g.
#   BENCH_OPTS="-Dbench.contenders=plain,veil_none -Dbench.workloads=scan" benchmarks/run.sh --smoke
# (see Settings.java and RunAll.java for every setting). VEIL_IT_POSTGRES chooses the server as
# in the integration tests (auto, embedded, docker). JAVA_HOME chooses the JDK that builds and
# runs them (the report names it), e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mode=full
out=""
mvn_flags=(-B -ntp -q)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) mode=smoke ;;
    --offline) mvn_flags+=(-o) ;;
    --out) out="$2"; shift ;;
    *) echo "usage: $0 [--smoke] [--offline] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done

if [[ $mode == full ]]; then
  out="${out:-$root/benchmarks/RESULTS.md}"
  settings=(-Dbench.label="full run")
else
  out="${out:-$root/benchmarks/target/RESULTS-smoke.md}"
  settings=(
    "-Dbench.label=SMOKE RUN (short, on a shared machine: checks that everything runs; not results)"
    -Dbench.rows=10000 -Dbench.batch=1000
    -Dbench.warmupRounds=1 -Dbench.rounds=2 -Dbench.roundMillis=300
    -Dbench.jmh.warmup=1 -Dbench.jmh.iterations=2 -Dbench.jmh.millis=300
    -Dbench.jmh.matrixMillis=300 -Dbench.kmsRows=20000 -Dbench.kmsDirectRows=500
  )
fi

# Never install: the module runs from its target/ directory, the reactor resolves its siblings.
mvn "${mvn_flags[@]}" -f "$root/pom.xml" -Pcontenders -pl benchmarks -am package -DskipTests

classpath="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/classpath.txt")"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]]; then
  commit="$commit (with uncommitted changes)"
fi

started=$(date +%s)
# shellcheck disable=SC2086 # BENCH_OPTS is a list of -D options
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xms2g -Xmx2g -XX:+AlwaysPreTouch \
  -Dveil.it.postgres="${VEIL_IT_POSTGRES:-auto}" \
  -Dbench.commit="$commit" \
  "${settings[@]}" ${BENCH_OPTS:-} \
  -cp "$classpath" org.veil.bench.RunAll "$out"
echo "benchmarks: $mode run took $(( $(date +%s) - started )) s; report in $out"
