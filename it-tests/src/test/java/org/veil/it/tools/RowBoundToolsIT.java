package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.veil.it.NoSecretsInLogs;

/**
 * The re-encrypt jobs on row-bound columns ({@code :bind=}) against the real server: they read
 * each row's binding column with the row and seal, open and move its cells with that value, so
 * what they write opens through the driver in its own row only; a row whose binding column is
 * NULL is reported, counted as failed and left as it is.
 *
 * <p>Table {@code tool_bound} has two row-bound columns bound by different columns: the text
 * column {@code secret} by the primary key {@code id}, the bytea column {@code note} by the
 * uuid column {@code account}, which is not the table's key.
 */
class RowBoundToolsIT {

  private static final int ROWS = 200;
  private static final String TAG = "rbt" + Long.toHexString(new java.util.Random().nextLong());
  private static final int CELLS_FAILED = 3;

  static {
    NoSecretsInLogs.register(TAG);
  }

  private final ToolFixture fx = new ToolFixture("tool_bound.secret:bind=id,"
      + " tool_bound.note:bind=account, tool_bound_conv.secret:bind=account", "tools-bound");

  private static String secretOf(long id) {
    return "secret " + id + " " + TAG;
  }

  private static byte[] noteOf(long id) {
    return ("note " + id + " " + TAG).getBytes(StandardCharsets.UTF_8);
  }

  private static UUID accountOf(long id) {
    return UUID.nameUUIDFromBytes(("account " + id).getBytes(StandardCharsets.UTF_8));
  }

