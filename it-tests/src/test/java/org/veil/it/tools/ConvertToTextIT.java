package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * decrypt-column --convert-to-text against the real server: the undo of encrypt-existing
 * --convert-to-bytea, a bytea column of cells back to a column of its original type holding the
 * plaintext, as an application without Veil reads it.
 */
class ConvertToTextIT {

  private final ToolFixture fx = new ToolFixture("tool_undo_plain.secret, tool_undo_plain.note,"
      + " tool_undo_kill.secret, tool_undo_workers.secret", "tools-undo");

  private void createTable(String table, int rows) throws SQLException {
    fx.exec("DROP TABLE IF EXISTS " + table + " CASCADE",
        "CREATE TABLE " + table + " (id bigint PRIMARY KEY, secret text NOT NULL,"
            + " note varchar, other int)",
        "INSERT INTO " + table + " SELECT g, 'secret ' || g || ' ' || md5(g::text),"
            + " CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g END, g FROM"
            + " generate_series(1, " + rows + ") g",
        "DROP TABLE IF EXISTS " + table + "_jobs, " + table + "_jobs_ranges, " + table
            + "_jobs_progress, " + table + "_jobs_conversions, " + table
            + "_jobs_conversions_to_text CASCADE");
  }

  private static String secretOf(long id) {
    return "secret " + id + " " + ToolFixture.md5(id);
  }

  private static String noteOf(long id) {
    return id % 7 == 0 ? null : "note " + id;
  }

  @Test
  void aColumnConvertedToByteaConvertsBackToItsOriginalTypeHoldingThePlaintext()
      throws Exception {
    int rows = 3_000;
    createTable("tool_undo_plain", rows);
    fx.exec("COMMENT ON COLUMN tool_undo_plain.secret IS 'what the customer told us'");
    String[] forward = {"--table", "tool_undo_plain", "--convert-to-bytea", "--drop-old",
        "--job-table", "tool_undo_plain_jobs", "--batch-size", "300", "--range-rows", "1000"};
    assertThat(fx.run("encrypt-existing", forward)).isZero();
    assertThat(fx.columnTypes("tool_undo_plain")).containsEntry("secret", "bytea NOT NULL")
        .containsEntry("note", "bytea");

    String[] back = {"--table", "tool_undo_plain", "--convert-to-text", "--job-table",
        "tool_undo_plain_jobs", "--batch-size", "300", "--range-rows", "1000"};
    ToolFixture.Output undo = fx.runCapturingErr("decrypt-column", back);

    assertThat(undo.exit()).as(undo.text()).isZero();
    assertThat(undo.text()).containsOnlyOnce("swapped [secret, note]");
    assertThat(fx.columnTypes("tool_undo_plain")).containsEntry("secret", "text NOT NULL")
        .containsEntry("note", "character varying")
        .containsEntry("secret__veil_cells", "bytea").containsEntry("note__veil_cells", "bytea")
        .doesNotContainKeys("secret__veil_plain", "note__veil_plain");
    assertThat(fx.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid ="
        + " 'tool_undo_plain'::regclass")).isZero();
    assertThat(fx.scalar("SELECT count(*) FROM pg_proc WHERE proname ="
        + " 'tool_undo_plain__veil_to_text'")).isZero();
    assertThat(fx.scalar("SELECT count(*) FROM tool_undo_plain_jobs_conversions_to_text WHERE"
        + " table_name = 'tool_undo_plain' AND state = 'swapped'")).isEqualTo(2);
    assertThat(fx.scalar("SELECT count(*) FROM tool_undo_plain_jobs_conversions WHERE"
        + " table_name = 'tool_undo_plain'")).as("the conversion to bytea is undone").isZero();
    assertThat(fx.text("SELECT col_description('tool_undo_plain'::regclass, attnum) FROM"
        + " pg_attribute WHERE attrelid = 'tool_undo_plain'::regclass AND attname = 'secret'"))
        .isEqualTo("what the customer told us");
    assertPlaintextThroughPgjdbc("tool_undo_plain", rows);

