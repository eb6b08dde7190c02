package org.veil.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.veil.bench.e2e.E2eReport;
import org.veil.bench.e2e.E2eResults;
import org.veil.bench.e2e.EndToEnd;
import org.veil.bench.e2e.GcmProviders;
import org.veil.bench.e2e.JobThroughput;
import org.veil.bench.e2e.Settings;
import org.veil.bench.e2e.Targets;
import org.veil.bench.micro.AesGcmFloorBenchmark;
import org.veil.bench.micro.CellCodecBenchmark;
import org.veil.bench.micro.IvSourceBenchmark;
import org.veil.bench.micro.KdfBenchmark;
import org.veil.bench.micro.ScanRowBenchmark;
import org.veil.bench.micro.StatementAnalysisBenchmark;
import org.veil.jdbc.ResultColumnLookupBenchmark;

/**
 * Runs the JMH microbenchmarks, then the end-to-end harness, and writes both as one Markdown
 * report with the machine, JDK and date: {@code java -cp … org.veil.bench.RunAll RESULTS.md}.
 *
 * <p>System properties: those of {@link Settings}, plus {@code bench.jmh.warmup} (2),
 * {@code bench.jmh.iterations} (3), {@code bench.jmh.millis} (1000 per iteration),
 * {@code bench.jmh.forks} (1), {@code bench.skipJmh}, {@code bench.skipE2e},
 * {@code bench.skipJob} (the re-encrypt job's rows/s, {@link JobThroughput}), and
 * {@code bench.label} (a heading that says what kind of run this was) and {@code bench.commit}.
 */
public final class RunAll {

