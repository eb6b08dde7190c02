package org.veil.bench.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.veil.testing.PostgresServer;
import org.veil.testing.ServerOptions;
import org.veil.testing.TestPostgres;
import org.veil.tools.Veil;

/**
 * Rows per second of the {@code encrypt-existing} job (the online re-encrypt job's core: keyset
 * batches, the compare-and-set write, progress per batch), against the same TLS 1.3 PostgreSQL
 * the end-to-end harness uses, on a table of {@code bench.jobRows} rows (200,000) whose
 * {@code c1 … c4} hold about 50 bytes of plaintext text each.
 *
 * <p>Cases: 1 and 4 encrypted columns, 1 and 2 workers. A worker is one run of the tool's
 * {@code Veil.run} on a thread of its own (the tool is one worker per process; threads share
 * this JVM's JIT, which a second process would not). Each case runs {@code bench.jobRounds}
 * times (3) on a fresh table after one untimed warm-up job, and reports the median. The time is
 * the wall time of the job from the tool's start to its end: key setup, planning and the final
 * summary included, the guards left out ({@code --no-guard}: their validation is a table scan
 * of its own). {@code bench.jfr}: a directory that receives {@code job.jfr}, a JFR
 * {@code profile} recording of the one-column one-worker case, for {@code JfrSummary}.
 */
public final class JobThroughput {

  /** One measured case: the median of its rounds. */
  public record Case(int columns, int workers, int rows, int batchSize, double[] seconds) {
    double median() {
      double[] s = seconds.clone();
      Arrays.sort(s);
      return s[s.length / 2];
    }

    double rowsPerSecond() {
      return rows / median();
    }
  }

  private final int rows;
  private final int rounds;
  private final int batchSize;
  private final Path jfr;
  private final int[] columnCounts;
  private final int[] workerCounts;

  public JobThroughput(int rows, int rounds, int batchSize, Path jfr, int[] columnCounts,
      int[] workerCounts) {
    this.rows = rows;
    this.rounds = rounds;
    this.batchSize = batchSize;
    this.jfr = jfr;
    this.columnCounts = columnCounts.clone();
    this.workerCounts = workerCounts.clone();
  }

  /**
   * From {@code bench.jobRows} (200000), {@code bench.jobRounds} (3), {@code bench.jobBatch}
   * (the tool's {@code --batch-size}, 1000), {@code bench.jobColumns} (1,4),
   * {@code bench.jobWorkers} (1,2) and {@code bench.jfr}.
   */
  public static JobThroughput fromSystemProperties() {
    String dir = System.getProperty("bench.jfr");
    return new JobThroughput(Integer.getInteger("bench.jobRows", 200_000),
        Integer.getInteger("bench.jobRounds", 3), Integer.getInteger("bench.jobBatch", 1000),
        dir == null ? null : Path.of(dir), ints(System.getProperty("bench.jobColumns", "1,4")),
        ints(System.getProperty("bench.jobWorkers", "1,2")));
  }

  private static int[] ints(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }

