package org.veil.bench.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.veil.testing.PostgresServer;
import org.veil.testing.ServerOptions;
import org.veil.testing.TestPostgres;

/**
 * The end-to-end harness: one TLS 1.3 PostgreSQL server from the test fixture, every contender
 * on its own table there, each workload run for all contenders in the same process, interleaved
 * in rounds (each round in another order), warm-up rounds discarded.
 *
 * <p>{@code java -cp … org.veil.bench.e2e.EndToEnd [markdown-file]} runs it with the
 * {@link Settings} from system properties and writes the tables to the file (or stdout).
 */
public final class EndToEnd {
  /** The untimed warm-up before the workloads ({@link #warmUp}). */
  private static final int WARM_UP_ROWS = 20_000;
  private static final int WARM_UP_BATCH = 500;
  private static final long WARM_UP_MILLIS = 3_000;

  /** Counts each thread's allocation: the bytes per row of the report. */
  private static final com.sun.management.ThreadMXBean THREADS = threads();

  /** The server settings the benchmark runs with: no statement logging, no fsync wait. */
  static final Map<String, String> SERVER_SETTINGS = serverSettings();

  private final Settings settings;

  public EndToEnd(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    E2eResults results = new EndToEnd(Settings.fromSystemProperties()).run();
    String markdown = E2eReport.markdown(results);
    if (args.length > 0) {
      write(Path.of(args[0]), markdown);
    } else {
      System.out.print(markdown);
    }
    // pgjdbc's and ShardingSphere's pools keep non-daemon threads; the run is over.
    System.exit(0);
  }

  /** Starts the server, runs every workload for every contender, stops the server. */
  public E2eResults run() throws Exception {
    long started = System.nanoTime();
    Rows rows = new Rows(Math.max(settings.rows(), settings.batchRows()));
    log("starting PostgreSQL (TLS 1.3 only) …");
    try (PostgresServer server = TestPostgres.start(
        new ServerOptions("TLSv1.3", "", SERVER_SETTINGS))) {
      String version = serverVersion(server);
      log("server: " + version);
      Map<String, String> skipped = new LinkedHashMap<>();
      List<Session> sessions = new ArrayList<>();
      try {
        for (Contender contender : Contenders.all()) {
          if (!settings.runs(contender)) {
            continue;
          }
          Target target = new Target(server, "bench_" + contender.id());
          contender.prepare(target);
          if (contender.unavailableReason().isPresent()) {
            skipped.put(contender.id(), contender.unavailableReason().get());
            log("skipping " + contender.id() + ": " + contender.unavailableReason().get());
            continue;
          }
          sessions.add(new Session(contender, target, rows));
        }
        warmUp(sessions);
        List<E2eResults.WorkloadResult> results = new ArrayList<>();
        Map<String, String> atRest = new LinkedHashMap<>();
        boolean preloaded = false;
        for (Workload workload : Workloads.all(settings.rows(), settings.batchRows())) {
          if (!settings.runs(workload)) {
            continue;
          }
          if (workload.readsPreloadedRows() && !preloaded) {
            preload(sessions, atRest);
            preloaded = true;
          }
          results.add(run(workload, sessions));
        }
        List<KmsCallCount.Count> kmsCalls = List.of();
        if (settings.runs("kms")) {
          log("counting KMS calls for rows written and read on cold caches …");
          kmsCalls = KmsCallCount.run(server, settings.kmsRows(), settings.kmsDirectRows(),
              settings.batchRows());
        }
        List<E2eResults.ContenderInfo> measured = new ArrayList<>();
        for (Session s : sessions) {
          measured.add(new E2eResults.ContenderInfo(s.contender.id(), s.contender.description(),
              atRest.getOrDefault(s.contender.id(), "not checked (no read workload ran)")));
        }
        return new E2eResults(settings, version, measured, skipped, results, kmsCalls,
            Duration.ofNanos(System.nanoTime() - started));
      } finally {
        for (Session s : sessions) {
          closeQuietly(s);
          closeQuietly(s.contender);
        }
      }
    }
  }

