package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The job survives real process kills and shares work between processes: the tool runs as a
 * child {@code java} process, killed with SIGKILL at random points.
 */
class ResumeIT {

  private final ToolFixture fx = new ToolFixture("tool_resume.secret, tool_workers.secret",
      "tools-resume");

  private void createTable(String table, int rows) throws SQLException {
    fx.exec("DROP TABLE IF EXISTS " + table,
        "CREATE TABLE " + table + " (id integer PRIMARY KEY, secret text, other int)",
        "INSERT INTO " + table + " SELECT g, 'secret ' || g || ' ' || md5(g::text), g"
            + " FROM generate_series(1, " + rows + ") g",
        "DROP TABLE IF EXISTS " + table + "_jobs, " + table + "_jobs_ranges, " + table
            + "_jobs_progress CASCADE");
  }

  @Test
  void killedThreeTimesAtRandomPointsTheJobFinishesWithEveryRowSealedOnceAndIntact()
      throws Exception {
    int rows = 200_000;
    createTable("tool_resume", rows);
    byte[] before = plaintextDigest(fx.plain(), "tool_resume");
    Path out = Files.createTempFile("veil-resume", ".log");
    String[] job = {"--table", "tool_resume", "--job-table", "tool_resume_jobs",
        "--batch-size", "500", "--range-rows", "10000"};
    List<Long> seenAfterKill = new ArrayList<>();
    for (int kill = 0; kill < 3; kill++) {
      Process p = fx.start(out, "encrypt-existing", job);
      // Kill at a random point of the work, judged by committed progress rather than by wall
      // time, so that a faster job is still killed before its end: in the k-th quarter.
      long target = rows * kill / 4 + ThreadLocalRandom.current().nextLong(rows / 5);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (p.isAlive() && progress("tool_resume_jobs")[0] < target
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      seenAfterKill.add(progress("tool_resume_jobs")[0]);
    }
    Process last = fx.start(out, "encrypt-existing", job);
    assertThat(last.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(last.exitValue()).as(Files.readString(out)).isZero();

    assertThat(seenAfterKill).as("progress committed before each kill").isSorted();
    assertThat(seenAfterKill.get(seenAfterKill.size() - 1)).as("killed before the end")
        .isLessThan(rows);
    long[] progress = progress("tool_resume_jobs");
    assertThat(progress[0]).as("rows seen: a committed batch is never done again")
        .isEqualTo(rows);
    assertThat(progress[1]).as("rows sealed").isEqualTo(rows);
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM tool_resume"
            + " WHERE secret NOT LIKE 'veil:%'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("plaintext left").isZero();
    }
    Properties strict = fx.veilSettings(fx.keyFile);
    strict.setProperty("veil.plaintextReads", "deny");
    assertThat(plaintextDigest(fx.server.veilConnection(strict), "tool_resume"))
        .as("SHA-256 of every (id, plaintext) in key order").isEqualTo(before);
  }

  @Test
  void twoWorkerProcessesShareAJobWithNoRangeDoneTwice() throws Exception {
    int rows = 100_000;
    createTable("tool_workers", rows);
    byte[] before = plaintextDigest(fx.plain(), "tool_workers");
    Path out = Files.createTempFile("veil-workers", ".log");
    String[] job = {"--table", "tool_workers", "--job-table", "tool_workers_jobs",
        "--batch-size", "500", "--range-rows", "5000"};
    Process one = fx.start(out, "encrypt-existing",
        ToolFixture.concat(job, "--worker", "worker-one"));
    Process two = fx.start(out, "encrypt-existing",
        ToolFixture.concat(job, "--worker", "worker-two"));
    assertThat(one.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(two.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(one.exitValue()).as(Files.readString(out)).isZero();
    assertThat(two.exitValue()).as(Files.readString(out)).isZero();

    Set<String> workers = new HashSet<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT range_no, workers, rows_seen, done"
            + " FROM tool_workers_jobs_progress")) {
      int ranges = 0;
      while (rs.next()) {
        String[] w = (String[]) rs.getArray(2).getArray();
        assertThat(w).as("workers of range %d", rs.getInt(1)).hasSize(1);
        assertThat(rs.getBoolean(4)).isTrue();
        workers.add(w[0]);
        ranges++;
      }
      assertThat(ranges).isEqualTo(rows / 5000 + 1);
    }
    assertThat(workers).as("both workers took ranges").containsExactlyInAnyOrder(
        "worker-one", "worker-two");
    assertThat(progress("tool_workers_jobs")).containsExactly(rows, rows);
    Properties strict = fx.veilSettings(fx.keyFile);
    strict.setProperty("veil.plaintextReads", "deny");
    assertThat(plaintextDigest(fx.server.veilConnection(strict), "tool_workers"))
        .isEqualTo(before);
  }

  /** Sum of rows seen and rows changed over the job's ranges (0, 0 before it is planned). */
  private long[] progress(String jobTable) throws SQLException {
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(sum(rows_seen), 0),"
            + " coalesce(sum(rows_changed), 0) FROM " + jobTable + "_progress")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return new long[] {0, 0};
      }
      throw e;
    }
  }

  /** SHA-256 over (id, secret) in id order, read through {@code c} (which it closes). */
  private static byte[] plaintextDigest(Connection c, String table) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (c; Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.setFetchSize(5000);
      try (ResultSet rs = s.executeQuery("SELECT id, secret FROM " + table + " ORDER BY id")) {
        while (rs.next()) {
          digest.update((rs.getInt(1) + "=" + rs.getString(2) + "\n")
              .getBytes(StandardCharsets.UTF_8));
        }
      }
      c.commit();
    }
    return digest.digest();
  }
}