  private void createTable() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS tool_bound CASCADE",
        "CREATE TABLE tool_bound (id bigint PRIMARY KEY, account uuid, secret text, note bytea)",
        "DROP TABLE IF EXISTS veil_jobs CASCADE", "DROP TABLE IF EXISTS veil_jobs_ranges CASCADE",
        "DROP TABLE IF EXISTS veil_jobs_progress CASCADE");
  }

  /** Fills tool_bound with plaintext, as before Veil, through plain pgjdbc. */
  private void fillPlaintext() throws SQLException {
    fill(fx.plain());
  }

  /** Fills tool_bound through the driver, which binds each cell to its row. */
  private void fillThroughVeil() throws SQLException {
    fill(fx.veil());
  }

  private static void fill(Connection connection) throws SQLException {
    try (Connection c = connection; PreparedStatement ps = c.prepareStatement(
        "INSERT INTO tool_bound (id, account, secret, note) VALUES (?, ?, ?, ?)")) {
      for (long id = 1; id <= ROWS; id++) {
        ps.setLong(1, id);
        ps.setObject(2, accountOf(id));
        ps.setString(3, secretOf(id));
        ps.setBytes(4, noteOf(id));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private Properties strict() {
    Properties strict = fx.veilSettings(fx.keyFile);
    strict.setProperty("veil.plaintextReads", "deny");
    return strict;
  }

  /** Every row read through the driver, plaintext reads denied: {@code secret|note}. */
  private Map<Long, String> valuesThroughVeil() throws SQLException {
    Map<Long, String> values = new HashMap<>();
    try (Connection c = fx.server.veilConnection(strict()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, account, secret, note FROM tool_bound")) {
      while (rs.next()) {
        values.put(rs.getLong(1), rs.getString(3) + "|"
            + new String(rs.getBytes(4), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  private static Map<Long, String> expectedValues() {
    Map<Long, String> values = new HashMap<>();
    for (long id = 1; id <= ROWS; id++) {
      values.put(id, secretOf(id) + "|" + new String(noteOf(id), StandardCharsets.UTF_8));
    }
    return values;
  }

  /**
   * What reading one column of row {@code id} through the driver gives (with the row's binding
   * columns selected): the value as text, or the SQLException.
   */
  private Object readThroughVeil(String column, long id) throws SQLException {
    try (Connection c = fx.server.veilConnection(strict()); PreparedStatement ps =
        c.prepareStatement("SELECT " + column + ", id, account FROM tool_bound WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("row %d", id).isTrue();
        try {
          return column.equals("note") ? new String(rs.getBytes(1), StandardCharsets.UTF_8)
              : rs.getString(1);
        } catch (SQLException e) {
          return e;
        }
      }
    }
  }

  /** Swaps the stored values of {@code column} between rows {@code a} and {@code b}, as an attacker. */
  private void swapAsAttacker(String table, String column, long a, long b) throws SQLException {
    try (Connection c = fx.plain(); PreparedStatement ps = c.prepareStatement(
        "UPDATE " + table + " t SET " + column + " = o." + column + " FROM " + table + " o"
        + " WHERE (t.id = ? AND o.id = ?) OR (t.id = ? AND o.id = ?)")) {
      ps.setLong(1, a);
      ps.setLong(2, b);
      ps.setLong(3, b);
      ps.setLong(4, a);
      assertThat(ps.executeUpdate()).isEqualTo(2);
    }
  }

  /** Asserts that {@code column} of row {@code id} does not open through the driver. */
  private void assertDoesNotOpen(String column, long id) throws SQLException {
    Object read = readThroughVeil(column, id);
    assertThat(read).as("%s of row %d", column, id).isInstanceOf(SQLException.class);
    assertThat(((SQLException) read).getSQLState()).as("%s of row %d", column, id)
        .isEqualTo("22000");
  }

  /** Every row as stored: {@code id -> [secret as stored, note as bytes]}. */
  private Map<Long, List<Object>> stored(String table) throws SQLException {
    Map<Long, List<Object>> rows = new HashMap<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement(); ResultSet rs =
        s.executeQuery("SELECT id, secret, " + (table.equals("tool_bound") ? "note" : "NULL")
            + " FROM " + table)) {
      while (rs.next()) {
        rows.put(rs.getLong(1), Arrays.asList(rs.getString(2), rs.getBytes(3)));
      }
    }
    return rows;
  }

  private static byte[] cellOfText(Object stored) {
    String text = (String) stored;
    assertThat(text).startsWith("veil:");
    return Base64.getDecoder().decode(text.substring("veil:".length()));
  }

  /** Both cells of a row as stored, {@code secret} (from its text form) then {@code note}. */
  private static byte[][] cells(List<Object> row) {
    return new byte[][] {cellOfText(row.get(0)), (byte[]) row.get(1)};
  }

  /**
   * The value's IV, ciphertext and tag: bytes 37 onwards of a v3 kind 0 cell (key id, then the
   * row nonce before it), bytes 81 onwards of a kind 3 cell (key id, wrap IV, wrapped row key).
   */
  private static byte[] payload(byte[] cell) {
    assertThat(Arrays.copyOf(cell, 3)).isEqualTo(new byte[] {0x56, 0x4c, 3});
    return Arrays.copyOfRange(cell, cell[3] == 0 ? 37 : 81, cell.length);
  }

  private static UUID keyOf(byte[] cell) {
    ByteBuffer b = ByteBuffer.wrap(cell, 5, 16);
    return new UUID(b.getLong(), b.getLong());
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

  private int checkConstraints(String table) throws SQLException {
    try (Connection c = fx.plain(); Statement s = c.createStatement(); ResultSet rs =
        s.executeQuery("SELECT count(*) FROM pg_catalog.pg_constraint WHERE conrelid = '"
            + table + "'::regclass AND contype = 'c'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private String columnType(String table, String column) throws SQLException {
    try (Connection c = fx.plain(); Statement s = c.createStatement(); ResultSet rs =
        s.executeQuery("SELECT format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute"
            + " WHERE attrelid = '" + table + "'::regclass AND attname = '" + column + "'")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  /** The warnings the tools log while it is open. */
  private static final class Warnings extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("org.veil.tools");
    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

    Warnings() {
      logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        lines.add(r.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }

    List<String> lines() {
      return List.copyOf(lines);
    }
  }

  // ------------------------------------------------------------------ encrypt-existing

  @Test
  void encryptExistingSealsPlaintextBoundToItsRowSoThatACellSwappedBetweenRowsFails()
      throws Exception {
    createTable();
    fillPlaintext();

    assertThat(fx.run("encrypt-existing", "--table", "tool_bound", "--batch-size", "64"))
        .isZero();

    Map<Long, List<Object>> stored = stored("tool_bound");
    for (long id = 1; id <= ROWS; id++) {
      for (byte[] cell : cells(stored.get(id))) {
        assertThat(Arrays.copyOf(cell, 4)).as("format v3 kind 0 cell of %d", id)
            .isEqualTo(new byte[] {0x56, 0x4c, 3, 0});
      }
    }
    assertThat(stored.get(1L).get(0).toString()).doesNotContain(TAG);
    assertThat(valuesThroughVeil()).isEqualTo(expectedValues());
    assertThat(checkConstraints("tool_bound")).as("the columns' guards").isEqualTo(2);

    swapAsAttacker("tool_bound", "secret", 1, 2);
    swapAsAttacker("tool_bound", "note", 3, 4);
    for (long id = 1; id <= 4; id++) {
      assertDoesNotOpen(id <= 2 ? "secret" : "note", id);
    }
    assertThat(readThroughVeil("secret", 3)).isEqualTo(secretOf(3));
    assertThat(readThroughVeil("note", 1)).isEqualTo(new String(noteOf(1),
        StandardCharsets.UTF_8));
  }

  @Test
  void encryptExistingLeavesPlaintextInARowWhoseBindingColumnIsNullAndAddsNoGuard()
      throws Exception {
    createTable();
    fillPlaintext();
    fx.exec("UPDATE tool_bound SET account = NULL WHERE id IN (5, 6)");

    ToolFixture.Output run;
    try (Warnings warnings = new Warnings()) {
      run = fx.runCapturingErr("encrypt-existing", "--table", "tool_bound");
      assertThat(warnings.lines()).hasSize(2).allSatisfy(w -> assertThat(w)
          .contains("public.tool_bound.note").contains("public.tool_bound.account is NULL")
          .doesNotContain(TAG));
    }

    assertThat(run.exit()).isEqualTo(CELLS_FAILED);
    assertThat(run.text()).contains("2 cells that do not open").contains("were not added");
    Map<Long, List<Object>> stored = stored("tool_bound");
    for (long id = 1; id <= ROWS; id++) {
      assertThat(cellOfText(stored.get(id).get(0))).as("secret of %d, bound by id", id)
          .startsWith(0x56, 0x4c, 3);
      if (id == 5 || id == 6) {
        assertThat((byte[]) stored.get(id).get(1)).as("note of %d, left plaintext", id)
            .isEqualTo(noteOf(id));
      } else {
        assertThat((byte[]) stored.get(id).get(1)).as("note of %d", id)
            .startsWith(0x56, 0x4c, 3);
      }
    }
    assertThat(checkConstraints("tool_bound")).as("guards").isZero();

    // As the message says: give those rows a binding value and run again.
    fx.exec("UPDATE tool_bound SET account = '" + accountOf(5) + "' WHERE id = 5",
        "UPDATE tool_bound SET account = '" + accountOf(6) + "' WHERE id = 6");
    assertThat(fx.run("encrypt-existing", "--table", "tool_bound", "--restart")).isZero();
    assertThat(valuesThroughVeil()).isEqualTo(expectedValues());
    assertThat(checkConstraints("tool_bound")).as("guards").isEqualTo(2);
  }

  @Test
  void jobsRefuseARowBoundColumnWhoseBindingColumnDoesNotExist() throws Exception {
    // A fixture of its own: the driver refuses this configuration on every connection.
    ToolFixture bad = new ToolFixture("tool_bound_bad.secret:bind=nope", "tools-bound-bad");
    bad.exec("DROP TABLE IF EXISTS tool_bound_bad",
        "CREATE TABLE tool_bound_bad (id bigint PRIMARY KEY, secret text)",
        "INSERT INTO tool_bound_bad VALUES (1, 'a " + TAG + "')");

    ToolFixture.Output refused = bad.runCapturingErr("encrypt-existing", "--table",
        "tool_bound_bad");

    assertThat(refused.exit()).isEqualTo(org.veil.tools.Veil.REFUSED);
    assertThat(refused.text()).contains("public.tool_bound_bad.secret:bind=nope")
        .contains("has no column nope").contains("SQLSTATE 42703");
    assertThat(stored("tool_bound_bad").get(1L).get(0)).isEqualTo("a " + TAG);
    bad.exec("DROP TABLE tool_bound_bad");
  }

  // ------------------------------------------------------------------ rotate-branch

  @Test
  void rotateBranchRewrapsBoundCellsKeepingTheirPayloadsAndTheirRows() throws Exception {
    createTable();
    fillThroughVeil();
    Map<Long, List<Object>> before = stored("tool_bound");
    UUID retired = activeBranchKey();

    assertThat(fx.run("rotate-branch", "--table", "tool_bound", "--retire", retired.toString(),
        "--batch-size", "64")).isZero();

    UUID active = activeBranchKey();
    assertThat(active).isNotEqualTo(retired);
    Map<Long, List<Object>> after = stored("tool_bound");
    for (long id = 1; id <= ROWS; id++) {
      byte[][] was = cells(before.get(id));
      byte[][] now = cells(after.get(id));
      for (int c = 0; c < 2; c++) {
        assertThat(Arrays.copyOf(was[c], 4)).isEqualTo(new byte[] {0x56, 0x4c, 3, 0});
        assertThat(Arrays.copyOf(now[c], 4)).as("kind 3 cell of %d", id)
            .isEqualTo(new byte[] {0x56, 0x4c, 3, 3});
        assertThat(keyOf(now[c])).as("key of %d", id).isEqualTo(active);
        assertThat(payload(now[c])).as("IV, ciphertext and tag of %d", id)
            .isEqualTo(payload(was[c]));
      }
    }
    assertThat(valuesThroughVeil()).isEqualTo(expectedValues());
    swapAsAttacker("tool_bound", "secret", 1, 2);
    swapAsAttacker("tool_bound", "note", 3, 4);
    for (long id = 1; id <= 4; id++) {
      assertDoesNotOpen(id <= 2 ? "secret" : "note", id);
    }
  }

  @Test
  void rotateBranchWithResealSealsFreshCellsBoundToTheirRows() throws Exception {
    createTable();
    fillThroughVeil();
    Map<Long, List<Object>> before = stored("tool_bound");
    UUID retired = activeBranchKey();

    assertThat(fx.run("rotate-branch", "--table", "tool_bound", "--retire", retired.toString(),
        "--reseal")).isZero();

    UUID active = activeBranchKey();
    Map<Long, List<Object>> after = stored("tool_bound");
    for (long id = 1; id <= ROWS; id++) {
      byte[][] was = cells(before.get(id));
      byte[][] now = cells(after.get(id));
      for (int c = 0; c < 2; c++) {
        assertThat(keyOf(now[c])).as("key of %d", id).isEqualTo(active);
        assertThat(payload(now[c])).as("payload of %d", id).isNotEqualTo(payload(was[c]));
      }
    }
    assertThat(valuesThroughVeil()).isEqualTo(expectedValues());
    swapAsAttacker("tool_bound", "secret", 1, 2);
    swapAsAttacker("tool_bound", "note", 3, 4);
    for (long id = 1; id <= 4; id++) {
      assertDoesNotOpen(id <= 2 ? "secret" : "note", id);
    }
  }

  @Test
  void rotateBranchLeavesACellInARowWhoseBindingColumnIsNullUnderTheRetiredKey()
      throws Exception {
    createTable();
    fillThroughVeil();
    fx.exec("UPDATE tool_bound SET account = NULL WHERE id = 7");
    Map<Long, List<Object>> before = stored("tool_bound");
    UUID retired = activeBranchKey();

    int exit;
    try (Warnings warnings = new Warnings()) {
      exit = fx.run("rotate-branch", "--table", "tool_bound", "--retire", retired.toString());
      assertThat(warnings.lines()).singleElement().asString()
          .contains("public.tool_bound.note").contains("public.tool_bound.account is NULL")
          .contains(retired.toString());
    }

    assertThat(exit).isEqualTo(CELLS_FAILED);
    Map<Long, List<Object>> after = stored("tool_bound");
    assertThat((byte[]) after.get(7L).get(1)).as("note of row 7")
        .isEqualTo((byte[]) before.get(7L).get(1));
    assertThat(keyOf(cellOfText(after.get(7L).get(0)))).as("secret of row 7, bound by id")
        .isEqualTo(activeBranchKey());
    assertThat(keyOf((byte[]) after.get(8L).get(1))).as("note of row 8")
        .isEqualTo(activeBranchKey());
  }

  // ------------------------------------------------------------------ decrypt-column

  @Test
  void decryptColumnOpensBoundCellsWithTheirRowsAndLeavesASwappedCellSealed()
      throws Exception {
    createTable();
    fillThroughVeil();
    swapAsAttacker("tool_bound", "secret", 1, 2);

    assertThat(fx.run("decrypt-column", "--table", "tool_bound", "--batch-size", "64"))
        .isEqualTo(CELLS_FAILED);

    Map<Long, List<Object>> stored = stored("tool_bound");
    for (long id = 1; id <= ROWS; id++) {
      assertThat((byte[]) stored.get(id).get(1)).as("note of %d", id).isEqualTo(noteOf(id));
      if (id <= 2) {
        assertThat(cellOfText(stored.get(id).get(0))).as("swapped secret of %d", id)
            .startsWith(0x56, 0x4c, 3);
      } else {
        assertThat(stored.get(id).get(0)).as("secret of %d", id).isEqualTo(secretOf(id));
      }
    }
  }

  @Test
  void decryptColumnLeavesACellInARowWhoseBindingColumnIsNullSealed() throws Exception {
    createTable();
    fillThroughVeil();
    fx.exec("UPDATE tool_bound SET account = NULL WHERE id = 9");
    byte[] sealed = (byte[]) stored("tool_bound").get(9L).get(1);

    assertThat(fx.run("decrypt-column", "--table", "tool_bound", "--columns", "note"))
        .isEqualTo(CELLS_FAILED);

    Map<Long, List<Object>> stored = stored("tool_bound");
    assertThat((byte[]) stored.get(9L).get(1)).isEqualTo(sealed);
    assertThat((byte[]) stored.get(10L).get(1)).isEqualTo(noteOf(10));
  }

  // ------------------------------------------------------------------ status --verify

  private ToolFixture.Output verify() {
    return fx.runCapturingOut("status", "--table", "tool_bound", "--verify");
  }

  @Test
  void statusVerifyOpensBoundCellsAndCountsASwappedOneAsNotDecryptable() throws Exception {
    createTable();
    fillThroughVeil();
    UUID key = activeBranchKey();

    ToolFixture.Output clean = verify();
    assertThat(clean.exit()).isZero();
    assertThat(clean.text()).doesNotContain("not decryptable").doesNotContain("not verified")
        .containsPattern("cell, branch key " + key + " +" + ROWS + "\\R");

    swapAsAttacker("tool_bound", "secret", 1, 2);
    ToolFixture.Output swapped = verify();

    assertThat(swapped.exit()).isEqualTo(CELLS_FAILED);
    assertThat(swapped.text()).containsPattern("not decryptable: cell, branch key " + key
        + " +2\\R").containsPattern("cell, branch key " + key + " +" + (ROWS - 2) + "\\R");
  }

  @Test
  void statusVerifyCountsACellInARowWhoseBindingColumnIsNullAsNotDecryptable()
      throws Exception {
    createTable();
    fillThroughVeil();
    fx.exec("UPDATE tool_bound SET account = NULL WHERE id = 11");

    ToolFixture.Output status = verify();

    assertThat(status.exit()).isEqualTo(CELLS_FAILED);
    assertThat(status.text()).containsPattern("not decryptable: cell, branch key "
        + activeBranchKey() + " \\(in a row whose account is NULL\\) +1\\R");
  }

  // ------------------------------------------------------------------ --convert-to-bytea

  private void createConvTable() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS tool_bound_conv CASCADE",
        "CREATE TABLE tool_bound_conv (id bigint PRIMARY KEY, account uuid, secret text)",
        "INSERT INTO tool_bound_conv SELECT g, md5('account ' || g)::uuid,"
            + " 'secret ' || g || ' " + TAG + "' FROM generate_series(1, " + ROWS + ") g",
        "DROP TABLE IF EXISTS tool_bound_conv_jobs, tool_bound_conv_jobs_ranges,"
            + " tool_bound_conv_jobs_progress, tool_bound_conv_jobs_conversions CASCADE");
  }

  private static final String[] CONVERT = {"--table", "tool_bound_conv", "--convert-to-bytea",
      "--job-table", "tool_bound_conv_jobs"};

  private Map<Long, Object> convertedThroughVeil() throws SQLException {
    Map<Long, Object> values = new HashMap<>();
    try (Connection c = fx.server.veilConnection(strict()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, account, secret FROM tool_bound_conv")) {
      while (rs.next()) {
        values.put(rs.getLong(1), rs.getString(3));
      }
    }
    return values;
  }

  private static Map<Long, Object> expectedConverted() {
    Map<Long, Object> values = new HashMap<>();
    for (long id = 1; id <= ROWS; id++) {
      values.put(id, "secret " + id + " " + TAG);
    }
    return values;
  }

  @Test
  void convertToByteaSealsABoundTextColumnIntoBoundByteaCells() throws Exception {
    createConvTable();

    assertThat(fx.run("encrypt-existing", CONVERT)).isZero();

    assertThat(columnType("tool_bound_conv", "secret")).isEqualTo("bytea");
    assertThat(convertedThroughVeil()).isEqualTo(expectedConverted());
    swapAsAttacker("tool_bound_conv", "secret", 1, 2);
    try (Connection c = fx.server.veilConnection(strict()); PreparedStatement ps =
        c.prepareStatement("SELECT secret, account FROM tool_bound_conv WHERE id = ?")) {
      ps.setLong(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        SQLException e = org.assertj.core.api.Assertions.catchThrowableOfType(
            SQLException.class, () -> rs.getString(1));
        assertThat(e.getSQLState()).isEqualTo("22000");
      }
    }
  }

  @Test
  void convertToByteaDoesNotSwapWhileAValueInARowWhoseBindingColumnIsNullIsPlaintext()
      throws Exception {
    createConvTable();
    fx.exec("UPDATE tool_bound_conv SET account = NULL WHERE id = 12");

    ToolFixture.Output run = fx.runCapturingErr("encrypt-existing", CONVERT);

    assertThat(run.exit()).isEqualTo(CELLS_FAILED);
    assertThat(run.text()).contains("were not swapped for bytea");
    assertThat(columnType("tool_bound_conv", "secret")).as("not swapped").isEqualTo("text");
    assertThat(stored("tool_bound_conv").get(12L).get(0)).isEqualTo("secret 12 " + TAG);

    fx.exec("UPDATE tool_bound_conv SET account = md5('account 12')::uuid WHERE id = 12");
    assertThat(fx.run("encrypt-existing", ToolFixture.concat(CONVERT, "--restart"))).isZero();
    assertThat(columnType("tool_bound_conv", "secret")).isEqualTo("bytea");
    assertThat(convertedThroughVeil()).isEqualTo(expectedConverted());
  }
}