  private E2eResults.WorkloadResult run(Workload workload, List<Session> sessions) {
    log("workload " + workload.id() + ": " + workload.title());
    Map<String, Samples> samples = new LinkedHashMap<>();
    Map<String, String> notes = new LinkedHashMap<>();
    Map<String, Long> operationCounts = new LinkedHashMap<>();
    List<Session> active = new ArrayList<>();
    Map<String, Map<String, Long>> countersBefore = new LinkedHashMap<>();
    for (Session s : sessions) {
      countersBefore.put(s.contender.id(), s.contender.keyCounters());
      String why = workload.notApplicable(s.contender);
      if (why != null) {
        notes.put(s.contender.id(), "n/a: " + why);
        continue;
      }
      String skip = s.contender.notMeasured(workload.id());
      if (skip != null) {
        notes.put(s.contender.id(), skip);
        continue;
      }
      try {
        workload.setUp(s);
        active.add(s);
        samples.put(s.contender.id(), new Samples());
        operationCounts.put(s.contender.id(), 0L);
      } catch (SQLException | RuntimeException e) {
        notes.put(s.contender.id(), "failed in set-up: " + oneLine(e));
      }
    }
    long roundNanos = settings.roundMillis() * 1_000_000L;
    int totalRounds = settings.warmupRounds() + settings.rounds();
    // Every round in another order, the same in every run: with a fixed rotation each contender
    // always followed the same one, and the one after a slow contender (pgcrypto, sharding)
    // found a server that had caught up on its background writes, round after round.
    Random order = new Random(workload.id().hashCode());
    Recording recording = null;
    for (int round = 0; round < totalRounds; round++) {
      boolean measured = round >= settings.warmupRounds();
      if (measured && recording == null && settings.jfrDirectory() != null) {
        recording = startRecording(workload);
      }
      List<Session> turns = new ArrayList<>(active);
      Collections.shuffle(turns, order);
      for (Session s : turns) {
        String id = s.contender.id();
        if (notes.containsKey(id)) {
          continue;
        }
        try {
          long n = operationCounts.get(id);
          long roundStart = System.nanoTime();
          do {
            s.contender.beforeOperation(s.connection);
            workload.beforeOperation(s);
            // Read outside the timed span: the count costs a little, and allocates nothing.
            long bytes0 = allocatedBytes();
            long t0 = System.nanoTime();
            workload.operate(s, n++);
            long elapsed = System.nanoTime() - t0;
            long bytes = bytes0 < 0 ? -1 : allocatedBytes() - bytes0;
            if (measured) {
              samples.get(id).add(elapsed, workload.rowsPerOperation(s), bytes);
            }
          } while (System.nanoTime() - roundStart < roundNanos);
          operationCounts.put(id, n);
        } catch (SQLException | RuntimeException e) {
          notes.put(id, "failed: " + oneLine(e));
          log("  " + id + " failed: " + oneLine(e));
        }
      }
      log("  round " + (round + 1) + "/" + totalRounds + (measured ? "" : " (warm-up)") + " done");
    }
    if (recording != null) {
      stopRecording(recording, workload);
    }
    List<E2eResults.Outcome> outcomes = new ArrayList<>();
    for (Session s : sessions) {
      String id = s.contender.id();
      if (notes.containsKey(id)) {
        outcomes.add(new E2eResults.Outcome(id, null, notes.get(id)));
      } else {
        Samples.Summary summary = samples.get(id).summary();
        outcomes.add(new E2eResults.Outcome(id, summary, null));
        log(String.format("  %-13s %,12.0f rows/s  p50 %s  p99 %s  (%d ops)%s", id,
            summary.rowsPerSecond(), E2eReport.latency(summary.p50Nanos()),
            E2eReport.latency(summary.p99Nanos()), summary.operations(),
            keyTraffic(countersBefore.get(id), s.contender.keyCounters())));
      }
    }
    return new E2eResults.WorkloadResult(workload.id(), workload.title(), outcomes);
  }

  /** Bytes allocated by this thread so far, or -1 when the JVM does not count them. */
  private static long allocatedBytes() {
    return THREADS != null ? THREADS.getCurrentThreadAllocatedBytes() : -1;
  }

