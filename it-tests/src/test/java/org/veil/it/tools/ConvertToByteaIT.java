package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * encrypt-existing --convert-to-bytea against the real server: text columns of plaintext and of
 * text cells end up bytea columns of cells, while the application reads and writes through Veil.
 */
class ConvertToByteaIT {

  private final ToolFixture fx = new ToolFixture("tool_conv_plain.secret, tool_conv_plain.note,"
      + " tool_conv_online.secret, tool_conv_online.note, tool_conv_tx.secret,"
      + " tool_conv_tx.email:deterministic, tool_conv_kill.secret, tool_conv_index.secret,"
      + " tool_conv_view.secret, tool_conv_nokey.secret, tool_conv_dry.secret,"
      + " tool_conv_workers.secret, tool_conv_burst.secret", "tools-convert");

  private void createTable(String table, int rows) throws SQLException {
    fx.exec("DROP TABLE IF EXISTS " + table + " CASCADE",
        "CREATE TABLE " + table + " (id bigint PRIMARY KEY, secret text NOT NULL, note text,"
            + " other int)",
        "INSERT INTO " + table + " SELECT g, 'secret ' || g || ' ' || md5(g::text),"
            + " CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g END, g FROM"
            + " generate_series(1, " + rows + ") g",
        "DROP TABLE IF EXISTS " + table + "_jobs, " + table + "_jobs_ranges, " + table
            + "_jobs_progress, " + table + "_jobs_conversions CASCADE");
  }

  private static String secretOf(long id) {
    return "secret " + id + " " + ToolFixture.md5(id);
  }

  private static String noteOf(long id) {
    return id % 7 == 0 ? null : "note " + id;
  }

  @Test
  void aTextColumnOfPlaintextAndTextCellsBecomesByteaOfCellsThatOpenToTheSameValues()
      throws Exception {
    int rows = 5_000;
    createTable("tool_conv_plain", rows);
    fx.exec("COMMENT ON COLUMN tool_conv_plain.secret IS 'what the customer told us'");
    Map<Long, String> secrets = new HashMap<>();
    Map<Long, String> notes = new HashMap<>();
    for (long id = 1; id <= rows; id++) {
      secrets.put(id, secretOf(id));
      notes.put(id, noteOf(id));
    }
    try (Connection c = fx.veil(); PreparedStatement ps = c.prepareStatement(
        "UPDATE tool_conv_plain SET note = ? WHERE id = ?")) {
      for (long id = 1; id <= 100; id++) { // some rows hold text cells already
        notes.put(id, "sealed note " + id);
        ps.setString(1, notes.get(id));
        ps.setLong(2, id);
        ps.executeUpdate();
      }
    }
    String[] job = {"--table", "tool_conv_plain", "--convert-to-bytea", "--job-table",
        "tool_conv_plain_jobs", "--batch-size", "300", "--range-rows", "1000"};
    byte[] before = digest(fx.veil(), "tool_conv_plain");

    assertThat(fx.run("encrypt-existing", job)).isZero();

    assertThat(fx.columnTypes("tool_conv_plain")).containsEntry("secret", "bytea NOT NULL")
        .containsEntry("note", "bytea").containsEntry("secret__veil_text", "text")
        .containsEntry("note__veil_text", "text").doesNotContainKeys("secret__veil_bytea",
            "note__veil_bytea");
    assertThat(fx.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid ="
        + " 'tool_conv_plain'::regclass")).isZero();
    assertThat(fx.scalar("SELECT count(*) FROM pg_proc WHERE proname ="
        + " 'tool_conv_plain__veil_to_bytea'")).isZero();
    assertThat(fx.scalar("SELECT count(*) FROM tool_conv_plain_jobs_conversions WHERE"
        + " table_name = 'tool_conv_plain' AND state = 'swapped'")).isEqualTo(2);
    assertThat(fx.scalar("SELECT count(*) FROM tool_conv_plain WHERE substr(secret, 1, 2) <>"
        + " '\\x564c'::bytea OR (note IS NOT NULL AND substr(note, 1, 2) <> '\\x564c'::bytea)"))
        .as("values that are not bytea cells").isZero();
    assertThat(fx.scalar("SELECT count(*) FROM tool_conv_plain WHERE secret__veil_text NOT LIKE"
        + " 'veil:%' OR note__veil_text NOT LIKE 'veil:%'"))
        .as("plaintext left in the kept-aside columns").isZero();
    assertThat(fx.scalar("SELECT count(*) FROM tool_conv_plain WHERE note IS NULL"))
        .isEqualTo(notes.values().stream().filter(java.util.Objects::isNull).count());
    assertThat(fx.text("SELECT col_description('tool_conv_plain'::regclass, attnum) FROM"
        + " pg_attribute WHERE attrelid = 'tool_conv_plain'::regclass AND attname = 'secret'"))
        .isEqualTo("what the customer told us");
    assertDecryptsTo("tool_conv_plain", secrets, notes);
    assertThat(digest(strictVeil(), "tool_conv_plain"))
        .as("SHA-256 of every (id, secret, note) in id order").isEqualTo(before);

