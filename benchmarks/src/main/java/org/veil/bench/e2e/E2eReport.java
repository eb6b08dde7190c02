package org.veil.bench.e2e;

import java.util.Locale;

/** Writes {@link E2eResults} as Markdown: one table per workload, ratios to plain pgjdbc. */
public final class E2eReport {

  private E2eReport() {}

  public static String markdown(E2eResults results) {
    StringBuilder md = new StringBuilder();
    md.append("Server: ").append(results.server()).append(", settings ")
        .append(EndToEnd.SERVER_SETTINGS).append(" (no statement logging).\n\n");
    md.append("Run: ").append(results.settings().describe())
        .append(String.format(Locale.ROOT, "; took %.1f min.%n%n",
            results.elapsed().toMillis() / 60_000.0));
    md.append("B/row: bytes the harness thread allocated per row during the measured operations"
        + " (pgjdbc, the driver, the decryption and the harness's checks of each value read;"
        + " `com.sun.management.ThreadMXBean`); a contender that works on other threads"
        + " (`sharding`) is undercounted.\n\n");
    md.append("| contender | what it is | protected columns at rest |\n|---|---|---|\n");
    for (E2eResults.ContenderInfo c : results.contenders()) {
      md.append("| `").append(c.id()).append("` | ").append(c.description()).append(" | ")
          .append(c.atRest()).append(" |\n");
    }
    results.skipped().forEach((id, why) ->
        md.append("| `").append(id).append("` | not run: ").append(why).append(" | |\n"));
    md.append('\n');
    for (E2eResults.WorkloadResult w : results.workloads()) {
      md.append("#### ").append(w.title()).append("\n\n");
      md.append("| contender | rows/s | × plain | p50 | p99 | operations | B/row |\n");
      md.append("|---|---:|---:|---:|---:|---:|---:|\n");
      double plain = w.outcomes().stream()
          .filter(o -> o.contender().equals(PlainPgjdbc.ID) && o.summary() != null)
          .mapToDouble(o -> o.summary().rowsPerSecond()).findFirst().orElse(Double.NaN);
      for (E2eResults.Outcome o : w.outcomes()) {
        md.append("| `").append(o.contender()).append("` | ");
        if (o.summary() == null) {
          md.append(o.note()).append(" | | | | | |\n");
          continue;
        }
        Samples.Summary s = o.summary();
        md.append(String.format(Locale.ROOT, "%,.0f", s.rowsPerSecond())).append(" | ")
            .append(Double.isNaN(plain) ? "–"
                : String.format(Locale.ROOT, "%.3f", s.rowsPerSecond() / plain)).append(" | ")
            .append(latency(s.p50Nanos())).append(" | ")
            .append(latency(s.p99Nanos())).append(" | ")
            .append(s.operations()).append(" | ")
            .append(Double.isNaN(s.bytesPerRow()) ? "–"
                : String.format(Locale.ROOT, "%,.0f", s.bytesPerRow())).append(" |\n");
      }
      md.append('\n');
    }
    if (!results.kmsCalls().isEmpty()) {
      md.append(kmsCalls(results.kmsCalls()));
    }
    return md.toString();
  }

  /** The key provider calls for rows written (batched) and read back on cold caches. */
  static String kmsCalls(java.util.List<KmsCallCount.Count> counts) {
    StringBuilder md = new StringBuilder();
    md.append("#### Key provider (KMS) calls for rows written and read back\n\n")
        .append("Rows written through Veil in batches, then read back by a second data-source "
            + "configuration whose caches start empty (no branch key, no row key), as a freshly "
            + "started application would. Branch wrapping counted by the codec's `KeyCounters` "
            + "at the local provider; direct wrapping counted at the loopback KMS endpoint "
            + "(AWS SDK, no added latency for the count).\n\n")
        .append("| wrapping | rows | writer's calls | reader's calls | total | per 1,000,000 "
            + "rows written and read |\n|---|---:|---|---|---:|---|\n");
    for (KmsCallCount.Count c : counts) {
      md.append("| ").append(c.wrapping()).append(String.format(Locale.ROOT, " | %,d | ", c.rows()))
          .append(calls(c.write())).append(" | ").append(calls(c.read())).append(" | ")
          .append(String.format(Locale.ROOT, "%,d | **%,d** (%s) |%n", c.total(), c.per1M(),
              c.scaled()));
    }
    md.append('\n');
    for (KmsCallCount.Count c : counts) {
      md.append(c.wrapping()).append(" wrapping: ").append(c.rowKeyCache()).append(". ");
    }
    return md.append("\n\n").toString();
  }

  private static String calls(java.util.Map<String, Long> calls) {
    StringBuilder b = new StringBuilder();
    calls.forEach((op, n) -> {
      if (n != 0 && !op.equals("total")) {
        b.append(b.length() == 0 ? "" : ", ").append(op).append(' ').append(n);
      }
    });
    return b.length() == 0 ? "none" : b.toString();
  }

  /** A latency in the unit that keeps three significant digits readable. */
  static String latency(long nanos) {
    if (nanos < 1_000_000L) {
      return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
    }
    if (nanos < 10_000_000_000L) {
      return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
