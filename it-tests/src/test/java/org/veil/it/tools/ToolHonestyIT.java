package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.veil.tools.Veil;

/**
 * What the tools say is true: a job is reported done only when its table holds nothing left to
 * do, a dry run writes nothing, and the exit code tells "run it again" from "fix it first".
 */
class ToolHonestyIT {

  private static final String RESUME_LINE = "Nothing is lost: every batch that committed stays"
      + " done; run the same command again to resume.";

  private final ToolFixture fx = new ToolFixture("hon_recreated.secret, hon_after.secret,"
      + " hon_dry.secret, hon_dry.photo, hon_idx.secret, hon_int.secret", "tools-honesty");

  private void createPlaintext(String table, int rows) throws SQLException {
    fx.exec("DROP TABLE IF EXISTS " + table + " CASCADE",
        "CREATE TABLE " + table + " (id bigint PRIMARY KEY, secret text)",
        "INSERT INTO " + table + " SELECT g, 'plain ' || g FROM generate_series(1, " + rows
            + ") g");
  }

  private void dropJobTable(String jobTable) throws SQLException {
    fx.exec("DROP TABLE IF EXISTS " + jobTable + "_progress, " + jobTable + "_ranges, "
        + jobTable + "_conversions, " + jobTable + " CASCADE");
  }

  private long plaintextLeft(String table) throws SQLException {
    return fx.scalar("SELECT count(*) FROM " + table + " WHERE secret NOT LIKE 'veil:%'");
  }

  // -- a finished job is done only when its table is -----------------------------------------

  @Test
  void recreatedTableIsNotReportedDone() throws Exception {
    String jobs = "hon_recreated_jobs";
    dropJobTable(jobs);
    createPlaintext("hon_recreated", 500);
    assertThat(fx.run("encrypt-existing", "--table", "hon_recreated", "--job-table", jobs,
        "--no-guard")).isZero();
    assertThat(plaintextLeft("hon_recreated")).isZero();

    // Dropped, created again and reloaded with plaintext: the job's rows are no longer there.
    createPlaintext("hon_recreated", 700);
    ToolFixture.Output rerun = fx.runCapturingErr("encrypt-existing", "--table",
        "hon_recreated", "--job-table", jobs, "--no-guard");

    assertThat(rerun.text()).contains("table public.hon_recreated is not the table job"
        + " encrypt-existing public.hon_recreated secret ran on (it was recreated")
        .contains("starting a new job").doesNotContain("finished already");
    assertThat(plaintextLeft("hon_recreated")).as("plaintext cells left").isZero();
    assertThat(rerun.exit()).as(rerun.text()).isZero();
  }

  @Test
  void finishedJobWithPlaintextWrittenAfterwardsWithoutVeilIsNotReportedDone()
      throws Exception {
    String jobs = "hon_after_jobs";
    dropJobTable(jobs);
    createPlaintext("hon_after", 300);
    assertThat(fx.run("encrypt-existing", "--table", "hon_after", "--job-table", jobs,
        "--no-guard")).isZero();
    fx.exec("INSERT INTO hon_after VALUES (1001, 'written by psql'), (1002, 'and another')",
        "UPDATE hon_after SET secret = 'overwritten by psql' WHERE id = 7");

    ToolFixture.Output rerun = fx.runCapturingErr("encrypt-existing", "--table", "hon_after",
        "--job-table", jobs, "--no-guard");

    assertThat(rerun.text()).contains("finished before, but 3 rows of public.hon_after were"
        + " left to do or written since: starting a new job");
    assertThat(plaintextLeft("hon_after")).as("plaintext cells left").isZero();
    assertThat(rerun.exit()).as(rerun.text()).isZero();

    ToolFixture.Output third = fx.runCapturingErr("encrypt-existing", "--table", "hon_after",
        "--job-table", jobs, "--no-guard");
    assertThat(third.exit()).isZero();
    assertThat(third.text()).contains("finished already").contains("no row of"
        + " public.hon_after is left to do");
  }

