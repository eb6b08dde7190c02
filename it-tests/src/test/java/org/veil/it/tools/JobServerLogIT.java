package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the jobs send reaches the server's log when statement or parameter logging is on (the
 * shared test server runs with {@code log_statement=all} and every parameter logged in full):
 * no plaintext of an encrypted column may be among it, neither as text nor as the hex of a
 * bytea parameter. The plaintext values are made by the server from a seed, so that no
 * statement of the test itself carries them either.
 */
class JobServerLogIT {

  private final ToolFixture fx = new ToolFixture("tool_log.secret, tool_log.photo:bind=id,"
      + " tool_log_race.secret, tool_log_conv.secret, tool_log_dec.secret", "tools-log");

  /** 32 lower-case hex digits: every plaintext of these tables is one, alone or as UTF-8. */
  private static final Pattern HEX_RUN = Pattern.compile("[0-9a-f]{32,}");

  private void createTable(String table, int rows) throws SQLException {
    String seed = Long.toHexString(System.nanoTime());
    fx.exec("DROP TABLE IF EXISTS " + table + " CASCADE",
        "CREATE TABLE " + table + " (id bigint PRIMARY KEY, secret text, photo bytea, other int)",
        "INSERT INTO " + table + " SELECT g, md5(g || ':" + seed + "'),"
            + " convert_to(md5(g || ';" + seed + "'), 'UTF8'), g"
            + " FROM generate_series(1, " + rows + ") g",
        "DROP TABLE IF EXISTS " + table + "_jobs, " + table + "_jobs_ranges, " + table
            + "_jobs_progress, " + table + "_jobs_conversions CASCADE");
  }

  /**
   * The values of column 1 of {@code sql} read on {@code c} (which it closes), text or bytea
   * (as UTF-8): plaintext when read plain before a job, or through Veil after it.
   */
  private static Set<String> values(Connection c, String sql) throws SQLException {
    Set<String> values = new HashSet<>();
    try (c; Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      boolean bytes = rs.getMetaData().getColumnType(1) == java.sql.Types.BINARY;
      while (rs.next()) {
        values.add(bytes ? new String(rs.getBytes(1), StandardCharsets.UTF_8) : rs.getString(1));
      }
    }
    assertThat(values).isNotEmpty().allSatisfy(v -> assertThat(v).matches("[0-9a-f]{32}"));
    return values;
  }

  private Path serverLog() {
    return fx.server.serverLog().orElseThrow(() -> new AssertionError(
        "these tests read the server's log; this fixture server offers none"));
  }

