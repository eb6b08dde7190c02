package org.veil.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.veil.bench.e2e.E2eReport;
import org.veil.bench.e2e.E2eResults;
import org.veil.bench.e2e.EndToEnd;
import org.veil.bench.e2e.Settings;
import org.veil.bench.micro.AesGcmFloorBenchmark;
import org.veil.bench.micro.IvSourceBenchmark;

/**
 * Runs the JMH microbenchmarks, then the end-to-end harness, and writes both as one Markdown
 * report with the machine, JDK and date: {@code java -cp … org.veil.bench.RunAll RESULTS.md}.
 *
 * <p>System properties: those of {@link Settings}, plus {@code bench.jmh.warmup} (3),
 * {@code bench.jmh.iterations} (5), {@code bench.jmh.millis} (1000 per iteration),
 * {@code bench.jmh.forks} (1), {@code bench.skipJmh}, {@code bench.skipE2e}, and
 * {@code bench.label} (a heading that says what kind of run this was) and {@code bench.commit}.
 */
public final class RunAll {

  private RunAll() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "RESULTS.md");
    String label = System.getProperty("bench.label", "Benchmark run");
    StringBuilder md = new StringBuilder();
    md.append("# Veil benchmarks: ").append(label).append("\n\n");
    md.append(environment()).append('\n');
    if (!Boolean.getBoolean("bench.skipJmh")) {
      md.append("## Microbenchmarks (JMH)\n\n").append(jmh()).append('\n');
    }
    if (!Boolean.getBoolean("bench.skipE2e")) {
      E2eResults e2e = new EndToEnd(Settings.fromSystemProperties()).run();
      md.append("## End to end (one process, contenders interleaved)\n\n")
          .append(E2eReport.markdown(e2e));
    }
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    System.err.println("[bench] wrote " + out.toAbsolutePath());
    // Connection pools keep non-daemon threads alive; everything is written.
    System.exit(0);
  }

  private static String jmh() throws RunnerException {
    Options options = new OptionsBuilder()
        .include(AesGcmFloorBenchmark.class.getName())
        .include(IvSourceBenchmark.class.getName())
        .forks(Integer.getInteger("bench.jmh.forks", 1))
        .warmupIterations(Integer.getInteger("bench.jmh.warmup", 3))
        .warmupTime(TimeValue.milliseconds(Long.getLong("bench.jmh.millis", 1000L)))
        .measurementIterations(Integer.getInteger("bench.jmh.iterations", 5))
        .measurementTime(TimeValue.milliseconds(Long.getLong("bench.jmh.millis", 1000L)))
        .build();
    Collection<RunResult> results = new Runner(options).run();
    // size -> benchmark method -> "score ± error"
    Map<Integer, Map<String, String>> table = new TreeMap<>();
    Map<String, String> ivSources = new TreeMap<>();
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      if (benchmark.startsWith(IvSourceBenchmark.class.getName())) {
        ivSources.put(r.getParams().getParam("source"), score(r));
      } else {
        int size = Integer.parseInt(r.getParams().getParam("size"));
        table.computeIfAbsent(size, k -> new TreeMap<>()).put(method, score(r));
      }
    }
    List<String> methods = List.of("seal", "open", "sealThenOpen");
    StringBuilder md = new StringBuilder();
    md.append("Raw JDK AES-256-GCM, one static key, reused `Cipher`, fresh random IV per seal "
        + "(`AesGcmFloorBenchmark`): the floor Veil's cell seal/open is compared with. "
        + "ns/op, mean ± 99.9% error. Veil's own seal/open, statement analysis and result-column "
        + "lookup benchmarks are added with the code they measure.\n\n");
    md.append("| value size | seal | open | seal + open |\n|---:|---:|---:|---:|\n");
    table.forEach((size, row) -> {
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
    return md.toString();
  }

  /** Mean ± error; JMH gives no error for fewer than three iterations, so then the mean alone. */
  private static String score(RunResult r) {
    var score = r.getPrimaryResult();
    return Double.isNaN(score.getScoreError())
        ? String.format(Locale.ROOT, "%,.1f", score.getScore())
        : String.format(Locale.ROOT, "%,.1f ± %,.1f", score.getScore(), score.getScoreError());
  }

  private static String environment() {
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
