package org.veil.bench.e2e;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How long and how big the end-to-end run is. Read from system properties so run.sh can choose
 * a full or a smoke run:
 * <ul>
 *   <li>{@code bench.rows} (100000): rows preloaded for the reads, and scanned by the scan;</li>
 *   <li>{@code bench.batch} (10000): rows per batched INSERT;</li>
 *   <li>{@code bench.warmupRounds} (3) and {@code bench.rounds} (10): rounds (each contender in
 *       turn, in another order every round), the
 *       warm-up ones discarded;</li>
 *   <li>{@code bench.roundMillis} (500): how long each contender runs a workload per round
 *       (at least one operation, however long it takes);</li>
 *   <li>{@code bench.contenders}, {@code bench.workloads}: comma-separated ids to run (all when
 *       empty); the workload id {@code kms} is the KMS call count;</li>
 *   <li>{@code bench.kmsRows} (1000000) and {@code bench.kmsDirectRows} (2000): rows written
 *       and read back for the KMS call count with branch and with direct wrapping;</li>
 *   <li>{@code bench.jfr} (unset): a directory; when set, each workload's measured rounds are
 *       recorded with JFR (its {@code profile} settings) into {@code <workload>.jfr} there.</li>
 * </ul>
 *
 * @param jfrDirectory where flight recordings go, or null for none
 */
public record Settings(int rows, int batchRows, int warmupRounds, int rounds, long roundMillis,
    Set<String> contenders, Set<String> workloads, int kmsRows, int kmsDirectRows,
    Path jfrDirectory) {

  public static Settings fromSystemProperties() {
    return new Settings(
        Integer.getInteger("bench.rows", 100_000),
        Integer.getInteger("bench.batch", 10_000),
        Integer.getInteger("bench.warmupRounds", 3),
        Integer.getInteger("bench.rounds", 10),
        Long.getLong("bench.roundMillis", 500L),
        ids(System.getProperty("bench.contenders", "")),
        ids(System.getProperty("bench.workloads", "")),
        Integer.getInteger("bench.kmsRows", 1_000_000),
        Integer.getInteger("bench.kmsDirectRows", 2_000),
        System.getProperty("bench.jfr", "").isBlank() ? null
            : Path.of(System.getProperty("bench.jfr")));
  }

  boolean runs(Contender contender) {
    return contenders.isEmpty() || contenders.contains(contender.id());
  }

  boolean runs(Workload workload) {
    return runs(workload.id());
  }

  boolean runs(String workloadId) {
    return workloads.isEmpty() || workloads.contains(workloadId);
  }

  /** One line for the report. */
  String describe() {
    return String.format("an untimed warm-up first (up to 20,000 rows written and read back per"
        + " contender), then %,d preloaded rows, batches of %,d, %d warm-up + %d measured rounds"
        + " of %,d ms per contender per workload", rows, batchRows, warmupRounds, rounds,
        roundMillis);
  }

  private static Set<String> ids(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }
}
