package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The counts a job prints and records add up to what it did, across a kill and a resume: each
 * row counted once, by what became of it, and cells (a deterministic cell that a branch
 * rotation leaves alone, NULLs) never counted as rows.
 */
class JobCountsIT {

  private static final int ROWS = 100_000;
  /** Rows whose secret is NULL: nothing under a branch key, so nothing for a rotation to do. */
  private static final int NULL_SECRETS = ROWS / 10;

  private final ToolFixture fx = new ToolFixture(
      "tool_counts.secret, tool_counts.email:deterministic", "tools-counts");

  private static final Pattern WORKER = Pattern.compile("this worker: (\\d+) rows seen, (\\d+)"
      + " rewritten, (\\d+) already done, (\\d+) left as they are, (\\d+) deleted meanwhile");

  @Test
  void aResumedRotateBranchCountsEachRowOnceAndItsCountsAddUpToTheTable() throws Exception {
    fx.exec("DROP TABLE IF EXISTS tool_counts",
        "CREATE TABLE tool_counts (id integer PRIMARY KEY, secret text, email text, other int)",
        "INSERT INTO tool_counts SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'secret ' || g"
            + " END, CASE WHEN g % 7 = 0 THEN NULL ELSE 'user' || g || '@example.com' END, g"
            + " FROM generate_series(1, " + ROWS + ") g",
        "DROP TABLE IF EXISTS tool_counts_seal, tool_counts_seal_ranges,"
            + " tool_counts_seal_progress, tool_counts_jobs, tool_counts_jobs_ranges,"
            + " tool_counts_jobs_progress CASCADE");
    ToolFixture.Output sealed = fx.runCapturingErr("encrypt-existing", "--table", "tool_counts",
        "--job-table", "tool_counts_seal", "--no-guard");
    assertThat(sealed.exit()).as(sealed.text()).isZero();
    // Rows with both values NULL (id % 70 = 0) need nothing; every other row gets sealed.
    int bothNull = ROWS / 70;
    assertThat(sealed.text()).contains("finished: " + ROWS + " rows seen, " + (ROWS - bothNull)
        + " rewritten, " + bothNull + " already done, 0 left as they are, 0 deleted meanwhile");

    UUID retired = activeBranchKey();
    String[] rotate = {"--table", "tool_counts", "--retire", retired.toString(), "--job-table",
        "tool_counts_jobs", "--batch-size", "500", "--range-rows", "5000"};
    Path out = Files.createTempFile("veil-counts", ".log");
    Process killed = fx.start(out, "rotate-branch", rotate);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (killed.isAlive() && rowsSeen() < ROWS / 3 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    killed.destroyForcibly();
    assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long seenBeforeKill = rowsSeen();
    assertThat(seenBeforeKill).as("killed in the middle (%s)", Files.readString(out))
        .isBetween(1L, ROWS - 1L);

    ToolFixture.Output resumed = fx.runCapturingErr("rotate-branch", rotate);
    assertThat(resumed.exit()).as(resumed.text()).isZero();

    long rewritten = ROWS - NULL_SECRETS;
    assertThat(resumed.text()).as("the job's counts, over both runs").contains("finished: "
        + ROWS + " rows seen, " + rewritten + " rewritten, " + NULL_SECRETS + " already done,"
        + " 0 left as they are, 0 deleted meanwhile");
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sum(rows_seen), sum(rows_changed),"
            + " sum(rows_already_done), sum(rows_left_failed), sum(rows_gone)"
            + " FROM tool_counts_jobs_progress")) {
      assertThat(rs.next()).isTrue();
      assertThat(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
          rs.getLong(5)}).as("recorded: seen, rewritten, already done, left, gone")
          .containsExactly(ROWS, rewritten, NULL_SECRETS, 0, 0);
    }
    Matcher worker = WORKER.matcher(resumed.text());
    assertThat(worker.find()).as(resumed.text()).isTrue();
    long seen = Long.parseLong(worker.group(1));
    assertThat(seen).as("the resumed worker saw the rows the killed one had not")
        .isEqualTo(ROWS - seenBeforeKill);
    assertThat(Long.parseLong(worker.group(2)) + Long.parseLong(worker.group(3))
        + Long.parseLong(worker.group(4)) + Long.parseLong(worker.group(5)))
        .as("the resumed worker's rows, by what became of them").isEqualTo(seen);
  }

  private long rowsSeen() throws SQLException {
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(sum(rows_seen), 0)"
            + " FROM tool_counts_jobs_progress")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return 0;
      }
      throw e;
    }
  }

  private UUID activeBranchKey() throws SQLException {
    try (Connection c = fx.plain(); PreparedStatement ps = c.prepareStatement(
        "SELECT key_id FROM veil_keys WHERE keyring = ? AND purpose = 'branch' AND active")) {
      ps.setString(1, fx.keyring);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getObject(1, UUID.class);
      }
    }
  }
}