  /** What the server logged from {@code offset} on. */
  private static String logFrom(Path log, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      f.seek(offset);
      byte[] bytes = new byte[(int) (f.length() - offset)];
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /**
   * The plaintext values found in {@code log}: as they are, or as the hex of their UTF-8 (a
   * bytea parameter), anywhere inside a run of hex digits.
   */
  private static List<String> leaked(String log, Set<String> plaintexts) {
    HexFormat hex = HexFormat.of();
    Map<String, String> byHex = new LinkedHashMap<>();
    plaintexts.forEach(p -> byHex.put(hex.formatHex(p.getBytes(StandardCharsets.UTF_8)), p));
    List<String> found = new ArrayList<>();
    Matcher m = HEX_RUN.matcher(log);
    while (m.find()) {
      String run = m.group();
      for (int i = 0; i + 32 <= run.length(); i++) {
        String window = run.substring(i, i + 32);
        if (plaintexts.contains(window)) {
          found.add(window);
        }
        if (i + 64 <= run.length() && byHex.containsKey(run.substring(i, i + 64))) {
          found.add(byHex.get(run.substring(i, i + 64)));
        }
      }
    }
    return found;
  }

  /** A parameter of a logged statement: {@code $n = 'value'} (quotes doubled) or NULL. */
  private static final Pattern PARAMETER = Pattern.compile(
      "\\$(\\d+) = (NULL|'(?:[^']++|'')*+')");

  @Test
  void decryptColumnSendsPlaintextOnlyAsTheNewValuesOfItsUpdate() throws Exception {
    createTable("tool_log_dec", 1000);
    Set<String> plaintexts = values(fx.plain(), "SELECT secret FROM tool_log_dec");
    ToolFixture.Output sealed = fx.runCapturingErr("encrypt-existing", "--table",
        "tool_log_dec", "--job-table", "tool_log_dec_jobs", "--no-guard");
    assertThat(sealed.exit()).as(sealed.text()).isZero();
    Path log = serverLog();
    long from = Files.size(log);

    ToolFixture.Output run = fx.runCapturingErr("decrypt-column", "--table", "tool_log_dec",
        "--job-table", "tool_log_dec_jobs");
    assertThat(run.exit()).as(run.text()).isZero();
    assertThat(values(fx.plain(), "SELECT secret FROM tool_log_dec")).isEqualTo(plaintexts);

    // decrypt-column writes plaintext by design, as the new values: the update's fifth
    // parameter (table oids, ctids, xmins, "leave as it is", new values). Nowhere else.
    String statement = "";
    int asNewValues = 0;
    for (String line : logFrom(log, from).split("\n")) {
      int execute = line.indexOf("execute ");
      if (execute >= 0 && line.contains("LOG:")) {
        statement = line.substring(line.indexOf(": ", execute) + 2);
        continue;
      }
      if (!line.contains("arameters: ")) {
        assertThat(leaked(line, plaintexts)).as("plaintext outside parameters: %s", line)
            .isEmpty();
        continue;
      }
      Matcher p = PARAMETER.matcher(line);
      while (p.find()) {
        if (leaked(p.group(2), plaintexts).isEmpty()) {
          continue;
        }
        assertThat(statement).as("a statement with plaintext in $%s", p.group(1))
            .startsWith("UPDATE \"public\".\"tool_log_dec\"");
        assertThat(p.group(1)).as("the parameter holding plaintext").isEqualTo("5");
        asNewValues += leaked(p.group(2), plaintexts).size();
      }
    }
    assertThat(asNewValues).as("plaintext values sent as new values").isEqualTo(1000);
  }

  /** One cell the job wrote, as stored in the text column. */
  private String aCell(String table) throws SQLException {
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT secret FROM " + table + " ORDER BY id LIMIT 1")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  @Test
  void compareAndSetSendsNoPlaintextToTheServerLog() throws Exception {
    createTable("tool_log", 3000);
    Set<String> plaintexts = values(fx.plain(), "SELECT secret FROM tool_log");
    plaintexts.addAll(values(fx.plain(), "SELECT photo FROM tool_log"));
    assertThat(plaintexts).hasSize(6000);
    Path log = serverLog();
    long from = Files.size(log);

    // With the guards: their catch-up pass writes through the same compare-and-set.
    ToolFixture.Output run = fx.runCapturingErr("encrypt-existing", "--table", "tool_log",
        "--job-table", "tool_log_jobs", "--batch-size", "500");
    assertThat(run.exit()).as(run.text()).isZero();
    assertThat(run.text()).contains("3000 rows seen, 3000 rewritten");

    String logged = logFrom(log, from);
    assertThat(logged).as("the job's writes and their parameters reached the log")
        .contains("UPDATE \"public\".\"tool_log\"").contains(aCell("tool_log"));
    assertThat(leaked(logged, plaintexts)).as("plaintext values in the server log").isEmpty();
  }

  @Test
  void aRowTheApplicationChangedUnderTheJobIsReReadAndItsPlaintextStaysOutOfTheServerLog()
      throws Exception {
    createTable("tool_log_race", 200);
    Set<String> before = values(fx.plain(), "SELECT secret FROM tool_log_race");
    String seventh;
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT secret FROM tool_log_race WHERE id = 7")) {
      assertThat(rs.next()).isTrue();
      seventh = rs.getString(1);
    }
    Path log = serverLog();
    long from = Files.size(log);
    CompletableFuture<ToolFixture.Output> job;
    try (Connection app = fx.plain()) {
      app.setAutoCommit(false);
      try (Statement s = app.createStatement()) {
        // A writer without Veil gives row 7 a new plaintext value (made by the server, so its
        // statement does not carry it) and holds the row until the job's write waits for it.
        assertThat(s.executeUpdate("UPDATE tool_log_race SET secret = md5(secret),"
            + " other = other + 1 WHERE id = 7")).isEqualTo(1);
      }
      job = CompletableFuture.supplyAsync(() -> fx.runCapturingErr("encrypt-existing",
          "--table", "tool_log_race", "--job-table", "tool_log_race_jobs", "--no-guard"));
      waitUntilTheJobWaitsForARowLock();
      app.commit();
    }
    ToolFixture.Output run = job.get(2, TimeUnit.MINUTES);
    assertThat(run.exit()).as(run.text()).isZero();
    assertThat(run.text()).contains("200 rows seen, 200 rewritten")
        .contains("1 rows re-read after the application changed them");

    Set<String> plaintexts = values(fx.veil(), "SELECT secret FROM tool_log_race");
    assertThat(plaintexts).hasSize(200).contains(md5Hex(seventh))
        .doesNotContain(seventh);
    plaintexts.addAll(before);
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM tool_log_race"
            + " WHERE secret NOT LIKE 'veil:%'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("values left plaintext").isZero();
    }
    String logged = logFrom(log, from);
    assertThat(logged).contains("UPDATE \"public\".\"tool_log_race\"");
    assertThat(leaked(logged, plaintexts)).as("plaintext values in the server log").isEmpty();
  }

  @Test
  void convertToByteaSendsNoPlaintextToTheServerLog() throws Exception {
    createTable("tool_log_conv", 2000);
    // photo is not an encrypted column of this table: only secret's values are secret.
    Set<String> plaintexts = values(fx.plain(), "SELECT secret FROM tool_log_conv");
    Path log = serverLog();
    long from = Files.size(log);

    ToolFixture.Output run = fx.runCapturingErr("encrypt-existing", "--table", "tool_log_conv",
        "--columns", "secret", "--convert-to-bytea", "--job-table", "tool_log_conv_jobs",
        "--no-guard");
    assertThat(run.exit()).as(run.text()).isZero();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT format_type(atttypid, atttypmod)"
            + " FROM pg_attribute WHERE attrelid = 'tool_log_conv'::regclass"
            + " AND attname = 'secret'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("secret converted").isEqualTo("bytea");
    }
    String logged = logFrom(log, from);
    assertThat(logged).contains("UPDATE \"public\".\"tool_log_conv\"");
    assertThat(leaked(logged, plaintexts)).as("plaintext values in the server log").isEmpty();
  }

  /** The hex MD5 of {@code text}'s UTF-8, as the server's {@code md5(text)}. */
  private static String md5Hex(String text) throws Exception {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
        .digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private void waitUntilTheJobWaitsForARowLock() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    try (Connection c = fx.plain(); PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'veil-tool'"
            + " AND wait_event_type = 'Lock' AND query LIKE 'UPDATE%tool_log_race%'")) {
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("the job's write waited for the row").isLessThan(
            deadline);
        Thread.sleep(20);
      }
    }
  }
}