  @Test
  void finishedDecryptJobWithCellsWrittenAfterwardsIsNotReportedDone() throws Exception {
    String jobs = "hon_after_jobs";
    dropJobTable(jobs);
    createPlaintext("hon_after", 200);
    assertThat(fx.run("encrypt-existing", "--table", "hon_after", "--job-table", jobs,
        "--no-guard")).isZero();
    String cell;
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT secret FROM hon_after WHERE id = 5")) {
      rs.next();
      cell = rs.getString(1);
    }
    assertThat(fx.run("decrypt-column", "--table", "hon_after", "--job-table", jobs)).isZero();
    assertThat(plaintextLeft("hon_after")).isEqualTo(200);
    // A cell copied back by hand (a restore from a backup taken while the column was sealed).
    fx.exec("UPDATE hon_after SET secret = '" + cell + "' WHERE id = 5");

    ToolFixture.Output rerun = fx.runCapturingErr("decrypt-column", "--table", "hon_after",
        "--job-table", jobs);

    assertThat(rerun.exit()).as(rerun.text()).isZero();
    assertThat(rerun.text()).contains("finished before, but 1 rows of public.hon_after");
    assertThat(fx.scalar("SELECT count(*) FROM hon_after WHERE secret LIKE 'veil:%'")).isZero();
    assertThat(fx.scalar("SELECT count(*) FROM hon_after WHERE id = 5 AND secret = 'plain 5'"))
        .isEqualTo(1);
  }

  @Test
  void finishedRotationWithACellUnderTheRetiredKeyWrittenAfterwardsIsNotReportedDone()
      throws Exception {
    String jobs = "hon_after_jobs";
    dropJobTable(jobs);
    createPlaintext("hon_after", 100);
    assertThat(fx.run("encrypt-existing", "--table", "hon_after", "--job-table", jobs,
        "--no-guard")).isZero();
    String retired = list(fx.plain(), "SELECT key_id::text FROM veil_keys WHERE keyring = '"
        + fx.keyring + "' AND purpose = 'branch' AND active");
    String oldCell = list(fx.plain(), "SELECT secret FROM hon_after WHERE id = 9");
    assertThat(fx.run("rotate-branch", "--table", "hon_after", "--job-table", jobs,
        "--retire", retired)).isZero();
    assertThat(list(fx.plain(), "SELECT secret FROM hon_after WHERE id = 9"))
        .isNotEqualTo(oldCell);
    // A cell under the retired key, copied back by hand (a row restored from a backup).
    fx.exec("UPDATE hon_after SET secret = '" + oldCell + "' WHERE id = 9");

    ToolFixture.Output rerun = fx.runCapturingErr("rotate-branch", "--table", "hon_after",
        "--job-table", jobs, "--retire", retired);

    assertThat(rerun.exit()).as(rerun.text()).isZero();
    assertThat(rerun.text()).contains("finished before, but 1 rows of public.hon_after");
    assertThat(list(fx.plain(), "SELECT secret FROM hon_after WHERE id = 9"))
        .isNotEqualTo(oldCell).startsWith("veil:");
    ToolFixture.Output third = fx.runCapturingErr("rotate-branch", "--table", "hon_after",
        "--job-table", jobs, "--retire", retired);
    assertThat(third.exit()).isZero();
    assertThat(third.text()).contains("finished already");
  }

  // -- a dry run writes nothing --------------------------------------------------------------

  /** Everything a dry run could write, as text: the data, this keyring's keys, the job tables. */
  private List<String> snapshot(String table, String jobs) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = fx.plain()) {
      rows.add("columns: " + list(c, "SELECT string_agg(attname || ' ' || format_type(atttypid,"
          + " atttypmod), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '" + table
          + "'::regclass AND attnum > 0 AND NOT attisdropped"));
      rows.add("constraints: " + list(c, "SELECT string_agg(conname, ', ' ORDER BY conname)"
          + " FROM pg_constraint WHERE conrelid = '" + table + "'::regclass"));
      rows.add("triggers: " + list(c, "SELECT string_agg(tgname, ', ' ORDER BY tgname)"
          + " FROM pg_trigger WHERE tgrelid = '" + table + "'::regclass"));
      rows.add("data: " + list(c, "SELECT string_agg(t::text, ' | ' ORDER BY t::text) FROM "
          + table + " t"));
      rows.add("keys: " + list(c, "SELECT string_agg(k::text, ' | ' ORDER BY k::text) FROM"
          + " veil_keys k WHERE keyring = '" + fx.keyring + "'"));
      for (String t : List.of(jobs, jobs + "_ranges", jobs + "_progress",
          jobs + "_conversions")) {
        rows.add(t + ": " + (list(c, "SELECT to_regclass('" + t + "')") == null ? "absent"
            : list(c, "SELECT string_agg(t::text, ' | ' ORDER BY t::text) FROM " + t + " t")));
      }
    }
    return rows;
  }

  private static String list(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private void createDry() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS hon_dry CASCADE",
        "CREATE TABLE hon_dry (id bigint PRIMARY KEY, secret text, photo bytea)",
        "INSERT INTO hon_dry SELECT g, 'plain ' || g, convert_to('photo ' || g, 'UTF8')"
            + " FROM generate_series(1, 50) g");
  }

  @Test
  void dryRunOfEncryptExistingOnANewKeyringCreatesNoKeyAndNoJob() throws Exception {
    String jobs = "hon_dry_jobs";
    dropJobTable(jobs);
    createDry();
    List<String> before = snapshot("hon_dry", jobs);
    assertThat(before).contains("keys: null", jobs + ": absent");

    ToolFixture.Output dry = fx.runCapturingErr("encrypt-existing", "--table", "hon_dry",
        "--job-table", jobs, "--dry-run");

    assertThat(dry.exit()).as(dry.text()).isZero();
    assertThat(snapshot("hon_dry", jobs)).isEqualTo(before);
    assertThat(dry.text()).contains("50 rows seen, 50 rewritten")
        .contains("a real run would first create the branch key")
        .contains("of keyring " + fx.keyring);
  }

  @Test
  void dryRunOfEncryptExistingConvertingToByteaWritesNothing() throws Exception {
    String jobs = "hon_dry_jobs";
    dropJobTable(jobs);
    createDry();
    List<String> before = snapshot("hon_dry", jobs);

    ToolFixture.Output dry = fx.runCapturingErr("encrypt-existing", "--table", "hon_dry",
        "--job-table", jobs, "--convert-to-bytea", "--dry-run");

    assertThat(dry.exit()).as(dry.text()).isZero();
    assertThat(snapshot("hon_dry", jobs)).isEqualTo(before);
    assertThat(dry.text()).contains("secret: text, to convert to bytea: not started");
  }

  @Test
  void dryRunsOfDecryptColumnAndRotateBranchWriteNothing() throws Exception {
    String jobs = "hon_dry_jobs";
    dropJobTable(jobs);
    createDry();
    assertThat(fx.run("encrypt-existing", "--table", "hon_dry", "--job-table", jobs))
        .isZero();
    String active = list(fx.plain(), "SELECT key_id::text FROM veil_keys WHERE keyring = '"
        + fx.keyring + "' AND purpose = 'branch' AND active");
    List<String> before = snapshot("hon_dry", jobs);

    ToolFixture.Output decrypt = fx.runCapturingErr("decrypt-column", "--table", "hon_dry",
        "--job-table", jobs, "--dry-run");
    assertThat(decrypt.exit()).as(decrypt.text()).isZero();
    assertThat(snapshot("hon_dry", jobs)).as("after decrypt-column --dry-run")
        .isEqualTo(before);

    ToolFixture.Output rotate = fx.runCapturingErr("rotate-branch", "--table", "hon_dry",
        "--job-table", jobs, "--retire", active, "--dry-run");
    assertThat(rotate.exit()).as(rotate.text()).isZero();
    assertThat(snapshot("hon_dry", jobs)).as("after rotate-branch --dry-run")
        .isEqualTo(before);
    assertThat(rotate.text()).contains("50 rows seen, 50 rewritten");

    ToolFixture.Output master = fx.runCapturingErr("rotate-master", "--to",
        ToolFixture.newMasterKeyFile().toString(), "--dry-run");
    assertThat(master.exit()).as(master.text()).isZero();
    assertThat(snapshot("hon_dry", jobs)).as("after rotate-master --dry-run")
        .isEqualTo(before);
  }

  // -- exit codes ----------------------------------------------------------------------------

  @Test
  void anIndexOnAColumnToConvertIsRefusedWithoutTheResumeLine() throws Exception {
    String jobs = "hon_idx_jobs";
    dropJobTable(jobs);
    createPlaintext("hon_idx", 10);
    fx.exec("CREATE INDEX hon_idx_secret ON hon_idx (secret)");

    ToolFixture.Output refused = fx.runCapturingErr("encrypt-existing", "--table", "hon_idx",
        "--job-table", jobs, "--convert-to-bytea");

    assertThat(refused.exit()).as(refused.text()).isEqualTo(Veil.REFUSED);
    assertThat(refused.text()).contains("is used by index hon_idx_secret")
        .doesNotContain(RESUME_LINE);
  }

  @Test
  void anUnknownColumnIsRefusedWithoutTheResumeLine() throws Exception {
    createPlaintext("hon_idx", 10);

    ToolFixture.Output refused = fx.runCapturingErr("encrypt-existing", "--table", "hon_idx",
        "--columns", "no_such_column");

    assertThat(refused.exit()).as(refused.text()).isEqualTo(Veil.REFUSED);
    assertThat(refused.text()).contains("no_such_column").doesNotContain(RESUME_LINE);
  }

  @Test
  void statusOnAMissingTableIsRefusedWithoutTheResumeLine() throws Exception {
    fx.exec("DROP TABLE IF EXISTS hon_missing");

    ToolFixture.Output refused = fx.runCapturingErr("status", "--table", "hon_missing");

    assertThat(refused.exit()).as(refused.text()).isEqualTo(Veil.REFUSED);
    assertThat(refused.text()).contains("hon_missing").doesNotContain(RESUME_LINE);
  }

  @Test
  void badCredentialsAreRefusedWithoutTheResumeLine() throws Exception {
    createPlaintext("hon_idx", 10);
    List<String> args = fx.args("encrypt-existing", "--table", "hon_idx",
        "--password=not-the-password", "--progress=none");
    ToolFixture.Output refused = capturingErr(() -> Veil.run(args.toArray(String[]::new)));

    assertThat(refused.exit()).as(refused.text()).isEqualTo(Veil.REFUSED);
    assertThat(refused.text()).contains("28P01").doesNotContain(RESUME_LINE);
  }

  @Test
  void anInterruptedJobExitsWithOneAndTheResumeLineAndResumes() throws Exception {
    String jobs = "hon_int_jobs";
    dropJobTable(jobs);
    createPlaintext("hon_int", 2000);
    String name = "veil-tool-hon-int-" + Long.toHexString(System.nanoTime());
    // A slow job, so that it is still running when its connections are cut.
    CompletableFuture<ToolFixture.Output> run = CompletableFuture.supplyAsync(() ->
        fx.runCapturingErr("encrypt-existing", "--table", "hon_int", "--job-table", jobs,
            "--no-guard", "--batch-size", "10", "--rate", "200", "-DApplicationName=" + name));
    waitFor("SELECT count(*) FROM " + jobs + "_progress WHERE rows_seen > 0", run);
    assertThat(fx.scalar("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM"
        + " pg_stat_activity WHERE application_name = '" + name + "') t")).isPositive();

    ToolFixture.Output interrupted = run.get(60, TimeUnit.SECONDS);

    assertThat(interrupted.exit()).as(interrupted.text()).isEqualTo(Veil.FAILED);
    assertThat(interrupted.text()).contains(RESUME_LINE);
    assertThat(plaintextLeft("hon_int")).isPositive();
    ToolFixture.Output resumed = fx.runCapturingErr("encrypt-existing", "--table", "hon_int",
        "--job-table", jobs, "--no-guard");
    assertThat(resumed.exit()).as(resumed.text()).isZero();
    assertThat(resumed.text()).doesNotContain("planned job");
    assertThat(plaintextLeft("hon_int")).isZero();
  }

  private void waitFor(String countQuery, CompletableFuture<?> running) throws Exception {
    for (int i = 0; i < 600; i++) {
      if (running.isDone()) {
        throw new AssertionError("the job ended before it could be interrupted: "
            + running.get());
      }
      try {
        if (fx.scalar(countQuery) > 0) {
          return;
        }
      } catch (SQLException e) {
        if (!"42P01".equals(e.getSQLState())) { // the job table is not there yet
          throw e;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the job did not start: " + countQuery);
  }

  private static ToolFixture.Output capturingErr(java.util.function.IntSupplier tool) {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    try {
      System.setErr(new java.io.PrintStream(captured, true,
          java.nio.charset.StandardCharsets.UTF_8));
      int exit = tool.getAsInt();
      return new ToolFixture.Output(exit, captured.toString(
          java.nio.charset.StandardCharsets.UTF_8));
    } finally {
      System.setErr(err);
    }
  }
}
