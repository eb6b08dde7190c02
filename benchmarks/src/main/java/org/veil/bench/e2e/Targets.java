package org.veil.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The targets, judged from the ratios of one run: each row names the figures it divides,
 * the ratio, the target and whether this run meets it. A target whose figures this run did not
 * produce (a contender or workload left out, JMH skipped) says so instead of guessing.
 */
public final class Targets {

  /** JMH keys: {@code Benchmark.method|param|param…} with params in declaration order. */
  public static String jmhKey(String benchmark, String method, String... params) {
    return benchmark + "." + method + (params.length == 0 ? "" : "|" + String.join("|", params));
  }

  private final E2eResults e2e;
  private final Map<String, Double> jmh;
  private final List<String[]> rows = new ArrayList<>();

  private Targets(E2eResults e2e, Map<String, Double> jmh) {
    this.e2e = e2e;
    this.jmh = jmh;
  }

  /**
   * @param e2e the end-to-end results, or null when that half did not run
   * @param jmh mean ns/op by {@link #jmhKey}, empty when JMH did not run
   */
  public static String markdown(E2eResults e2e, Map<String, Double> jmh) {
    Targets t = new Targets(e2e, jmh);
    t.judge();
    StringBuilder md = new StringBuilder("| target | measured | ratio | met? |\n|---|---|---:|---|\n");
    for (String[] r : t.rows) {
      md.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return md.toString();
  }

  private void judge() {
    for (String w : List.of("insert", "batch", "point", "equality", "unprotected", "scan")) {
      atLeast("No encrypted column: `veil_none` ≥ 0.97 × `plain`, " + w, w, "veil_none", w,
          "plain", 0.97);
    }
    atLeast("No encrypted column touched: `veil_rnd` on the unprotected statement ≥ 0.97 × `plain`",
        "unprotected", "veil_rnd", "unprotected", "plain", 0.97);
    atLeast("Randomized single-row INSERT ≥ 0.90 × `plain`", "insert", "veil_rnd", "insert",
        "plain", 0.90);
    atLeast("Randomized point SELECT ≥ 0.90 × `plain` (`veil_rnd`)", "point", "veil_rnd",
        "point", "plain", 0.90);
    atLeast("Randomized point SELECT, cold row-key cache (`veil_rnd_cold`), vs `plain` (0.90 for reference)",
        "point", "veil_rnd_cold", "point", "plain", 0.90);
    atLeast("Batched INSERT ≥ 0.80 × `plain`", "batch", "veil_rnd", "batch", "plain", 0.80);
    atLeast("Scan, cold row-key cache (`veil_rnd_cold`), ≥ 0.80 × the `aesgcm` floor", "scan", "veil_rnd_cold",
        "scan", "aesgcm", 0.80);
    atLeast("Scan, warm caches (`veil_rnd`), ≥ 0.90 × the `aesgcm` floor", "scan", "veil_rnd", "scan",
        "aesgcm", 0.90);
    for (String[] variant : new String[][] {
        {"sealThenOpen", "randomized", "randomized, one-cell row (DEK drawn and wrapped)"},
        {"sealThenOpenInRow", "randomized", "randomized, a cell of a row whose DEK exists"},
        {"sealThenOpen", "deterministic", "deterministic"}}) {
      Double veil = jmh.get(jmhKey("CellCodecBenchmark", variant[0], "TEXT", "64", variant[1]));
      Double raw = jmh.get(jmhKey("AesGcmFloorBenchmark", "sealThenOpen", "64"));
      String name = "Seal + open of 64 B TEXT (" + variant[2] + ") within 2 × raw reused-Cipher"
          + " AES-GCM";
      if (veil == null || raw == null) {
        rows.add(new String[] {name, "not measured in this run", "", ""});
      } else {
        double ratio = veil / raw;
        rows.add(new String[] {name, String.format(Locale.ROOT,
            "Veil %,.0f ns vs raw %,.0f ns", veil, raw),
            String.format(Locale.ROOT, "%.2f ×", ratio), ratio <= 2.0 ? "met" : "**missed**"});
      }
    }
    kms();
    for (String w : List.of("insert", "batch", "point", "equality", "scan")) {
      String veil = w.equals("equality") ? "veil_det" : "veil_rnd";
      for (String other : List.of("sharding", "pgcrypto")) {
        atLeast("Ahead of `" + other + "`: `" + veil + "` vs `" + other + "`, " + w, w, veil, w,
            other, 1.0);
      }
    }
  }

  private void kms() {
    String name = "KMS calls for 1,000,000 rows written and read ≤ 2 with branch keys";
    if (e2e == null) {
      rows.add(new String[] {name, "not measured in this run", "", ""});
      return;
    }
    for (KmsCallCount.Count c : e2e.kmsCalls()) {
      if (c.wrapping().equals("branch")) {
        rows.add(new String[] {name, String.format(Locale.ROOT, "%,d calls (%s); direct "
            + "wrapping: %,d", c.per1M(), c.scaled(), e2e.kmsCalls().stream()
            .filter(d -> d.wrapping().equals("direct")).mapToLong(KmsCallCount.Count::per1M)
            .findFirst().orElse(-1)), "", c.per1M() <= 2 ? "met" : "**missed**"});
        return;
      }
    }
    rows.add(new String[] {name, "not measured in this run", "", ""});
  }

  private void atLeast(String name, String workload, String contender, String baseWorkload,
      String base, double target) {
    Double a = rate(workload, contender);
    Double b = rate(baseWorkload, base);
    if (a == null || b == null) {
      rows.add(new String[] {name, "not measured in this run (" + (a == null ? contender
          : base) + " on " + workload + ")", "", ""});
      return;
    }
    double ratio = a / b;
    rows.add(new String[] {name, String.format(Locale.ROOT, "%,.0f vs %,.0f rows/s", a, b),
        String.format(Locale.ROOT, "%.3f", ratio), ratio >= target ? "met" : "**missed**"});
  }

  private Double rate(String workload, String contender) {
    if (e2e == null) {
      return null;
    }
    for (E2eResults.WorkloadResult w : e2e.workloads()) {
      if (w.id().equals(workload)) {
        for (E2eResults.Outcome o : w.outcomes()) {
          if (o.contender().equals(contender) && o.summary() != null) {
            return o.summary().rowsPerSecond();
          }
        }
      }
    }
    return null;
  }
}