    String raw = rawDigest("tool_conv_plain");
    assertThat(fx.run("encrypt-existing", job)).as("a second run").isZero();
    assertThat(rawDigest("tool_conv_plain")).as("a second run changes nothing").isEqualTo(raw);

    assertThat(fx.run("encrypt-existing", ToolFixture.concat(job, "--drop-old"))).isZero();
    assertThat(fx.columnTypes("tool_conv_plain")).doesNotContainKeys("secret__veil_text",
        "note__veil_text");
    assertThat(fx.scalar("SELECT count(*) FROM tool_conv_plain_jobs_conversions WHERE"
        + " table_name = 'tool_conv_plain' AND state = 'dropped'")).isEqualTo(2);
    assertThat(rawDigest("tool_conv_plain")).isEqualTo(raw);
  }

  @Test
  void theApplicationReadsAndWritesThroughTheWholeConversionIncludingTheSwap()
      throws Exception {
    int rows = 20_000;
    createTable("tool_conv_online", rows);
    Map<Long, String> secrets = new ConcurrentHashMap<>();
    Map<Long, String> notes = new ConcurrentHashMap<>();
    for (long id = 1; id <= rows; id++) {
      secrets.put(id, secretOf(id));
      if (noteOf(id) != null) {
        notes.put(id, noteOf(id));
      }
    }
    AtomicLong reads = new AtomicLong();
    AtomicLong writesAfterSwap = new AtomicLong();
    AtomicBoolean swapped = new AtomicBoolean();
    int threads = 3;
    ApplicationThreads app = ApplicationThreads.start(threads, (me, running) -> {
      long nextInsert = rows + 1 + me;
      try (Connection c = fx.veil();
          PreparedStatement update = c.prepareStatement(
              "UPDATE tool_conv_online SET secret = ?, note = ? WHERE id = ?");
          PreparedStatement insert = c.prepareStatement(
              "INSERT INTO tool_conv_online (id, secret, note) VALUES (?, ?, ?)");
          PreparedStatement read = c.prepareStatement(
              "SELECT secret, note FROM tool_conv_online WHERE id = ?")) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.getAsBoolean()) {
          // Each thread owns the ids congruent to it, so "last written" is well defined.
          long id = random.nextLong(rows / threads) * threads + me + 1;
          int what = random.nextInt(10);
          boolean after = swapped.get();
          if (what < 4) {
            String secret = "changed " + id + " " + random.nextInt();
            String note = random.nextBoolean() ? null : "note " + random.nextInt();
            update.setString(1, secret);
            update.setString(2, note);
            update.setLong(3, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
            record(secrets, notes, id, secret, note);
          } else if (what < 5) {
            long newId = nextInsert;
            nextInsert += threads;
            insert.setLong(1, newId);
            insert.setString(2, "inserted " + newId);
            insert.setString(3, "new note " + newId);
            assertThat(insert.executeUpdate()).isEqualTo(1);
            record(secrets, notes, newId, "inserted " + newId, "new note " + newId);
          } else {
            read.setLong(1, id);
            try (ResultSet rs = read.executeQuery()) {
              assertThat(rs.next()).isTrue();
              assertThat(rs.getString(1)).as("secret of %d", id).isEqualTo(secrets.get(id));
              assertThat(rs.getString(2)).as("note of %d", id).isEqualTo(notes.get(id));
            }
            reads.incrementAndGet();
            continue;
          }
          if (after) {
            writesAfterSwap.incrementAndGet();
          }
        }
      }
    });
    int exit;
    Throwable failure;
    try {
      Thread.sleep(300);
      exit = fx.run("encrypt-existing", "--table", "tool_conv_online", "--convert-to-bytea",
          "--job-table", "tool_conv_online_jobs", "--batch-size", "200", "--range-rows",
          "3000");
      swapped.set(true);
      long target = writesAfterSwap.get() + 200;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (writesAfterSwap.get() < target && !app.failed() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } finally {
      failure = app.stop();
    }
    assertThat(failure).isNull();
    assertThat(exit).isZero();
    assertThat(reads.get()).isPositive();
    assertThat(writesAfterSwap.get()).as("writes after the swap").isGreaterThan(100);
    assertThat(fx.columnTypes("tool_conv_online")).containsEntry("secret", "bytea NOT NULL")
        .containsEntry("note", "bytea");
    assertDecryptsTo("tool_conv_online", secrets, notes);
  }

  private static void record(Map<Long, String> secrets, Map<Long, String> notes, long id,
      String secret, String note) {
    secrets.put(id, secret);
    if (note == null) {
      notes.remove(id);
    } else {
      notes.put(id, note);
    }
  }

  @Test
  void aTransactionInFlightAtTheSwapGetsARetryableErrorNamingTheColumn() throws Exception {
    createTxTable();
    try (Connection c = fx.veil(); Connection other = fx.veil()) {
      List<PreparedStatement> inserts = new ArrayList<>();
      for (Connection tx : List.of(c, other)) {
        tx.setAutoCommit(false);
        try (Statement s = tx.createStatement()) {
          s.execute("SELECT 1"); // the transaction is open, and holds no lock on the table
        }
        PreparedStatement insert = tx.prepareStatement(
            "INSERT INTO tool_conv_tx (id, secret, email) VALUES (?, ?, ?)");
        bindRow(insert, 1001 + inserts.size());
        inserts.add(insert);
      }

      assertThat(fx.run("encrypt-existing", "--table", "tool_conv_tx", "--convert-to-bytea",
          "--job-table", "tool_conv_tx_jobs")).isZero();

      // The second finds the column converted in the catalog that the first read again.
      for (PreparedStatement insert : inserts) {
        assertThatThrownBy(insert::executeUpdate)
            .isInstanceOf(SQLTransactionRollbackException.class)
            .hasMessageContaining("public.tool_conv_tx.secret")
            .hasMessageContaining("public.tool_conv_tx.email")
            .hasMessageContaining("converted from text to bytea")
            .hasMessageContaining("Roll back and run the transaction again")
            .satisfies(e -> {
              assertThat(((SQLException) e).getSQLState()).isEqualTo("40001");
              assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("42804");
            });
        insert.getConnection().rollback();
      }

      for (PreparedStatement insert : inserts) { // the retried transactions
        bindRow(insert, 1001 + inserts.indexOf(insert));
        assertThat(insert.executeUpdate()).isEqualTo(1);
        insert.getConnection().commit();
      }
    }
    assertThat(veilText("SELECT secret FROM tool_conv_tx WHERE id = 1001"))
        .isEqualTo("bound before the swap 1001");
    assertThat(veilText("SELECT email FROM tool_conv_tx WHERE id = 1002"))
        .isEqualTo("1002@example.com");
  }

  private static void bindRow(PreparedStatement insert, long id) throws SQLException {
    insert.setLong(1, id);
    insert.setString(2, "bound before the swap " + id);
    insert.setString(3, id + "@example.com");
  }

  @Test
  void autoCommitStatementsBoundBeforeTheSwapRunAgainAsByteaAlsoWithUntypedStrings()
      throws Exception {
    createTxTable();
    Properties untyped = fx.veilSettings(fx.keyFile);
    untyped.setProperty("stringtype", "unspecified");
    try (Connection c = fx.veil(); Connection u = fx.server.veilConnection(untyped);
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO tool_conv_tx (id, secret, email) VALUES (?, ?, ?)");
        PreparedStatement untypedInsert = u.prepareStatement(
            "INSERT INTO tool_conv_tx (id, secret, email) VALUES (?, ?, ?)");
        PreparedStatement lookup = c.prepareStatement(
            "SELECT id, secret FROM tool_conv_tx WHERE email = ?")) {
      insert.setLong(1, 2001);
      insert.setString(2, "auto-commit");
      insert.setNull(3, java.sql.Types.VARCHAR);
      untypedInsert.setLong(1, 2002);
      untypedInsert.setString(2, "untyped");
      untypedInsert.setString(3, "untyped@example.com");
      lookup.setString(1, "person5@example.com");

      assertThat(fx.run("encrypt-existing", "--table", "tool_conv_tx", "--convert-to-bytea",
          "--job-table", "tool_conv_tx_jobs")).isZero();

      assertThat(insert.executeUpdate()).isEqualTo(1);
      assertThat(untypedInsert.executeUpdate()).isEqualTo(1);
      try (ResultSet rs = lookup.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(5);
        assertThat(rs.getString(2)).isEqualTo("secret 5");
      }
    }
    assertThat(fx.scalar("SELECT count(*) FROM tool_conv_tx WHERE id IN (2001, 2002)"
        + " AND substr(secret, 1, 2) = '\\x564c'::bytea")).as("stored as bytea cells")
        .isEqualTo(2);
    assertThat(veilText("SELECT secret FROM tool_conv_tx WHERE id = 2001"))
        .isEqualTo("auto-commit");
    assertThat(veilText("SELECT email FROM tool_conv_tx WHERE id = 2002"))
        .isEqualTo("untyped@example.com");
  }

  private void createTxTable() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS tool_conv_tx CASCADE",
        "CREATE TABLE tool_conv_tx (id bigint PRIMARY KEY, secret text, email text)",
        "DROP TABLE IF EXISTS tool_conv_tx_jobs, tool_conv_tx_jobs_ranges,"
            + " tool_conv_tx_jobs_progress, tool_conv_tx_jobs_conversions CASCADE");
    try (Connection c = fx.veil(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO tool_conv_tx (id, secret, email) VALUES (?, ?, ?)")) {
      for (long id = 1; id <= 50; id++) {
        ps.setLong(1, id);
        ps.setString(2, "secret " + id);
        ps.setString(3, "person" + id + "@example.com");
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Test
  void killedDuringTheBackfillAndBeforeTheSwapItFinishesWithNoBatchDoneTwice()
      throws Exception {
    int rows = 60_000;
    createTable("tool_conv_kill", rows);
    Map<Long, String> secrets = new HashMap<>();
    for (long id = 1; id <= rows; id++) {
      secrets.put(id, secretOf(id));
    }
    byte[] before = digest(fx.plain(), "tool_conv_kill");
    Path out = Files.createTempFile("veil-convert", ".log");
    String[] job = {"--table", "tool_conv_kill", "--convert-to-bytea", "--job-table",
        "tool_conv_kill_jobs", "--batch-size", "500", "--range-rows", "5000",
        "--lock-timeout", "200", "--lock-attempts", "1000"};

    Process backfill = fx.start(out, "encrypt-existing", job);
    waitFor(() -> backfill.isAlive() && progress("tool_conv_kill_jobs") < rows / 3);
    backfill.destroyForcibly();
    assertThat(backfill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long seenAtFirstKill = progress("tool_conv_kill_jobs");
    assertThat(seenAtFirstKill).as("killed during the backfill").isBetween(1L, rows - 1L);

    Process swap;
    try (Connection reader = fx.plain(); Statement s = reader.createStatement()) {
      reader.setAutoCommit(false);
      s.execute("SELECT count(*) FROM tool_conv_kill"); // holds a lock the swap waits for
      swap = fx.start(out, "encrypt-existing", job);
      waitFor(() -> swap.isAlive() && !Files.readString(out).contains("could not"));
      swap.destroyForcibly();
      assertThat(swap.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.rollback();
    }
    assertThat(fx.scalar("SELECT count(*) FROM tool_conv_kill_jobs WHERE finished_at IS NOT"
        + " NULL")).as("the backfill had finished").isEqualTo(1);
    assertThat(fx.columnTypes("tool_conv_kill")).containsEntry("secret", "text NOT NULL")
        .containsEntry("secret__veil_bytea", "bytea");
    assertThat(statusOutput("tool_conv_kill", "tool_conv_kill_jobs"))
        .contains("secret: text, converting to bytea: 0 rows still to copy into"
            + " secret__veil_bytea");

    Process last = fx.start(out, "encrypt-existing", job);
    assertThat(last.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(last.exitValue()).as(Files.readString(out)).isZero();
    assertThat(progress("tool_conv_kill_jobs")).as("rows seen: no committed batch done again")
        .isEqualTo(rows);
    assertThat(fx.columnTypes("tool_conv_kill")).containsEntry("secret", "bytea NOT NULL")
        .doesNotContainKey("secret__veil_bytea");
    assertDecryptsTo("tool_conv_kill", secrets, Map.of());
    assertThat(digest(strictVeil(), "tool_conv_kill")).isEqualTo(before);
  }

  @Test
  void twoWorkerProcessesShareTheConversionAndSwapOnce() throws Exception {
    int rows = 40_000;
    createTable("tool_conv_workers", rows);
    Map<Long, String> secrets = new HashMap<>();
    for (long id = 1; id <= rows; id++) {
      secrets.put(id, secretOf(id));
    }
    Path out = Files.createTempFile("veil-convert-workers", ".log");
    String[] job = {"--table", "tool_conv_workers", "--convert-to-bytea", "--job-table",
        "tool_conv_workers_jobs", "--batch-size", "500", "--range-rows", "4000"};
    Process one = fx.start(out, "encrypt-existing", ToolFixture.concat(job, "--worker", "one"));
    Process two = fx.start(out, "encrypt-existing", ToolFixture.concat(job, "--worker", "two"));
    assertThat(one.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(two.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(one.exitValue()).as(Files.readString(out)).isZero();
    assertThat(two.exitValue()).as(Files.readString(out)).isZero();

    assertThat(Files.readString(out)).containsOnlyOnce("swapped [secret]")
        .containsOnlyOnce("added [secret__veil_bytea]");
    assertThat(fx.scalar("SELECT count(*) FROM tool_conv_workers_jobs_progress WHERE done AND"
        + " cardinality(workers) = 1")).as("ranges, each done by one worker").isEqualTo(11);
    assertThat(fx.scalar("SELECT count(DISTINCT workers[1]) FROM tool_conv_workers_jobs_progress"))
        .as("both workers took ranges").isEqualTo(2);
    assertThat(progress("tool_conv_workers_jobs")).isEqualTo(rows);
    assertThat(fx.columnTypes("tool_conv_workers")).containsEntry("secret", "bytea NOT NULL")
        .containsEntry("secret__veil_text", "text");
    assertDecryptsTo("tool_conv_workers", secrets, Map.of());
  }

  /**
   * Workers that start at the same instant: each decision about the shared schema (whether to
   * add the shadow, whether its name is taken, whether to swap) is made under the conversion's
   * lock on what was read under it, so none refuses the shadow another has just added, and the
   * swap happens once. Several rounds, each on a fresh table, with the workers in this JVM (the
   * tool keeps no state between runs) released together by a barrier, some after a short pause.
   */
  @Test
  void workersStartedAtTheSameInstantAllFinishAndSwapOnce() throws Exception {
    int workers = 4;
    int rounds = 10;
    int rows = 400;
    Map<Long, String> secrets = new HashMap<>();
    for (long id = 1; id <= rows; id++) {
      secrets.put(id, secretOf(id));
    }
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(workers);
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      for (int round = 1; round <= rounds; round++) {
        createTable("tool_conv_burst", rows);
        try (Connection c = fx.veil(); PreparedStatement ps = c.prepareStatement(
            "UPDATE tool_conv_burst SET secret = ? WHERE id = ?")) {
          for (long id = 1; id <= 5; id++) { // a few text cells already; the keys exist
            ps.setString(1, secretOf(id));
            ps.setLong(2, id);
            ps.executeUpdate();
          }
        }
        captured.reset();
        CyclicBarrier start = new CyclicBarrier(workers);
        List<Future<Integer>> exits = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          String worker = "w" + w;
          // Released together; all but the first after a pause of up to 300 ms, so that some
          // read the table while another is changing it (a process that starts more slowly).
          long pause = w == 0 ? 0 : ThreadLocalRandom.current().nextLong(300);
          exits.add(pool.submit(() -> {
            start.await();
            Thread.sleep(pause);
            return fx.run("encrypt-existing", "--table", "tool_conv_burst", "--convert-to-bytea",
                "--job-table", "tool_conv_burst_jobs", "--batch-size", "50", "--range-rows",
                "100", "--worker", worker);
          }));
        }
        for (Future<Integer> exit : exits) {
          assertThat(exit.get(5, TimeUnit.MINUTES)).as("round %d: %s", round,
              captured.toString(StandardCharsets.UTF_8)).isZero();
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).as("round %d", round).containsOnlyOnce("added [secret__veil_bytea]")
            .containsOnlyOnce("swapped [secret]").doesNotContain("rename it first");
        assertThat(fx.columnTypes("tool_conv_burst")).as("round %d", round)
            .containsEntry("secret", "bytea NOT NULL").containsEntry("secret__veil_text", "text")
            .doesNotContainKey("secret__veil_bytea");
        assertThat(fx.scalar("SELECT count(*) FROM tool_conv_burst_jobs_conversions WHERE"
            + " table_name = 'tool_conv_burst' AND state = 'swapped'")).isEqualTo(1);
        assertDecryptsTo("tool_conv_burst", secrets, Map.of());
      }
    } finally {
      System.setErr(err);
      pool.shutdownNow();
    }
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Condition whileTrue) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (whileTrue.holds() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private long progress(String jobTable) throws SQLException {
    try {
      return fx.scalar("SELECT coalesce(sum(rows_seen), 0) FROM " + jobTable + "_progress");
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return 0;
      }
      throw e;
    }
  }

  @Test
  void aColumnUsedByAnIndexOrAViewIsRefusedAndNothingChanges() throws Exception {
    createTable("tool_conv_index", 10);
    fx.exec("CREATE INDEX tool_conv_index_secret ON tool_conv_index (secret)");
    createTable("tool_conv_view", 10);
    fx.exec("CREATE VIEW tool_conv_view_names AS SELECT id, secret AS hidden FROM"
        + " tool_conv_view");
    Map<String, String> indexBefore = fx.columnTypes("tool_conv_index");
    String indexRows = rawDigest("tool_conv_index");

    String indexError = toolError("encrypt-existing", "--table", "tool_conv_index",
        "--convert-to-bytea", "--job-table", "tool_conv_index_jobs");
    String viewError = toolError("encrypt-existing", "--table", "tool_conv_view",
        "--convert-to-bytea", "--job-table", "tool_conv_view_jobs");

    assertThat(indexError).contains("cannot convert public.tool_conv_index [secret] to bytea"
        + " online: public.tool_conv_index.secret is used by index tool_conv_index_secret")
        .contains("Nothing was changed.");
    assertThat(viewError).contains("public.tool_conv_view.secret is used by view"
        + " tool_conv_view_names").contains("Nothing was changed.");
    assertThat(fx.columnTypes("tool_conv_index")).isEqualTo(indexBefore);
    assertThat(rawDigest("tool_conv_index")).isEqualTo(indexRows);
    assertThat(fx.columnTypes("tool_conv_view")).containsEntry("secret", "text NOT NULL")
        .doesNotContainKey("secret__veil_bytea");
    assertThat(fx.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid IN"
        + " ('tool_conv_index'::regclass, 'tool_conv_view'::regclass)")).isZero();
    assertThat(fx.scalar("SELECT count(*) FROM pg_class WHERE relname IN"
        + " ('tool_conv_index_jobs_conversions', 'tool_conv_view_jobs_conversions')")).isZero();
  }

  @Test
  void aTableWithoutAUsableKeyIsRefused() throws Exception {
    fx.exec("DROP TABLE IF EXISTS tool_conv_nokey",
        "CREATE TABLE tool_conv_nokey (id bigint UNIQUE, secret text)",
        "INSERT INTO tool_conv_nokey VALUES (1, 'a'), (2, 'b')");
    assertThat(toolError("encrypt-existing", "--table", "tool_conv_nokey",
        "--convert-to-bytea")).contains("public.tool_conv_nokey has no primary key and no"
            + " unique index over NOT NULL columns");
    assertThat(fx.columnTypes("tool_conv_nokey")).containsOnlyKeys("id", "secret");
  }

  @Test
  void aDryRunReportsTheConversionAndChangesNothing() throws Exception {
    createTable("tool_conv_dry", 700);
    String before = rawDigest("tool_conv_dry");
    ToolFixture.Output dryRun = fx.runCapturingErr("encrypt-existing", "--table",
        "tool_conv_dry", "--convert-to-bytea", "--job-table", "tool_conv_dry_jobs", "--dry-run");
    assertThat(dryRun.exit()).isZero();
    assertThat(dryRun.text())
        .contains("secret: text, to convert to bytea: not started; 700 rows to copy into a new"
            + " column secret__veil_bytea")
        .contains("700 rows seen, 700 rewritten").contains("nothing was written");
    assertThat(rawDigest("tool_conv_dry")).isEqualTo(before);
    assertThat(fx.columnTypes("tool_conv_dry")).containsOnlyKeys("id", "secret", "note", "other");
  }

  private String toolError(String... args) {
    ToolFixture.Output refused = fx.runCapturingErr(args[0],
        java.util.Arrays.copyOfRange(args, 1, args.length));
    assertThat(refused.exit()).isEqualTo(org.veil.tools.Veil.REFUSED);
    return refused.text();
  }

  private String statusOutput(String table, String jobTable) {
    ToolFixture.Output status = fx.runCapturingOut("status", "--table", table, "--job-table",
        jobTable);
    assertThat(status.exit()).isZero();
    return status.text();
  }

  /** A Veil connection that refuses values that are not cells. */
  private Connection strictVeil() throws SQLException {
    Properties strict = fx.veilSettings(fx.keyFile);
    strict.setProperty("veil.plaintextReads", "deny");
    return fx.server.veilConnection(strict);
  }

  /** SHA-256 over (id, secret, note) in id order, read through {@code c} (which it closes). */
  private static byte[] digest(Connection c, String table) throws Exception {
    java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
    try (c; Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret, note FROM " + table + " ORDER BY id")) {
      while (rs.next()) {
        digest.update((rs.getLong(1) + "=" + rs.getString(2) + "|" + rs.getString(3) + "\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return digest.digest();
  }

  /** Every row read through Veil with plaintext reads denied: each value opens, as expected. */
  private void assertDecryptsTo(String table, Map<Long, String> secrets, Map<Long, String> notes)
      throws SQLException {
    boolean withNotes = !notes.isEmpty();
    try (Connection c = strictVeil(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret" + (withNotes ? ", note" : "")
            + " FROM " + table)) {
      int n = 0;
      while (rs.next()) {
        long id = rs.getLong(1);
        assertThat(rs.getString(2)).as("secret of %d", id).isEqualTo(secrets.get(id));
        if (withNotes) {
          assertThat(rs.getString(3)).as("note of %d", id).isEqualTo(notes.get(id));
        }
        n++;
      }
      assertThat(n).isEqualTo(secrets.size());
    }
  }

  private String veilText(String sql) throws SQLException {
    try (Connection c = fx.veil(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  /** A digest of every row's id, secret and note as stored, in id order. */
  private String rawDigest(String table) throws SQLException {
    return fx.text("SELECT md5(string_agg(format('%s|%s|%s', id, secret, note), ',' ORDER BY id))"
        + " FROM " + table);
  }
}