  private static com.sun.management.ThreadMXBean threads() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    if (bean instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()) {
      t.setThreadAllocatedMemoryEnabled(true);
      return t;
    }
    return null;
  }

  /**
   * A flight recording (JFR's {@code profile} settings) of a workload's measured rounds, all
   * contenders that run it; {@link #stopRecording} writes it to
   * {@code <bench.jfr>/<workload>.jfr}, for {@code org.veil.bench.JfrSummary}.
   */
  private static Recording startRecording(Workload workload) {
    try {
      Recording r = new Recording(Configuration.getConfiguration("profile"));
      r.setName("bench-" + workload.id());
      r.setToDisk(true);
      r.start();
      return r;
    } catch (IOException | java.text.ParseException e) {
      throw new IllegalStateException("cannot start a flight recording: " + e.getMessage(), e);
    }
  }

  private void stopRecording(Recording r, Workload workload) {
    Path file = settings.jfrDirectory().resolve(workload.id() + ".jfr");
    try {
      r.stop();
      Files.createDirectories(file.getParent());
      r.dump(file);
      log("flight recording of the measured rounds: " + file.toAbsolutePath());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      r.close();
    }
  }

  /**
   * Writes and reads back rows through every contender, untimed, before the first workload: so
   * that no contender's first measured workload (the single-row INSERT) also measures the JIT
   * compiling its code, which the per-workload warm-up rounds do not give every code path
   * enough calls for. Each contender gets up to {@value #WARM_UP_ROWS} rows or
   * {@value #WARM_UP_MILLIS} ms of batches, whichever ends first; the table is emptied after.
   */
  private static void warmUp(List<Session> sessions) throws SQLException {
    for (Session s : sessions) {
      long t0 = System.nanoTime();
      long deadline = t0 + WARM_UP_MILLIS * 1_000_000L;
      s.truncate();
      long written = 0;
      try (PreparedStatement insert = s.connection.prepareStatement(s.insertSql)) {
        while (written < WARM_UP_ROWS && System.nanoTime() < deadline) {
          for (int i = 0; i < WARM_UP_BATCH; i++) {
            s.bindRow(insert, ++written);
            insert.addBatch();
          }
          insert.executeBatch();
        }
      }
      long read = 0;
      try (PreparedStatement scan = s.connection.prepareStatement(s.scanSql);
          ResultSet result = scan.executeQuery()) {
        while (result.next()) {
          s.readRow(result);
          read++;
        }
      }
      if (read != written) {
        throw new IllegalStateException(s.contender.id() + ": warm-up wrote " + written
            + " rows and read back " + read);
      }
      s.truncate();
      log(String.format("warmed up %s: %,d rows written and read in %.1f s", s.contender.id(),
          written, (System.nanoTime() - t0) / 1e9));
    }
  }

  /** Loads the rows every read workload reads, then checks each contender's at-rest claim. */
  private void preload(List<Session> sessions, Map<String, String> atRest) throws SQLException {
    for (Session s : sessions) {
      long t0 = System.nanoTime();
      int count = s.contender.preloadRows(settings.rows());
      Workloads.preload(s, count, settings.batchRows());
      log(String.format("preloaded %,d rows for %s in %.1f s", count, s.contender.id(),
          (System.nanoTime() - t0) / 1e9));
      atRest.put(s.contender.id(), checkAtRest(s));
    }
  }

  /** What a DBA sees in the 20 B column, checked against what the contender claims. */
  private static String checkAtRest(Session s) throws SQLException {
    String plaintext = s.rows.email(1);
    String stored = s.storedEmail(1);
    boolean clear = stored != null && stored.contains(plaintext);
    if (s.contender.storesCiphertext() == clear) {
      throw new IllegalStateException(s.contender.id() + " claims "
          + (clear ? "ciphertext" : "plaintext") + " at rest, but the table holds the other");
    }
    return clear ? "plaintext (checked)" : "ciphertext (checked)";
  }

  private static String serverVersion(PostgresServer server) throws SQLException {
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT current_setting('server_version'), "
            + "(SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid())")) {
      r.next();
      return "PostgreSQL " + r.getString(1) + ", connections over " + r.getString(2);
    }
  }

  private static Map<String, String> serverSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("max_connections", "50");
    s.put("shared_buffers", "256MB");
    s.put("fsync", "off");
    s.put("synchronous_commit", "off");
    s.put("full_page_writes", "off");
    return Collections.unmodifiableMap(s);
  }

  /** The key counters that moved during a workload (warm-up included), for the log. */
  private static String keyTraffic(Map<String, Long> before, Map<String, Long> after) {
    StringBuilder b = new StringBuilder();
    after.forEach((name, value) -> {
      long delta = value - before.getOrDefault(name, 0L);
      if (delta != 0) {
        b.append(b.length() == 0 ? "  [" : ", ").append(name).append(" +").append(delta);
      }
    });
    return b.length() == 0 ? "" : b.append(']').toString();
  }

  private static String oneLine(Throwable e) {
    String message = e.getClass().getSimpleName() + ": " + e.getMessage();
    return message.replace('\n', ' ');
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log("close failed: " + oneLine(e));
    }
  }

  static void log(String line) {
    System.err.println("[e2e] " + line);
  }

  /** Writes {@code text} to {@code file}, creating its directory. */
  static void write(Path file, String text) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
