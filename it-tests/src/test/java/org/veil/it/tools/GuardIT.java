package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.veil.crypto.CellShape;
import org.postgresql.util.PGobject;
import org.veil.crypto.ValueType;
import org.veil.tools.Veil;

/**
 * The database-side guard against the real server: {@code veil guard add|remove|status}, and
 * PostgreSQL refusing values that are not Veil cells from writers that do not use Veil (plain
 * pgjdbc, psql) while admitting every cell Veil writes.
 */
class GuardIT {

  private static final String LONG_COLUMN = "a_column_name_of_sixty_characters_that_is_long_"
      + "enough_for_it";

  private final ToolFixture fx = new ToolFixture("guard_things.b, guard_things.t,"
      + " guard_things.bd, guard_things.td, guard_things.det:deterministic,"
      + " guard_things.tdet:deterministic, guard_plain.secret, guard_plain.photo,"
      + " guard_migrate.secret, guard_migrate.photo, guard_status.a, guard_status.b,"
      + " guard_status.c, guard_long." + LONG_COLUMN, "tools-guard");

  /** An empty table with an encrypted column of each form, guarded by {@code veil guard add}. */
  private void createGuardedThings() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS guard_things", "DROP DOMAIN IF EXISTS guard_cell_bytes",
        "DROP DOMAIN IF EXISTS guard_cell_text",
        "CREATE DOMAIN guard_cell_bytes AS bytea", "CREATE DOMAIN guard_cell_text AS text",
        "CREATE TABLE guard_things (id int PRIMARY KEY, b bytea, t text, bd guard_cell_bytes,"
            + " td guard_cell_text, det bytea, tdet text)");
    Output added = guard("add", "--table", "guard_things");
    assertThat(added.exit()).as(added.text()).isZero();
  }

  /** A table of 3 plaintext rows and 2 of NULLs. */
  private void createPlaintext(String table) throws SQLException {
    fx.exec("DROP TABLE IF EXISTS " + table,
        "CREATE TABLE " + table + " (id int PRIMARY KEY, secret text, photo bytea)",
        "INSERT INTO " + table + " VALUES (1, 'one', 'photo one'::bytea),"
            + " (2, 'two', NULL), (3, NULL, 'photo three'::bytea), (4, NULL, NULL),"
            + " (5, NULL, NULL)",
        "DROP TABLE IF EXISTS veil_jobs CASCADE", "DROP TABLE IF EXISTS veil_jobs_ranges CASCADE",
        "DROP TABLE IF EXISTS veil_jobs_progress CASCADE");
  }

  // -- the server refuses what is not a cell -------------------------------------------------

  @Test
  void plaintextInsertsThroughPgjdbcAreRefusedByTheServerNamingTheGuard() throws SQLException {
    createGuardedThings();
    Map<String, String> inserts = new LinkedHashMap<>();
    inserts.put("b", "INSERT INTO guard_things (id, b) VALUES (1, convert_to('plain', 'UTF8'))");
    inserts.put("t", "INSERT INTO guard_things (id, t) VALUES (1, 'plain text')");
    inserts.put("bd", "INSERT INTO guard_things (id, bd) VALUES (1, '\\x00ff'::bytea)");
    inserts.put("td", "INSERT INTO guard_things (id, td) VALUES (1, 'veil:not base64!')");
    inserts.put("det", "INSERT INTO guard_things (id, det) VALUES (1, '\\x564c'::bytea)");
    inserts.put("tdet", "INSERT INTO guard_things (id, tdet) VALUES (1, 'alice@example.com')");
    for (Map.Entry<String, String> insert : inserts.entrySet()) {
      assertRefused(insert.getValue(), "veil_guard_" + insert.getKey());
    }
    assertThat(fx.scalar("SELECT count(*) FROM guard_things")).isZero();
  }

  @Test
  void plaintextUpdatesThroughPgjdbcAreRefusedByTheServerAndTheCellsStay() throws SQLException {
    createGuardedThings();
    try (Connection c = fx.veil(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO guard_things (id, b, t) VALUES (1, ?, ?)")) {
      ps.setString(1, "sealed bytes");
      ps.setString(2, "sealed text");
      ps.executeUpdate();
    }
    String before = fx.text("SELECT md5(b) || md5(t) FROM guard_things WHERE id = 1");

    assertRefused("UPDATE guard_things SET b = convert_to('plain', 'UTF8') WHERE id = 1",
        "veil_guard_b");
    assertRefused("UPDATE guard_things SET t = 'plain' WHERE id = 1", "veil_guard_t");
    try (Connection plain = fx.plain(); PreparedStatement ps = plain.prepareStatement(
        "UPDATE guard_things SET t = ? WHERE id = 1")) {
      ps.setString(1, "a bound plaintext");
      assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class)
          .hasMessageContaining("veil_guard_t")
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23514");
    }

    assertThat(fx.text("SELECT md5(b) || md5(t) FROM guard_things WHERE id = 1")).isEqualTo(before);
  }

  @Test
  void plaintextInsertsAndUpdatesThroughPsqlAreRefusedByTheServer() throws Exception {
    createGuardedThings();
    Psql psql = Psql.find().orElse(null);
    Assumptions.assumeTrue(psql != null, "no psql binary on this machine: give"
        + " -Dveil.it.psql=/path/to/psql (zonky's bundle has none)");
    Psql.Result control = psql.run(fx.server, "INSERT INTO guard_things (id) VALUES (1)");
    assertThat(control.exit()).as("psql connects and writes: %s", control.output()).isZero();

    Psql.Result insertBytes = psql.run(fx.server,
        "INSERT INTO guard_things (id, b) VALUES (2, 'plain'::bytea)");
    Psql.Result insertText = psql.run(fx.server,
        "INSERT INTO guard_things (id, t) VALUES (3, 'plain text')");
    Psql.Result updateBytes = psql.run(fx.server,
        "UPDATE guard_things SET bd = 'plain'::bytea WHERE id = 1");
    Psql.Result updateText = psql.run(fx.server,
        "UPDATE guard_things SET tdet = 'plain text' WHERE id = 1");

    assertThat(insertBytes.exit()).isNotZero();
    assertThat(insertBytes.output()).contains("violates check constraint \"veil_guard_b\"");
    assertThat(insertText.exit()).isNotZero();
    assertThat(insertText.output()).contains("violates check constraint \"veil_guard_t\"");
    assertThat(updateBytes.exit()).isNotZero();
    assertThat(updateBytes.output()).contains("violates check constraint \"veil_guard_bd\"");
    assertThat(updateText.exit()).isNotZero();
    assertThat(updateText.output()).contains("violates check constraint \"veil_guard_tdet\"");
    assertThat(fx.scalar("SELECT count(*) FROM guard_things")).isEqualTo(1);
    assertThat(fx.scalar("SELECT count(*) FROM guard_things WHERE bd IS NOT NULL"
        + " OR tdet IS NOT NULL")).isZero();
  }

  @Test
  void aTooShortVl02PrefixIsRefused() throws SQLException {
    createGuardedThings();
    // 36 bytes: one short of the shortest cell (a deterministic cell of an empty value).
    byte[] tooShort = cellShaped(2, 36);
    assertRefusedBytes("b", tooShort);
    assertRefusedBytes("b", Arrays.copyOf(tooShort, 3));
    assertRefusedText("t", "veil:" + Base64.getEncoder().encodeToString(tooShort));
    assertThat(fx.scalar("SELECT count(*) FROM guard_things")).isZero();
  }

  @Test
  void aCellOfAnUnknownFormatVersionIsRefused() throws SQLException {
    createGuardedThings();
    int unknown = CellShape.versions().get(CellShape.versions().size() - 1) + 1;
    assertRefusedBytes("b", cellShaped(unknown, 200));
    assertRefusedBytes("b", cellShaped(0, 200));
    assertRefusedText("t", "veil:" + Base64.getEncoder().encodeToString(cellShaped(unknown,
        200)));
  }

  @Test
  void textThatIsNotThePrefixAndPaddedBase64IsRefused() throws SQLException {
    createGuardedThings();
    String base64 = Base64.getEncoder().encodeToString(cellShaped(2, 120));
    assertRefusedText("t", "VEIL:" + base64);
    assertRefusedText("t", "veil:" + base64.substring(0, base64.length() - 1)); // unpadded
    assertRefusedText("t", "veil:" + base64 + "\n");
    assertRefusedText("t", "veil:" + base64.substring(0, 40) + "*" + base64.substring(41));
    assertRefusedText("td", Base64.getEncoder().encodeToString(cellShaped(2, 120)));
  }

  @Test
  void nullPassesTheGuard() throws SQLException {
    createGuardedThings();
    fx.exec("INSERT INTO guard_things VALUES (1, NULL, NULL, NULL, NULL, NULL, NULL)");
    assertThat(fx.scalar("SELECT count(*) FROM guard_things WHERE b IS NULL AND t IS NULL"))
        .isOne();
  }

  // -- everything Veil writes passes ---------------------------------------------------------

  /** Binds a sample of one value type to parameter {@code i} through Veil. */
  private interface Binder {
    void bind(PreparedStatement ps, int i) throws SQLException;
  }

  private static Map<ValueType, Binder> everyValueType() throws SQLException {
    PGobject json = new PGobject();
    json.setType("json");
    json.setValue("{\"a\": [1, 2]}");
    Map<ValueType, Binder> binders = new EnumMap<>(ValueType.class);
    binders.put(ValueType.TEXT, (ps, i) -> ps.setString(i, "text"));
    binders.put(ValueType.BYTES, (ps, i) -> ps.setBytes(i, new byte[] {0, 1, -1}));
    binders.put(ValueType.SHORT, (ps, i) -> ps.setShort(i, (short) -7));
    binders.put(ValueType.INT, (ps, i) -> ps.setInt(i, 42));
    binders.put(ValueType.LONG, (ps, i) -> ps.setLong(i, Long.MIN_VALUE));
    binders.put(ValueType.NUMERIC, (ps, i) -> ps.setBigDecimal(i, new BigDecimal("-1.50")));
    binders.put(ValueType.BOOLEAN, (ps, i) -> ps.setBoolean(i, false));
    binders.put(ValueType.FLOAT, (ps, i) -> ps.setFloat(i, 1.5f));
    binders.put(ValueType.DOUBLE, (ps, i) -> ps.setDouble(i, Math.PI));
    binders.put(ValueType.DATE, (ps, i) -> ps.setObject(i, LocalDate.of(1999, 12, 31)));
    binders.put(ValueType.TIME, (ps, i) -> ps.setObject(i, LocalTime.of(23, 59)));
    binders.put(ValueType.TIMESTAMP, (ps, i) -> ps.setObject(i,
        LocalDateTime.of(2024, 2, 29, 12, 0)));
    binders.put(ValueType.TIMESTAMPTZ, (ps, i) -> ps.setObject(i,
        OffsetDateTime.of(2024, 2, 29, 12, 0, 0, 0, ZoneOffset.ofHours(2))));
    binders.put(ValueType.UUID, (ps, i) -> ps.setObject(i, UUID.randomUUID()));
    binders.put(ValueType.JSON, (ps, i) -> ps.setObject(i, json));
    assertThat(binders.keySet()).as("a sample of every value type")
        .containsExactlyInAnyOrder(ValueType.values());
    return binders;
  }

  @Test
  void everyValueTypeVeilWritesPassesInEveryColumnFormAndMode() throws SQLException {
    createGuardedThings();
    int id = 0;
    try (Connection c = fx.veil(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO guard_things (id, b, t, bd, td, det, tdet) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (Binder binder : everyValueType().values()) {
        ps.setInt(1, ++id);
        for (int column = 2; column <= 7; column++) {
          binder.bind(ps, column);
        }
        assertThat(ps.executeUpdate()).isOne();
      }
      // Empty values make the shortest cells of each kind.
      ps.setInt(1, ++id);
      ps.setString(2, "");
      ps.setBytes(3, new byte[0]);
      ps.setString(4, "");
      ps.setBytes(5, new byte[0]);
      ps.setString(6, "");
      ps.setBytes(7, new byte[0]);
      assertThat(ps.executeUpdate()).isOne();
    }
    assertThat(typeCodes("b")).as("the value types stored in b")
        .isEqualTo(Arrays.stream(ValueType.values()).map(ValueType::code)
            .collect(Collectors.toCollection(TreeSet::new)));
    assertThat(fx.scalar("SELECT min(octet_length(det)) FROM guard_things")).as("shortest cell")
        .isEqualTo(37);
    assertThat(fx.scalar("SELECT count(*) FROM guard_things")).isEqualTo(id);
  }

  @Test
  void cellsWithDirectWrappingPass() throws SQLException {
    createGuardedThings();
    Properties direct = fx.veilSettings(fx.keyFile);
    direct.setProperty("veil.keys.wrapping", "direct");
    try (Connection c = fx.server.veilConnection(direct); PreparedStatement ps =
        c.prepareStatement("INSERT INTO guard_things (id, b, t, bd, td) VALUES (?, ?, ?, ?, ?)")) {
      int id = 0;
      for (Binder binder : everyValueType().values()) {
        ps.setInt(1, ++id);
        for (int column = 2; column <= 5; column++) {
          binder.bind(ps, column);
        }
        assertThat(ps.executeUpdate()).isOne();
      }
    }
    assertThat(fx.scalar("SELECT count(*) FROM guard_things WHERE get_byte(b, 3) = 1"))
        .as("direct-wrapping cells (kind 1)").isEqualTo(ValueType.values().length);
  }

  @Test
  void formatV1AndV2CellsFromTheFormatTestVectorsPass() throws Exception {
    createGuardedThings();
    Map<String, byte[]> vectors = formatVectors();
    assertThat(vectors.keySet()).contains("randomized-cell", "deterministic-cell",
        "deterministic-int-cell", "v2-randomized-cell", "v2-rewrapped-cell");
    int id = 0;
    try (Connection plain = fx.plain(); PreparedStatement ps = plain.prepareStatement(
        "INSERT INTO guard_things (id, b, t, bd, td) VALUES (?, ?, ?, ?, ?)")) {
      for (byte[] cell : vectors.values()) {
        String text = "veil:" + Base64.getEncoder().encodeToString(cell);
        ps.setInt(1, ++id);
        ps.setBytes(2, cell);
        ps.setString(3, text);
        ps.setBytes(4, cell);
        ps.setString(5, text);
        assertThat(ps.executeUpdate()).isOne();
      }
    }
    assertThat(fx.scalar("SELECT count(*) FROM guard_things WHERE get_byte(b, 2) = 1"))
        .as("version 1 cells").isEqualTo(3);
  }

  /** The {@code name: hex} cell vectors of docs/FORMAT.md. */
  private static Map<String, byte[]> formatVectors() throws Exception {
    Pattern vector = Pattern.compile("^([a-z0-9-]+-cell): ([0-9a-f]+)$");
    Map<String, byte[]> vectors = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("..", "docs", "FORMAT.md"))) {
      Matcher m = vector.matcher(line.strip());
      if (m.matches()) {
        vectors.put(m.group(1), HexFormat.of().parseHex(m.group(2)));
      }
    }
    return vectors;
  }

  // -- the commands --------------------------------------------------------------------------

  @Test
  void guardAddOnATableWithPlaintextRowsSaysHowManyAndAddsNothing() throws SQLException {
    createPlaintext("guard_plain");

    Output added = guard("add", "--table", "guard_plain");

    assertThat(added.exit()).isEqualTo(org.veil.tools.Veil.REFUSED);
    assertThat(added.text()).contains("public.guard_plain: 3 rows hold values that are not Veil"
        + " cells (2 in secret, 2 in photo)").contains("veil encrypt-existing --table"
        + " public.guard_plain").contains("--not-valid");
    assertThat(guardsOf("guard_plain")).isEmpty();
    fx.exec("INSERT INTO guard_plain (id, secret) VALUES (6, 'still accepted')");
  }

  @Test
  void guardAddNotValidRefusesNewPlaintextAndStatusShowsNotValid() throws SQLException {
    createPlaintext("guard_plain");

    Output added = guard("add", "--table", "guard_plain", "--not-valid");

    assertThat(added.exit()).as(added.text()).isZero();
    assertThat(added.text()).contains("not valid").contains("3 rows");
    assertThat(guardsOf("guard_plain")).containsEntry("veil_guard_secret", false)
        .containsEntry("veil_guard_photo", false);
    assertRefused("INSERT INTO guard_plain (id, secret) VALUES (6, 'new plaintext')",
        "veil_guard_secret");
    Output status = guard("status", "--table", "guard_plain");
    assertThat(status.text()).contains("secret: guard not valid: new and updated rows are"
        + " checked, rows stored before it are not (veil_guard_secret): run veil guard add"
        + " --table public.guard_plain");
  }

  @Test
  void encryptExistingSealsThePlaintextThenLeavesTheColumnsGuarded() throws SQLException {
    createPlaintext("guard_migrate");

    assertThat(fx.run("encrypt-existing", "--table", "guard_migrate")).isZero();

    assertThat(guardsOf("guard_migrate")).containsEntry("veil_guard_secret", true)
        .containsEntry("veil_guard_photo", true);
    assertRefused("INSERT INTO guard_migrate (id, secret) VALUES (6, 'plaintext')",
        "veil_guard_secret");
    assertRefused("UPDATE guard_migrate SET photo = 'plaintext'::bytea WHERE id = 1",
        "veil_guard_photo");
    assertThat(guard("status", "--table", "guard_migrate").text())
        .contains("secret: guarded (veil_guard_secret)")
        .contains("photo: guarded (veil_guard_photo)");
    assertThat(fx.runCapturingOut("status", "--table", "guard_migrate").text())
        .contains("guarded (veil_guard_secret)");
  }

  @Test
  void encryptExistingSealsPlaintextWrittenAfterItsJobBeforeItValidatesTheGuard()
      throws SQLException {
    createPlaintext("guard_migrate");
    assertThat(fx.run("encrypt-existing", "--table", "guard_migrate", "--no-guard")).isZero();
    assertThat(guardsOf("guard_migrate")).isEmpty();
    fx.exec("INSERT INTO guard_migrate (id, secret) VALUES (6, 'written after the job')");

    // The job is finished, but the table holds plaintext again: a new job seals it, then the
    // guards are added and validated.
    ToolFixture.Output run = fx.runCapturingErr("encrypt-existing", "--table", "guard_migrate");

    assertThat(run.exit()).as(run.text()).isZero();
    assertThat(run.text()).contains("finished before, but 1 rows of public.guard_migrate were"
        + " left to do or written since: starting a new job");
    assertThat(guardsOf("guard_migrate")).containsEntry("veil_guard_secret", true)
        .containsEntry("veil_guard_photo", true);
    assertThat(fx.text("SELECT secret FROM guard_migrate WHERE id = 6")).startsWith("veil:");
  }

  @Test
  void guardRemoveDropsTheGuardsAndTheDatabaseAcceptsPlaintextAgain() throws SQLException {
    createGuardedThings();

    Output removed = guard("remove", "--table", "guard_things", "--columns", "b,t");

    assertThat(removed.exit()).isZero();
    assertThat(removed.text()).contains("dropped [veil_guard_b, veil_guard_t]");
    assertThat(guardsOf("guard_things")).doesNotContainKeys("veil_guard_b", "veil_guard_t")
        .containsKeys("veil_guard_bd", "veil_guard_td", "veil_guard_det", "veil_guard_tdet");
    fx.exec("INSERT INTO guard_things (id, b, t) VALUES (1, 'plain'::bytea, 'plain')");
    assertRefused("INSERT INTO guard_things (id, bd) VALUES (2, 'plain'::bytea)",
        "veil_guard_bd");
  }

  @Test
  void statusShowsColumnsWithoutAGuardAndWithANotValidOne() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS guard_status",
        "CREATE TABLE guard_status (id int PRIMARY KEY, a bytea, b text, c bytea)",
        "INSERT INTO guard_status VALUES (1, NULL, 'plaintext', NULL)");
    assertThat(guard("add", "--table", "guard_status", "--columns", "a").exit()).isZero();
    assertThat(guard("add", "--table", "guard_status", "--columns", "b", "--not-valid")
        .exit()).isZero();

    Output status = guard("status", "--table", "guard_status");

    assertThat(status.exit()).isZero();
    assertThat(status.text()).contains("public.guard_status:")
        .contains("a: guarded (veil_guard_a)")
        .contains("b: guard not valid")
        .contains("c: no guard: run veil guard add --table public.guard_status");
    assertThat(fx.runCapturingOut("status", "--table", "guard_status").text())
        .contains("no guard: run veil guard add --table public.guard_status");
  }

  @Test
  void aGuardMadeForOtherCellFormatsIsReportedAndReplacedByGuardAdd() throws SQLException {
    createGuardedThings();
    fx.exec("COMMENT ON CONSTRAINT veil_guard_b ON guard_things IS 'Veil guard r0: version 1'");
    assertThat(guard("status", "--table", "guard_things").text())
        .contains("b: guard made for other cell formats (veil_guard_b)");

    assertThat(guard("add", "--table", "guard_things").exit()).isZero();

    assertThat(fx.text("SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE"
        + " conrelid = 'guard_things'::regclass AND conname = 'veil_guard_b'"))
        .startsWith("Veil guard r1:");
    assertThat(guardsOf("guard_things")).containsEntry("veil_guard_b", true);
  }

  @Test
  void aLongColumnNameGetsAGuardWithinPostgresqlsIdentifierLimit() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS guard_long",
        "CREATE TABLE guard_long (id int PRIMARY KEY, " + LONG_COLUMN + " bytea)");

    assertThat(guard("add", "--table", "guard_long").exit()).isZero();

    Map<String, Boolean> guards = guardsOf("guard_long");
    assertThat(guards).hasSize(1);
    String name = guards.keySet().iterator().next();
    assertThat(name).startsWith("veil_guard_a_column_name").hasSize(63);
    assertRefused("INSERT INTO guard_long VALUES (1, 'plain'::bytea)", name);
  }

  @Test
  void decryptColumnDropsTheGuardsOfItsColumnsFirst() throws SQLException {
    createPlaintext("guard_migrate");
    assertThat(fx.run("encrypt-existing", "--table", "guard_migrate")).isZero();

    assertThat(fx.run("decrypt-column", "--table", "guard_migrate", "--columns", "secret"))
        .isZero();

    assertThat(guardsOf("guard_migrate")).doesNotContainKey("veil_guard_secret")
        .containsEntry("veil_guard_photo", true);
    assertThat(fx.text("SELECT secret FROM guard_migrate WHERE id = 1")).isEqualTo("one");
  }

  // -- helpers -------------------------------------------------------------------------------

  private record Output(int exit, String text) {}

  /** Runs {@code veil guard <sub>} in this JVM; what it printed on both streams. */
  private Output guard(String sub, String... more) {
    List<String> args = new java.util.ArrayList<>(fx.args(sub, more));
    args.add(0, "guard");
    args.add("--password=" + fx.server.password());
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
    try {
      int exit = Veil.run(args.toArray(String[]::new));
      return new Output(exit, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** The guards of {@code table}: constraint name → validated. */
  private Map<String, Boolean> guardsOf(String table) throws SQLException {
    Map<String, Boolean> guards = new LinkedHashMap<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT conname, convalidated FROM pg_constraint WHERE"
            + " conrelid = '" + table + "'::regclass AND contype = 'c' AND conname LIKE"
            + " 'veil\\_guard\\_%' ORDER BY conname")) {
      while (rs.next()) {
        guards.put(rs.getString(1), rs.getBoolean(2));
      }
    }
    return guards;
  }

  /** {@code VL}, {@code version}, then zero bytes up to {@code length}. */
  private static byte[] cellShaped(int version, int length) {
    byte[] cell = new byte[length];
    cell[0] = 'V';
    cell[1] = 'L';
    cell[2] = (byte) version;
    return cell;
  }

  private void assertRefused(String sql, String guard) {
    assertThatThrownBy(() -> fx.exec(sql)).as(sql).isInstanceOf(SQLException.class)
        .hasMessageContaining("violates check constraint \"" + guard + "\"")
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23514");
  }

  private void assertRefusedBytes(String column, byte[] value) throws SQLException {
    try (Connection c = fx.plain(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO guard_things (id, " + column + ") VALUES (99, ?)")) {
      ps.setBytes(1, value);
      assertThatThrownBy(ps::executeUpdate).as("%d bytes", value.length)
          .isInstanceOf(SQLException.class).hasMessageContaining("veil_guard_" + column)
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23514");
    }
  }

  private void assertRefusedText(String column, String value) throws SQLException {
    try (Connection c = fx.plain(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO guard_things (id, " + column + ") VALUES (99, ?)")) {
      ps.setString(1, value);
      assertThatThrownBy(ps::executeUpdate).as(value).isInstanceOf(SQLException.class)
          .hasMessageContaining("veil_guard_" + column)
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23514");
    }
  }

  /** The value type bytes of the cells in {@code column}. */
  private Set<Integer> typeCodes(String column) throws SQLException {
    Set<Integer> codes = new TreeSet<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + column + " FROM guard_things WHERE "
            + column + " IS NOT NULL")) {
      while (rs.next()) {
        codes.add((int) rs.getBytes(1)[4]);
      }
    }
    return codes;
  }
}