  private RunAll() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "RESULTS.md");
    String label = System.getProperty("bench.label", "Benchmark run");
    String loadAtStart = loadAverage();
    Map<String, Double> jmhScores = new TreeMap<>();
    String jmh = Boolean.getBoolean("bench.skipJmh") ? null : jmh(jmhScores);
    E2eResults e2e = Boolean.getBoolean("bench.skipE2e") ? null
        : new EndToEnd(Settings.fromSystemProperties()).run();
    String jobLoad = loadAverage();
    List<JobThroughput.Case> job = Boolean.getBoolean("bench.skipJob") ? null
        : JobThroughput.fromSystemProperties().run();
    StringBuilder md = new StringBuilder();
    md.append("# Veil benchmarks: ").append(label).append("\n\n");
    md.append(environment(loadAtStart)).append('\n');
    md.append("## Targets of the crypto core v3, judged from this run's ratios\n\n")
        .append(Targets.v3Markdown(e2e, jmhScores)).append('\n');
    md.append("### Issue 7's other targets, still in force\n\n")
        .append(Targets.issue7Markdown(e2e, jmhScores)).append('\n');
    if (jmh != null) {
      md.append("## Microbenchmarks (JMH)\n\n").append(jmh).append('\n');
    }
    if (e2e != null) {
      md.append("## End to end (one process, contenders interleaved)\n\n")
          .append(E2eReport.markdown(e2e));
    }
    if (job != null) {
      md.append("\n## The re-encrypt job (encrypt-existing, rows/s)\n\n")
          .append(JobThroughput.markdown(job, jobLoad, loadAverage()));
    }
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    System.err.println("[bench] wrote " + out.toAbsolutePath());
    // Connection pools keep non-daemon threads alive; everything is written.
    System.exit(0);
  }

  /** Value types with a length: measured at each size. The others are fixed-width. */
  private static final List<String> SIZED_TYPES = List.of("TEXT", "BYTES");
  private static final String[] SIZES = {"16", "64", "256", "4096"};
  private static final String[] FIXED_TYPES = {"SHORT", "INT", "LONG", "NUMERIC", "BOOLEAN",
      "FLOAT", "DOUBLE", "DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "UUID"};
  private static final String[] MODES = {"randomized", "deterministic"};
  /** The codec's per-row steps, measured on each provider for a 64 B TEXT randomized cell. */
  private static final String[][] ROW_STEPS = {
      {"seal", "seal (one-cell row: nonce, row key derivation, GCM key schedule, seal)"},
      {"openFirst", "open, first cell of a row (row key derived)"},
      {"open", "open, a later cell of the row (row key at hand)"},
      {"sealThenOpen", "seal + open, one-cell row (the 2 × target's unit)"},
      {"sealThenOpenInRow", "seal + open, a cell of a row whose key exists"}};
  private static final String GC_NORM = "gc.alloc.rate.norm";

  /**
   * Runs every JMH benchmark; fills {@code scores} (mean ns/op by {@link Targets#jmhKey}, bytes
   * per operation by {@link Targets#allocKey}) and returns the Markdown. The per-type matrix of
   * the cell codec runs with shorter iterations ({@code bench.jmh.matrixMillis}, 2 warm-up + 3
   * measured) so the full run stays in budget; the floor, the key derivation, the scan row, the
   * codec's per-row steps, the statement analysis and the lookup use the main settings. The matrix runs on the provider the
   * driver chooses ({@code auto}); the per-row steps and the scan row on each provider present.
   */
  private static String jmh(Map<String, Double> scores) throws RunnerException {
    String[] providers = GcmProviders.accpHealthy() ? new String[] {"jdk", "accp"}
        : new String[] {"jdk"};
    Map<String, String> cells = new TreeMap<>();
    List<RunResult> results = new ArrayList<>();
    results.addAll(run(main().include(AesGcmFloorBenchmark.class.getName())
        .include(IvSourceBenchmark.class.getName())
        .include(KdfBenchmark.class.getName())
        .include(StatementAnalysisBenchmark.class.getName())
        .include(ResultColumnLookupBenchmark.class.getName())));
    String scanRow = ScanRowBenchmark.class.getName();
    results.addAll(run(main().include(scanRow + ".floor$").param("provider", "jdk")
        .addProfiler(GCProfiler.class)));
    results.addAll(run(main().include(scanRow + ".veil$").param("provider", providers)
        .addProfiler(GCProfiler.class)));
    String codec = CellCodecBenchmark.class.getName();
    results.addAll(run(main().include(codec + ".(seal|open|openFirst|sealThenOpen"
        + "|sealThenOpenInRow)$").param("type", "TEXT").param("size", "64")
        .param("mode", "randomized").param("provider", providers)));
    results.addAll(run(matrix().include(codec + ".(seal|open|sealThenOpen)$")
        .param("type", "TEXT").param("size", SIZES).param("mode", MODES)
        .param("provider", "auto")));
    results.addAll(run(matrix().include(codec + ".sealThenOpen$")
        .param("type", "BYTES").param("size", SIZES).param("mode", MODES)
        .param("provider", "auto")));
    results.addAll(run(matrix().include(codec + ".sealThenOpen$")
        .param("type", FIXED_TYPES).param("size", "0").param("mode", MODES)
        .param("provider", "auto")));

    Map<Integer, Map<String, String>> floor = new TreeMap<>();
    Map<String, String> ivSources = new TreeMap<>();
    Map<String, String> kdf = new TreeMap<>();
    Map<String, String[]> scan = new java.util.HashMap<>();
    Map<String, String> analysis = new java.util.LinkedHashMap<>();
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      String cls = benchmark.substring(0, benchmark.lastIndexOf('.'));
      cls = cls.substring(cls.lastIndexOf('.') + 1);
      // Ratios and targets use the best measured iteration: on a shared machine the floor and
      // Veil run minutes apart under different load, and the least disturbed iteration is the
      // closest to what the code costs. The tables show the mean ± error beside it.
      double mean = best(r);
      if (cls.equals("IvSourceBenchmark")) {
        ivSources.put(r.getParams().getParam("source"), score(r));
      } else if (cls.equals("AesGcmFloorBenchmark")) {
        String size = r.getParams().getParam("size");
        floor.computeIfAbsent(Integer.parseInt(size), k -> new TreeMap<>()).put(method, score(r));
        scores.put(Targets.jmhKey(cls, method, size), mean);
      } else if (cls.equals("KdfBenchmark")) {
        scores.put(Targets.jmhKey(cls, method), mean);
        kdf.put(method, score(r));
      } else if (cls.equals("ScanRowBenchmark")) {
        String provider = r.getParams().getParam("provider");
        scores.put(Targets.jmhKey(cls, method, provider), mean);
        var bytes = r.getSecondaryResults().get(GC_NORM);
        if (bytes != null) {
          scores.put(Targets.allocKey(cls, method, provider), bytes.getScore());
        }
        scan.put(method.equals("floor") ? "floor" : provider, new String[] {score(r),
            bytes == null ? "–" : String.format(Locale.ROOT, "%,.0f", bytes.getScore())});
      } else if (cls.equals("CellCodecBenchmark")) {
        String key = Targets.jmhKey(cls, method, r.getParams().getParam("type"),
            r.getParams().getParam("size"), r.getParams().getParam("mode"),
            r.getParams().getParam("provider"));
        scores.put(key, mean);
        cells.put(key, score(r));
      } else {
        scores.put(Targets.jmhKey(cls, method), mean);
        analysis.put(cls + "." + method, score(r));
      }
    }
    List<String> methods = List.of("seal", "open", "sealThenOpen");
    StringBuilder md = new StringBuilder();
    md.append("ns/op: the best measured iteration, then in parentheses the mean ± 99.9% error"
        + " (mean alone with fewer than three iterations). Ratios (× floor, × v3) and the"
        + " targets use the best iterations: the machine is shared, the benchmarks run minutes"
        + " apart, and the least disturbed iteration is the closest to what the code costs."
        + " Bytes per row (`-prof gc`) are means: allocation does not depend on load.\n\n");
    md.append("**Floor**: raw JDK AES-256-GCM, one static key, reused `Cipher`, fresh random IV per"
        + " seal (`AesGcmFloorBenchmark`).\n\n");
    md.append("| value size | seal | open | seal + open |\n|---:|---:|---:|---:|\n");
    floor.forEach((size, row) -> {
      md.append("| ").append(size).append(" B");
      for (String m : methods) {
        md.append(" | ").append(row.getOrDefault(m, "–"));
      }
      md.append(" |\n");
    });
    if (!ivSources.isEmpty()) {
      md.append("\nOf which the IV: drawing 12 random bytes (`IvSourceBenchmark`), ns/op: ");
      ivSources.forEach((source, cell) ->
          md.append("`").append(source).append("` SecureRandom ").append(cell).append("; "));
      md.setLength(md.length() - 2);
      md.append(".\n");
    }
    if (!kdf.isEmpty()) {
      md.append("\n**Row key derivation** (`KdfBenchmark`), one 32-byte key per row from the"
          + " branch key and a 16-byte nonce, ns/op:\n\n| derivation | ns/op | × v3 |\n"
          + "|---|---:|---:|\n");
      Double v3 = scores.get(Targets.jmhKey("KdfBenchmark", "rowKeyKdf"));
      for (String[] d : new String[][] {
          {"rowKeyKdf", "format v3: SP 800-108 counter mode, AES-256-CMAC (3 AES blocks on a"
              + " keyed `AES/ECB`, `RowKeyKdf`)"},
          {"hkdfTink", "HKDF-SHA256, Tink `Hkdf.computeHkdf` (gets and keys its `Mac` per call)"},
          {"hkdfReusedMac", "HKDF-SHA256 on one reused `Mac` (extract + one expand block)"}}) {
        md.append("| ").append(d[1]).append(" | ").append(kdf.getOrDefault(d[0], "–"))
            .append(" | ").append(ratio(scores.get(Targets.jmhKey("KdfBenchmark", d[0])), v3))
            .append(" |\n");
      }
    }
    if (!scan.isEmpty()) {
      md.append("\n**A scanned row's crypto** (`ScanRowBenchmark`, with JMH's `-prof gc`): the"
          + " two randomized cells of a benchmark row (20 B and 200 B TEXT) opened from"
          + " `byte[]` into `String`s, 1,024 rows in turn, so each row derives its key once;"
          + " beside the `aesgcm` contender's open (static key, reused `Cipher`, SunJCE).\n\n"
          + "| what | ns/row | B/row | time × floor | bytes × floor |\n|---|---:|---:|---:|---:|\n");
      Double floorNs = scores.get(Targets.jmhKey("ScanRowBenchmark", "floor", "jdk"));
      Double floorB = scores.get(Targets.allocKey("ScanRowBenchmark", "floor", "jdk"));
      List<String> order = new ArrayList<>(List.of("floor"));
      order.addAll(List.of(providers));
      for (String what : order) {
        String[] v = scan.get(what);
        if (v == null) {
          continue;
        }
        String name = what.equals("floor") ? "floor: static-key AES-GCM, SunJCE"
            : "Veil, " + providerName(what);
        String p = what.equals("floor") ? "jdk" : what;
        String method = what.equals("floor") ? "floor" : "veil";
        md.append("| ").append(name).append(" | ").append(v[0]).append(" | ").append(v[1])
            .append(" | ").append(ratio(scores.get(Targets.jmhKey("ScanRowBenchmark", method, p)),
                floorNs))
            .append(" | ").append(ratio(scores.get(Targets.allocKey("ScanRowBenchmark", method,
                p)), floorB)).append(" |\n");
      }
    }
    md.append("\n**Veil's cell codec, per-row steps on each provider** (`CellCodecBenchmark`,"
        + " 64 B TEXT, randomized, local key provider, branch key cached), ns/op; × floor is"
        + " over the floor's seal + open at 64 B:\n\n| step |");
    for (String p : providers) {
      md.append(' ').append(providerName(p)).append(" | × floor |");
    }
    md.append("\n|---|").append("---:|---:|".repeat(providers.length)).append('\n');
    Double floor64 = scores.get(Targets.jmhKey("AesGcmFloorBenchmark", "sealThenOpen", "64"));
    for (String[] step : ROW_STEPS) {
      md.append("| ").append(step[1]);
      for (String p : providers) {
        String key = Targets.jmhKey("CellCodecBenchmark", step[0], "TEXT", "64", "randomized", p);
        md.append(" | ").append(cells.getOrDefault(key, "–")).append(" | ")
            .append(ratio(scores.get(key), floor64));
      }
      md.append(" |\n");
    }
    md.append("\n**Veil's cell codec, per type** (`CellCodecBenchmark`), local key provider,"
        + " branch key cached, per-row AES-GCM on the driver's choice here ("
        + providerName("auto") + "). A randomized *seal* is a one-cell row: it includes drawing"
        + " the row's nonce and deriving its row key (a two-cell row pays that once). *open* is"
        + " a later cell of the row read last, so its row key is at hand. × floor = seal + open"
        + " over the floor's seal + open at the same size. JSON shares TEXT's code path.\n\n");
    md.append("| type | size | mode | seal | open | seal + open | × floor |\n"
        + "|---|---:|---|---:|---:|---:|---:|\n");
    for (String type : SIZED_TYPES) {
      for (String size : SIZES) {
        for (String mode : MODES) {
          md.append("| ").append(type).append(" | ").append(size).append(" B | ").append(mode);
          for (String m : methods) {
            md.append(" | ").append(cells.getOrDefault(
                Targets.jmhKey("CellCodecBenchmark", m, type, size, mode, "auto"), "–"));
          }
          md.append(" | ").append(ratio(scores.get(Targets.jmhKey("CellCodecBenchmark",
              "sealThenOpen", type, size, mode, "auto")),
              scores.get(Targets.jmhKey("AesGcmFloorBenchmark", "sealThenOpen", size))))
              .append(" |\n");
        }
      }
    }
    md.append("\nFixed-width types, seal + open (one-cell row), ns/op:\n\n"
        + "| type | randomized | deterministic |\n|---|---:|---:|\n");
    for (String type : FIXED_TYPES) {
      md.append("| ").append(type);
      for (String mode : MODES) {
        md.append(" | ").append(cells.getOrDefault(
            Targets.jmhKey("CellCodecBenchmark", "sealThenOpen", type, "0", mode, "auto"), "–"));
      }
      md.append(" |\n");
    }
    md.append("\n**Statement analysis** (`StatementAnalysisBenchmark`, the benchmark's INSERT"
        + " with two encrypted columns) and **result-column lookup**"
        + " (`ResultColumnLookupBenchmark`, five result columns, two encrypted), ns/op:\n\n"
        + "| what | ns/op |\n|---|---:|\n");
    Map<String, String> names = Map.of(
        "StatementAnalysisBenchmark.cached", "prepared SQL text seen before (cache hit)",
        "StatementAnalysisBenchmark.uncached", "INSERT text seen for the first time (parse + plan)",
        "StatementAnalysisBenchmark.uncachedSelect",
        "SELECT … WHERE email = ? seen for the first time (parse + plan)",
        "StatementAnalysisBenchmark.plain", "SQL naming no encrypted table (not parsed)",
        "ResultColumnLookupBenchmark.lookUp", "result-column lookup, once per executed query");
    analysis.forEach((k, v) -> md.append("| ").append(names.getOrDefault(k, k)).append(" | ")
        .append(v).append(" |\n"));
    return md.toString();
  }

  /** A provider parameter as the report names it: {@code jdk}, {@code accp}, {@code auto}. */
  private static String providerName(String choice) {
    try {
      String name = GcmProviders.named(choice).name();
      return choice.equals("auto") ? name + " (auto)" : name;
    } catch (java.security.GeneralSecurityException e) {
      return choice + " (not usable)";
    }
  }

  private static String ratio(Double veil, Double floor) {
    return veil == null || floor == null ? "–"
        : String.format(Locale.ROOT, "%.2f", veil / floor);
  }

  private static ChainedOptionsBuilder main() {
    long millis = Long.getLong("bench.jmh.millis", 1000L);
    ChainedOptionsBuilder b = new OptionsBuilder();
    b.forks(Integer.getInteger("bench.jmh.forks", 1))
        .warmupIterations(Integer.getInteger("bench.jmh.warmup", 2))
        .warmupTime(TimeValue.milliseconds(millis))
        .measurementIterations(Integer.getInteger("bench.jmh.iterations", 3))
        .measurementTime(TimeValue.milliseconds(millis));
    return b;
  }

  private static ChainedOptionsBuilder matrix() {
    long millis = Long.getLong("bench.jmh.matrixMillis", 500L);
    ChainedOptionsBuilder b = new OptionsBuilder();
    b.forks(Integer.getInteger("bench.jmh.forks", 1))
        .warmupIterations(Math.min(2, Integer.getInteger("bench.jmh.warmup", 2)))
        .warmupTime(TimeValue.milliseconds(millis))
        .measurementIterations(Math.min(3, Integer.getInteger("bench.jmh.iterations", 3)))
        .measurementTime(TimeValue.milliseconds(millis));
    return b;
  }

  private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
    return new Runner(options.build()).run();
  }

  /**
   * Best iteration, then mean ± error in parentheses; JMH gives no error for fewer than three
   * iterations, so then the mean alone.
   */
  private static String score(RunResult r) {
    var score = r.getPrimaryResult();
    String mean = Double.isNaN(score.getScoreError())
        ? String.format(Locale.ROOT, "%,.1f", score.getScore())
        : String.format(Locale.ROOT, "%,.1f ± %,.1f", score.getScore(), score.getScoreError());
    return String.format(Locale.ROOT, "%,.1f (%s)", best(r), mean);
  }

  /** The lowest score of the measured iterations (all forks): the least disturbed by load. */
  private static double best(RunResult r) {
    double best = Double.POSITIVE_INFINITY;
    for (var benchmark : r.getBenchmarkResults()) {
      for (var iteration : benchmark.getIterationResults()) {
        best = Math.min(best, iteration.getPrimaryResult().getScore());
      }
    }
    return Double.isInfinite(best) ? r.getPrimaryResult().getScore() : best;
  }

  /** {@code /proc/loadavg}'s 1, 5 and 15 minute load averages, or "unknown". */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String environment(String loadAtStart) {
    Runtime rt = Runtime.getRuntime();
    StringBuilder md = new StringBuilder();
    md.append("| | |\n|---|---|\n");
    md.append("| date | ").append(ZonedDateTime.now(ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)))
        .append(" |\n");
    md.append("| machine | ").append(cpuModel()).append(", ").append(rt.availableProcessors())
        .append(" cores visible to the JVM, ").append(memory()).append(" |\n");
    md.append("| OS | ").append(System.getProperty("os.name")).append(' ')
        .append(System.getProperty("os.version")).append(' ')
        .append(System.getProperty("os.arch")).append(" |\n");
    md.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append(" (")
        .append(System.getProperty("java.vm.vendor")).append("), heap max ")
        .append(rt.maxMemory() / (1024 * 1024)).append(" MiB |\n");
    md.append("| per-row AES-GCM | ").append(GcmProviders.describe()).append(" |\n");
    md.append("| load average (1, 5, 15 min) | at start ").append(loadAtStart).append("; at end ")
        .append(loadAverage()).append(" (").append(rt.availableProcessors())
        .append(" cores; a load above that means other work shared them) |\n");
    String commit = System.getProperty("bench.commit", "");
    if (!commit.isEmpty()) {
      md.append("| commit | ").append(commit).append(" |\n");
    }
    return md.toString();
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: say so rather than fail the run.
    }
    return "CPU model unknown";
  }

  private static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return (kib / (1024 * 1024)) + " GiB RAM";
        }
      }
    } catch (IOException | RuntimeException e) {
      // As above.
    }
    return "RAM unknown";
  }
}