  /** {@code java … JobThroughput [OUT.md]}: runs every case, prints or writes the Markdown. */
  public static void main(String[] args) throws Exception {
    String load = loadAverage();
    List<Case> cases = fromSystemProperties().run();
    String md = markdown(cases, load, loadAverage());
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), md, StandardCharsets.UTF_8);
    }
    System.out.print(md);
    System.exit(0);
  }

  /** Starts the server, runs every case, stops the server. */
  public List<Case> run() throws Exception {
    try (PostgresServer server = TestPostgres.start(
        new ServerOptions("TLSv1.3", "", EndToEnd.SERVER_SETTINGS))) {
      log("warm-up job");
      time(server, 1, 1, Math.min(rows, 50_000), false);
      List<Case> cases = new ArrayList<>();
      for (int columns : columnCounts) {
        for (int workers : workerCounts) {
          double[] seconds = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            boolean record = jfr != null && columns == 1 && workers == 1 && r == 0;
            seconds[r] = time(server, columns, workers, rows, record);
            log(String.format(Locale.ROOT, "%d column(s), %d worker(s), round %d: %.2f s,"
                + " %.0f rows/s", columns, workers, r + 1, seconds[r], rows / seconds[r]));
          }
          cases.add(new Case(columns, workers, rows, batchSize, seconds));
        }
      }
      return cases;
    }
  }

  /** Makes a fresh table of {@code n} rows and times one job over it; checks it sealed all. */
  private double time(PostgresServer server, int columns, int workers, int n, boolean record)
      throws Exception {
    String table = "bench_job";
    StringBuilder create = new StringBuilder("CREATE TABLE " + table + " (id bigint PRIMARY KEY");
    StringBuilder fill = new StringBuilder("INSERT INTO " + table + " SELECT g");
    List<String> names = new ArrayList<>();
    for (int c = 1; c <= columns; c++) {
      create.append(", c").append(c).append(" text");
      fill.append(", 'secret ").append(c).append(" ' || g || ' ' || md5(g::text)");
      names.add(table + ".c" + c);
    }
    try (Connection pg = server.plainConnection(); Statement s = pg.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + table + ", bench_job_jobs, bench_job_jobs_ranges,"
          + " bench_job_jobs_progress, bench_job_jobs_conversions CASCADE");
      s.execute(create.append(", amount bigint NOT NULL)").toString());
      s.execute(fill.append(", g FROM generate_series(1, " + n + ") g").toString());
      s.execute("VACUUM ANALYZE " + table);
    }
    String keyring = "bench-job-" + Long.toString(System.nanoTime(), 36);
    List<String> args = new ArrayList<>(List.of("encrypt-existing", "--table", table,
        "--job-table", "bench_job_jobs", "--no-guard", "--progress=none",
        "--batch-size", Integer.toString(batchSize),
        "--url", server.veilUrl(), "--user", server.user(), "--password=" + server.password(),
        "--sslrootcert", server.caCertificate().toString(),
        "-Dveil.columns=" + String.join(", ", names)));
    LocalMasterKey.veilSettings(keyring).forEach((k, v) -> args.add("-D" + k + "=" + v));
    // Workers started together plan once: the first plans under an advisory lock.
    Recording recording = record ? startRecording() : null;
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        List<String> mine = new ArrayList<>(args);
        mine.addAll(List.of("--worker", "bench-" + w));
        runs.add(pool.submit(() -> Veil.run(mine.toArray(String[]::new))));
      }
      for (Future<Integer> run : runs) {
        if (run.get() != 0) {
          throw new IllegalStateException("encrypt-existing exited with " + run.get());
        }
      }
    } finally {
      pool.shutdown();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (recording != null) {
      recording.stop();
      Files.createDirectories(jfr);
      recording.dump(jfr.resolve("job.jfr"));
      recording.close();
    }
    try (Connection pg = server.plainConnection(); Statement s = pg.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table
            + " WHERE c1 NOT LIKE 'veil:%'")) {
      rs.next();
      if (rs.getLong(1) != 0) {
        throw new IllegalStateException(rs.getLong(1) + " values left plaintext");
      }
    }
    return seconds;
  }

  private static Recording startRecording() throws Exception {
    Recording r = new Recording(Configuration.getConfiguration("profile"));
    r.start();
    return r;
  }

  /** The report's section. */
  public static String markdown(List<Case> cases, String loadAtStart, String loadAtEnd) {
    StringBuilder md = new StringBuilder();
    md.append("| columns | workers | batch | rows | median s | rows/s | rounds (s) |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---|\n");
    for (Case c : cases) {
      StringBuilder each = new StringBuilder();
      for (double s : c.seconds()) {
        each.append(each.length() == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "%.2f", s));
      }
      md.append(String.format(Locale.ROOT, "| %d | %d | %,d | %,d | %.2f | %,.0f | %s |%n",
          c.columns(), c.workers(), c.batchSize(), c.rows(), c.median(), c.rowsPerSecond(),
          each));
    }
    md.append("\nLoad average (1, 5, 15 min) at start: ").append(loadAtStart)
        .append("; at end: ").append(loadAtEnd).append(".\n");
    return md.toString();
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static void log(String line) {
    System.err.println("[bench job] " + line);
  }
}