    String raw = rawDigest("tool_undo_plain");
    assertThat(fx.run("decrypt-column", back)).as("a second run").isZero();
    assertThat(rawDigest("tool_undo_plain")).as("a second run changes nothing").isEqualTo(raw);
    assertThat(fx.run("decrypt-column", ToolFixture.concat(back, "--drop-old"))).isZero();
    assertThat(fx.columnTypes("tool_undo_plain")).containsOnlyKeys("id", "secret", "note",
        "other");
    assertThat(rawDigest("tool_undo_plain")).isEqualTo(raw);

    // Undone for good: the same column converts to bytea again from the start.
    assertThat(fx.run("encrypt-existing", ToolFixture.concat(forward, "--restart"))).isZero();
    assertThat(fx.columnTypes("tool_undo_plain")).containsEntry("secret", "bytea NOT NULL")
        .containsEntry("note", "bytea");
  }

  @Test
  void killedDuringTheFillItResumesAndSwapsOnceWithWhatTheApplicationWroteMeanwhile()
      throws Exception {
    int rows = 40_000;
    createTable("tool_undo_kill", rows);
    String[] forward = {"--table", "tool_undo_kill", "--columns", "secret", "--convert-to-bytea",
        "--drop-old", "--job-table", "tool_undo_kill_jobs", "--batch-size", "1000",
        "--range-rows", "10000"};
    assertThat(fx.run("encrypt-existing", forward)).isZero();
    Path out = Files.createTempFile("veil-undo", ".log");
    String[] back = {"--table", "tool_undo_kill", "--columns", "secret", "--convert-to-text",
        "--job-table", "tool_undo_kill_jobs", "--batch-size", "500", "--range-rows", "5000"};

    Process first = fx.start(out, "decrypt-column", back);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (first.isAlive() && filled("tool_undo_kill") < rows / 4
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long filledAtKill = filled("tool_undo_kill");
    assertThat(filledAtKill).as("killed during the fill").isBetween(1L, rows - 1L);
    assertThat(fx.columnTypes("tool_undo_kill")).containsEntry("secret", "bytea NOT NULL")
        .containsEntry("secret__veil_plain", "text");
    Map<Long, String> secrets = new HashMap<>();
    for (long id = 1; id <= rows; id++) {
      secrets.put(id, secretOf(id));
    }
    assertThat(fx.scalar("SELECT count(*) FROM tool_undo_kill WHERE id <= 50 AND"
        + " secret__veil_plain IS NOT NULL")).as("filled before the kill").isEqualTo(50);
    try (Connection app = fx.veil(); PreparedStatement update = app.prepareStatement(
        "UPDATE tool_undo_kill SET secret = ? WHERE id = ?")) {
      // The application writes cells through Veil meanwhile, into rows the fill had done.
      for (long id = 1; id <= 50; id++) {
        secrets.put(id, "changed during the conversion " + id);
        update.setString(1, secrets.get(id));
        update.setLong(2, id);
        assertThat(update.executeUpdate()).isEqualTo(1);
      }
    }
    assertThat(fx.scalar("SELECT count(*) FROM tool_undo_kill WHERE id <= 50 AND"
        + " secret__veil_plain IS NULL")).as("the trigger empties the shadows it changes")
        .isEqualTo(50);
    long inserted = rows + 1L;
    secrets.put(inserted, "inserted during the conversion");
    try (Connection app = fx.veil(); PreparedStatement insert = app.prepareStatement(
        "INSERT INTO tool_undo_kill (id, secret) VALUES (?, ?)")) {
      insert.setLong(1, inserted);
      insert.setString(2, secrets.get(inserted));
      assertThat(insert.executeUpdate()).isEqualTo(1);
    }

    Process second = fx.start(out, "decrypt-column", back);
    assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(second.exitValue()).as(Files.readString(out)).isZero();
    assertThat(Files.readString(out)).containsOnlyOnce("swapped [secret]")
        .containsOnlyOnce("added [secret__veil_plain]");
    assertThat(fx.columnTypes("tool_undo_kill")).containsEntry("secret", "text NOT NULL")
        .containsEntry("secret__veil_cells", "bytea").doesNotContainKey("secret__veil_plain");
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret FROM tool_undo_kill")) {
      int n = 0;
      while (rs.next()) {
        assertThat(rs.getString(2)).as("secret of %d", rs.getLong(1))
            .isEqualTo(secrets.get(rs.getLong(1)));
        n++;
      }
      assertThat(n).isEqualTo(rows + 1);
    }
  }

  @Test
  void workersStartedTogetherConvertBackToTextAndSwapOnce() throws Exception {
    int workers = 3;
    int rows = 600;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(workers);
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    try {
      for (int round = 1; round <= 3; round++) {
        createTable("tool_undo_workers", rows);
        assertThat(fx.run("encrypt-existing", "--table", "tool_undo_workers",
            "--convert-to-bytea", "--drop-old", "--job-table", "tool_undo_workers_jobs"))
            .isZero();
        System.setErr(new java.io.PrintStream(captured, true,
            java.nio.charset.StandardCharsets.UTF_8));
        captured.reset();
        java.util.concurrent.CyclicBarrier start =
            new java.util.concurrent.CyclicBarrier(workers);
        java.util.List<java.util.concurrent.Future<Integer>> exits = new java.util.ArrayList<>();
        for (int w = 0; w < workers; w++) {
          String worker = "w" + w;
          long pause = w == 0 ? 0
              : java.util.concurrent.ThreadLocalRandom.current().nextLong(300);
          exits.add(pool.submit(() -> {
            start.await();
            Thread.sleep(pause);
            return fx.run("decrypt-column", "--table", "tool_undo_workers",
                "--convert-to-text", "--job-table", "tool_undo_workers_jobs", "--batch-size",
                "50", "--range-rows", "100", "--worker", worker);
          }));
        }
        for (java.util.concurrent.Future<Integer> exit : exits) {
          assertThat(exit.get(5, TimeUnit.MINUTES)).as("round %d: %s", round,
              captured.toString(java.nio.charset.StandardCharsets.UTF_8)).isZero();
        }
        System.setErr(err);
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8))
            .as("round %d", round).containsOnlyOnce("added [secret__veil_plain]")
            .containsOnlyOnce("swapped [secret]");
        assertThat(fx.columnTypes("tool_undo_workers")).containsEntry("secret", "text NOT NULL")
            .containsEntry("secret__veil_cells", "bytea")
            .doesNotContainKey("secret__veil_plain");
        try (Connection c = fx.plain(); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT id, secret FROM tool_undo_workers")) {
          int n = 0;
          while (rs.next()) {
            assertThat(rs.getString(2)).isEqualTo(secretOf(rs.getLong(1)));
            n++;
          }
          assertThat(n).isEqualTo(rows);
        }
      }
    } finally {
      System.setErr(err);
      pool.shutdownNow();
    }
  }

  /** Rows whose text shadow is filled (0 before the shadow exists). */
  private long filled(String table) throws SQLException {
    try {
      return fx.scalar("SELECT count(secret__veil_plain) FROM " + table);
    } catch (SQLException e) {
      if ("42703".equals(e.getSQLState())) {
        return 0;
      }
      throw e;
    }
  }

  /** Every row read with plain pgjdbc, no Veil: the plaintext as it was before Veil. */
  private void assertPlaintextThroughPgjdbc(String table, int rows) throws SQLException {
    Map<Long, String[]> seen = new HashMap<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret, note FROM " + table)) {
      while (rs.next()) {
        seen.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
      }
    }
    assertThat(seen).hasSize(rows);
    for (long id = 1; id <= rows; id++) {
      assertThat(seen.get(id)).as("row %d", id).containsExactly(secretOf(id), noteOf(id));
    }
  }

  private String rawDigest(String table) throws SQLException {
    return fx.text("SELECT md5(string_agg(format('%s|%s|%s', id, secret, note), ',' ORDER BY id))"
        + " FROM " + table);
  }
}
