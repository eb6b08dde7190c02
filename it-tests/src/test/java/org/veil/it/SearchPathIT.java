package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Unqualified table names mean what they mean to the server: the table its search path finds,
 * however the path was set (setSchema, SET, SET LOCAL, RESET, DISCARD ALL, set_config, the URL's
 * options, pgjdbc's currentSchema) and however a transaction ended. Each test writes, updates
 * and looks rows up through the bare name {@code sp_t}, then checks with plain pgjdbc which
 * table holds them and that they are cells of that table: a Veil connection that names the
 * table with its schema opens them and finds them by their deterministic tag.
 */
class SearchPathIT {

  private static final String TAG = "sp" + Long.toHexString(new java.util.Random().nextLong());
  private static final String OTHER = "sp_other";

  /** Both same-named tables encrypted: a wrong resolution seals for the wrong context. */
  private static final String BOTH = "sp_t.sec, sp_t.tag:deterministic,"
      + " sp_other.sp_t.sec, sp_other.sp_t.tag:deterministic";
  /** Only the table in sp_other encrypted: a wrong resolution sends plaintext. */
  private static final String OTHER_ONLY = "sp_other.sp_t.sec, sp_other.sp_t.tag:deterministic,"
      + " sp_other.sp_shadow.sec";

  private static PostgresServer server;
  private static Path keyFile;

  @BeforeAll
  static void setUp() throws SQLException {
    NoSecretsInLogs.register(TAG);
    server = TestPostgres.shared();
    keyFile = EncryptedTables.newMasterKeyFile();
    EncryptedTables.execPlain(server,
        "DROP SCHEMA IF EXISTS sp_other CASCADE", "DROP TABLE IF EXISTS public.sp_t",
        "DROP TABLE IF EXISTS public.sp_shadow",
        "CREATE SCHEMA sp_other",
        // text columns (cells as veil: + base64), as in the report: plaintext bound to one is
        // stored as it is, where a bytea column would refuse it by its type
        "CREATE TABLE public.sp_t (id int PRIMARY KEY, sec text, tag text)",
        "CREATE TABLE sp_other.sp_t (id int PRIMARY KEY, sec text, tag text)",
        "CREATE TABLE sp_other.sp_shadow (id int PRIMARY KEY, sec text)");
  }

  @BeforeEach
  void emptyTables() throws SQLException {
    EncryptedTables.execPlain(server, "TRUNCATE public.sp_t, sp_other.sp_t, sp_other.sp_shadow",
        "DROP TABLE IF EXISTS public.sp_shadow");
  }

  private static Properties settings(String columns, String... pgjdbcSettings) {
    Properties props = EncryptedTables.veilSettings(keyFile, columns, "search-path-it");
    for (int i = 0; i < pgjdbcSettings.length; i += 2) {
      props.setProperty(pgjdbcSettings[i], pgjdbcSettings[i + 1]);
    }
    return props;
  }

  private static Connection veil(String columns, String... pgjdbcSettings) throws SQLException {
    return server.veilConnection(settings(columns, pgjdbcSettings));
  }

  private static String sec(int id) {
    return "sec-" + id + "-" + TAG;
  }

  private static String tag(int id) {
    return "tag-" + id + "-" + TAG;
  }

  /**
   * Inserts row {@code id} through the bare name, updates its sec by its tag, reads it back by
   * its tag, and checks that it went to {@code schema}'s table, sealed for that table.
   */
  private static void roundTripLandsIn(Connection veil, String columns, String schema, int id)
      throws SQLException {
    writeThroughBareName(veil, id);
    assertSealedIn(columns, schema, id);
  }

  /** Inserts row {@code id} through the bare name, updates it and reads it back by its tag. */
  private static void writeThroughBareName(Connection veil, int id) throws SQLException {
    try (PreparedStatement ps = veil.prepareStatement(
        "INSERT INTO sp_t (id, sec, tag) VALUES (?, ?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, "old-" + sec(id));
      ps.setString(3, tag(id));
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    try (PreparedStatement ps = veil.prepareStatement("UPDATE sp_t SET sec = ? WHERE tag = ?")) {
      ps.setString(1, sec(id));
      ps.setString(2, tag(id));
      assertThat(ps.executeUpdate()).as("rows found by tag").isEqualTo(1);
    }
    try (PreparedStatement ps = veil.prepareStatement("SELECT id, sec FROM sp_t WHERE tag = ?")) {
      ps.setString(1, tag(id));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(id);
        assertThat(rs.getString(2)).isEqualTo(sec(id));
        assertThat(rs.next()).isFalse();
      }
    }
  }

  /** With plain pgjdbc: row {@code id} is in {@code schema}.sp_t only, as cells of that table. */
  private static void assertSealedIn(String columns, String schema, int id) throws SQLException {
    String other = schema.equals(OTHER) ? "public" : OTHER;
    assertThat(rowIn(other + ".sp_t", id)).as("a row in %s.sp_t", other).isFalse();
    byte[] stored = storedSec(schema + ".sp_t", id);
    assertThat(stored).as("the row in %s.sp_t", schema).isNotNull();
    assertIsCell(stored);
    try (Connection c = veil(columns); PreparedStatement ps = c.prepareStatement(
        "SELECT sec FROM " + schema + ".sp_t WHERE tag = ?")) {
      ps.setString(1, tag(id));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("row found by its tag in %s.sp_t", schema).isTrue();
        assertThat(rs.getString(1)).isEqualTo(sec(id));
      }
    }
  }

  /** The stored sec of row {@code id} of {@code table}, as UTF-8; null when none. */
  private static byte[] storedSec(String table, int id) throws SQLException {
    try (Connection c = server.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT sec FROM " + table + " WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        String value = rs.next() ? rs.getString(1) : null;
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
      }
    }
  }

  private static boolean rowIn(String table, int id) throws SQLException {
    try (Connection c = server.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table + " WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** A Veil cell in text form ({@code veil:} + base64), not the plaintext. */
  private static void assertIsCell(byte[] stored) {
    String raw = new String(stored, StandardCharsets.ISO_8859_1);
    assertThat(raw).startsWith("veil:").doesNotContain(TAG);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void assertRefused(ThrowingCall call, String sqlState) {
    assertThatThrownBy(call::run).isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(sqlState))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TAG));
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  // Found: the path set any of these ways was not followed

  @Test
  void insertAfterSetSchemaIsSealedInsteadOfStoredAsPlaintext() throws SQLException {
    try (Connection c = veil(OTHER_ONLY)) {
      c.setSchema(OTHER);
      roundTripLandsIn(c, OTHER_ONLY, OTHER, 1);
    }
  }

  @Test
  void insertAfterSetSearchPathIsSealedInsteadOfStoredAsPlaintext() throws SQLException {
    try (Connection c = veil(OTHER_ONLY)) {
      exec(c, "SET search_path = sp_other");
      roundTripLandsIn(c, OTHER_ONLY, OTHER, 2);
    }
  }

  @Test
  void insertWithSearchPathInUrlOptionsIsSealedInsteadOfStoredAsPlaintext()
      throws SQLException {
    try (Connection c = veil(OTHER_ONLY, "options", "-c search_path=sp_other")) {
      roundTripLandsIn(c, OTHER_ONLY, OTHER, 3);
    }
  }

  @Test
  void insertWithPgjdbcCurrentSchemaIsSealedInsteadOfStoredAsPlaintext() throws SQLException {
    try (Connection c = veil(OTHER_ONLY, "currentSchema", OTHER)) {
      roundTripLandsIn(c, OTHER_ONLY, OTHER, 4);
    }
  }

  @Test
  void literalInPlainStatementAfterSetSchemaIsRefusedInsteadOfStoredAsPlaintext()
      throws SQLException {
    try (Connection c = veil(OTHER_ONLY)) {
      c.setSchema(OTHER);
      assertRefused(() -> exec(c, "INSERT INTO sp_t (id, sec) VALUES (5, '" + sec(5) + "')"),
          "42501");
    }
    assertThat(rowIn(OTHER + ".sp_t", 5)).isFalse();
  }

  @Test
  void insertWithBothTablesConfiguredIsSealedForTheTableTheServerResolvesNotForPublic()
      throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setSchema(OTHER);
      roundTripLandsIn(c, BOTH, OTHER, 6);
    }
    // The check above means something: the same cell moved to public.sp_t does not open there.
    EncryptedTables.execPlain(server,
        "INSERT INTO public.sp_t (id, sec) SELECT id, sec FROM sp_other.sp_t WHERE id = 6");
    try (Connection c = veil(BOTH); PreparedStatement ps = c.prepareStatement(
        "SELECT sec FROM public.sp_t WHERE id = 6")) {
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertRefused(() -> rs.getString(1), "22000");
      }
    }
  }

  // Every route to the path, with both tables encrypted

  @Test
  void setLocalSearchPathHoldsUntilCommit() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      exec(c, "SET LOCAL search_path = sp_other");
      writeThroughBareName(c, 10);
      c.commit();
      writeThroughBareName(c, 11);
      c.commit();
    }
    assertSealedIn(BOTH, OTHER, 10);
    assertSealedIn(BOTH, "public", 11);
  }

  @Test
  void setLocalSearchPathEndsAtRollback() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      exec(c, "SET LOCAL search_path = sp_other");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sp_t (id, sec) VALUES (?, ?)")) {
        ps.setInt(1, 12);
        ps.setString(2, sec(12));
        ps.executeUpdate();
      }
      c.rollback();
      writeThroughBareName(c, 13);
      c.commit();
    }
    assertThat(rowIn(OTHER + ".sp_t", 12)).isFalse();
    assertSealedIn(BOTH, "public", 13);
  }

  @Test
  void setSearchPathInRolledBackTransactionReverts() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      writeThroughBareName(c, 14);
      c.commit();
      exec(c, "SET search_path = sp_other");
      c.rollback();
      writeThroughBareName(c, 15);
      c.commit();
    }
    assertSealedIn(BOTH, "public", 14);
    assertSealedIn(BOTH, "public", 15);
  }

  @Test
  void setSearchPathInCommittedTransactionStays() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      exec(c, "SET search_path = sp_other");
      c.commit();
      writeThroughBareName(c, 16);
      c.commit();
    }
    assertSealedIn(BOTH, OTHER, 16);
  }

  @Test
  void setSchemaInRolledBackTransactionReverts() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      c.setSchema(OTHER);
      writeThroughBareName(c, 17);
      c.rollback();
      writeThroughBareName(c, 18);
      c.commit();
    }
    assertThat(rowIn(OTHER + ".sp_t", 17)).isFalse();
    assertSealedIn(BOTH, "public", 18);
  }

  @Test
  void setSearchPathRolledBackToSavepointReverts() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      writeThroughBareName(c, 19);
      Savepoint savepoint = c.setSavepoint();
      exec(c, "SET search_path = sp_other");
      writeThroughBareName(c, 20);
      c.rollback(savepoint);
      writeThroughBareName(c, 21);
      c.commit();
    }
    assertSealedIn(BOTH, "public", 19);
    assertThat(rowIn(OTHER + ".sp_t", 20)).isFalse();
    assertSealedIn(BOTH, "public", 21);
  }

  @Test
  void resetSearchPathReturnsToTheSessionDefault() throws SQLException {
    try (Connection c = veil(BOTH, "options", "-c search_path=sp_other")) {
      exec(c, "SET search_path = public");
      roundTripLandsIn(c, BOTH, "public", 22);
      exec(c, "RESET search_path");
      roundTripLandsIn(c, BOTH, OTHER, 23);
    }
  }

  @Test
  void resetAllReturnsToTheSessionDefault() throws SQLException {
    try (Connection c = veil(BOTH, "options", "-c search_path=sp_other")) {
      c.setSchema("public");
      roundTripLandsIn(c, BOTH, "public", 24);
      exec(c, "RESET ALL");
      roundTripLandsIn(c, BOTH, OTHER, 25);
    }
  }

  @Test
  void discardAllReturnsToTheSessionDefault() throws SQLException {
    try (Connection c = veil(BOTH, "options", "-c search_path=sp_other")) {
      c.setSchema("public");
      roundTripLandsIn(c, BOTH, "public", 26);
      exec(c, "DISCARD ALL");
      roundTripLandsIn(c, BOTH, OTHER, 27);
    }
  }

  @Test
  void setConfigSearchPathIsFollowed() throws SQLException {
    try (Connection c = veil(BOTH); Statement s = c.createStatement()) {
      s.executeQuery("SELECT set_config('search_path', 'sp_other', false)").close();
      roundTripLandsIn(c, BOTH, OTHER, 28);
    }
  }

  @Test
  void setConfigWithBoundSettingNameIsFollowed() throws SQLException {
    try (Connection c = veil(BOTH);
        PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, false)")) {
      ps.setString(1, "search_path");
      ps.setString(2, OTHER);
      ps.executeQuery().close();
      roundTripLandsIn(c, BOTH, OTHER, 29);
    }
  }

  @Test
  void setConfigLocalEndsAtCommit() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT set_config('search_path', ?, true)")) {
        ps.setString(1, OTHER);
        ps.executeQuery().close();
      }
      writeThroughBareName(c, 30);
      c.commit();
      writeThroughBareName(c, 31);
      c.commit();
    }
    assertSealedIn(BOTH, OTHER, 30);
    assertSealedIn(BOTH, "public", 31);
  }

  // What exists on the path, and who asks

  @Test
  void unqualifiedNameMeansThePublicTableOnlyWhileOneExists() throws SQLException {
    try (Connection c = veil(OTHER_ONLY)) {
      exec(c, "SET search_path = public, sp_other");
      insertShadow(c, 40, sec(40));
      assertIsCell(storedShadow(OTHER, 40));

      exec(c, "CREATE TABLE public.sp_shadow (id int PRIMARY KEY, sec text)");
      insertShadow(c, 41, "plain-41");
      assertThat(storedShadow("public", 41)).isEqualTo("plain-41".getBytes(StandardCharsets.UTF_8));
      assertThat(storedShadow(OTHER, 41)).isNull();

      exec(c, "DROP TABLE public.sp_shadow");
      insertShadow(c, 42, sec(42));
      assertIsCell(storedShadow(OTHER, 42));
    }
  }

  private static void insertShadow(Connection c, int id, String sec) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO sp_shadow (id, sec) VALUES (?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, sec);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  private static byte[] storedShadow(String schema, int id) throws SQLException {
    return storedSec(schema + ".sp_shadow", id);
  }

  @Test
  void temporaryTableOfTheSameNameShadowsTheEncryptedOne() throws SQLException {
    try (Connection c = veil(BOTH)) {
      exec(c, "CREATE TEMPORARY TABLE sp_t (id int PRIMARY KEY, sec text, tag text)");
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO sp_t (id, sec, tag) VALUES (?, ?, ?)")) {
        ps.setInt(1, 43);
        ps.setString(2, "plain-43");
        ps.setString(3, "plain-tag-43");
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT sec FROM pg_temp.sp_t WHERE id = 43")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("plain-43");
      }
      exec(c, "DROP TABLE pg_temp.sp_t");
      roundTripLandsIn(c, BOTH, "public", 44);
    }
    assertThat(rowIn("public.sp_t", 43)).isFalse();
  }

  @Test
  void twoConnectionsWithDifferentSearchPathsSealForTheirOwnTables() throws SQLException {
    try (Connection onPublic = veil(BOTH); Connection onOther = veil(BOTH)) {
      onOther.setSchema(OTHER);
      roundTripLandsIn(onPublic, BOTH, "public", 50);
      roundTripLandsIn(onOther, BOTH, OTHER, 51);
      roundTripLandsIn(onPublic, BOTH, "public", 52);
      roundTripLandsIn(onOther, BOTH, OTHER, 53);
    }
  }

  @Test
  void readsThroughTheUnqualifiedNameOpenTheCellsOfTheTableItResolvesTo() throws SQLException {
    try (Connection c = veil(BOTH)) {
      for (String schema : new String[] {"public", OTHER}) {
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO " + schema + ".sp_t (id, sec) VALUES (?, ?)")) {
          ps.setInt(1, 60);
          ps.setString(2, schema + "-" + sec(60));
          ps.executeUpdate();
        }
      }
      for (String schema : new String[] {OTHER, "public"}) {
        c.setSchema(schema);
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT t.sec AS s FROM sp_t t WHERE t.id = 60")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("s")).isEqualTo(schema + "-" + sec(60));
        }
      }
    }
  }

  // Statements whose names were resolved before the path changed

  @Test
  void parametersBoundBeforeTheSearchPathChangedAreRefusedUntilBoundAgain() throws SQLException {
    try (Connection c = veil(OTHER_ONLY);
        PreparedStatement ps = c.prepareStatement("INSERT INTO sp_t (id, sec) VALUES (?, ?)")) {
      ps.setInt(1, 70);
      ps.setString(2, "bound-as-plaintext-for-public");
      c.setSchema(OTHER);
      assertRefused(ps::executeUpdate, "55000");
      assertThat(rowIn(OTHER + ".sp_t", 70)).isFalse();
      ps.setString(2, sec(70));
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    assertIsCell(storedSec(OTHER + ".sp_t", 70));
  }

  @Test
  void statementPreparedBeforeTheSearchPathChangedSealsForTheNewTable() throws SQLException {
    try (Connection c = veil(BOTH);
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO sp_t (id, sec, tag) VALUES (?, ?, ?)")) {
      c.setSchema(OTHER);
      insert.setInt(1, 71);
      insert.setString(2, sec(71));
      insert.setString(3, tag(71));
      assertThat(insert.executeUpdate()).isEqualTo(1);
    }
    assertSealedIn(BOTH, OTHER, 71);
  }

  @Test
  void batchBuiltAcrossASearchPathChangeIsRefused() throws SQLException {
    try (Connection c = veil(BOTH);
        PreparedStatement ps = c.prepareStatement("INSERT INTO sp_t (id, sec) VALUES (?, ?)")) {
      ps.setInt(1, 72);
      ps.setString(2, sec(72));
      ps.addBatch();
      c.setSchema(OTHER);
      assertRefused(ps::executeBatch, "55000");
      ps.setInt(1, 73);
      ps.setString(2, sec(73));
      ps.addBatch();
      assertThat(ps.executeBatch()).containsExactly(1);
    }
    assertThat(rowIn("public.sp_t", 72)).isFalse();
    assertThat(rowIn(OTHER + ".sp_t", 72)).isFalse();
    assertThat(rowIn(OTHER + ".sp_t", 73)).isTrue();
  }

  @Test
  void textThatSetsTheSearchPathBeforeNamingAnEncryptedTableIsRefused() throws SQLException {
    try (Connection c = veil(OTHER_ONLY)) {
      assertRefused(() -> c.prepareStatement(
          "SET search_path = sp_other; INSERT INTO sp_t (id, sec) VALUES (?, ?)"), "55000");
      assertRefused(() -> exec(c, "SET search_path = sp_other; INSERT INTO sp_t (id) VALUES (74)"),
          "55000");
    }
    assertThat(rowIn(OTHER + ".sp_t", 74)).isFalse();
  }

  @Test
  void statementBatchThatSetsTheSearchPathBeforeNamingAnEncryptedTableIsRefused()
      throws SQLException {
    try (Connection c = veil(OTHER_ONLY); Statement s = c.createStatement()) {
      s.addBatch("SET search_path = sp_other");
      assertRefused(() -> s.addBatch("INSERT INTO sp_t (id) VALUES (75)"), "55000");
      s.addBatch("INSERT INTO sp_other.sp_t (id) VALUES (76)");
      assertThat(s.executeBatch()).hasSize(2);
    }
    assertThat(rowIn(OTHER + ".sp_t", 75)).isFalse();
  }

  @Test
  void statementBatchCheckedBeforeTheSearchPathChangedIsCheckedAgain() throws SQLException {
    try (Connection c = veil(OTHER_ONLY); Statement s = c.createStatement()) {
      s.addBatch("INSERT INTO sp_t (id, sec) VALUES (80, '" + sec(80) + "')");
      c.setSchema(OTHER);
      assertRefused(s::executeBatch, "42501");
    }
    assertThat(rowIn(OTHER + ".sp_t", 80)).isFalse();
    assertThat(rowIn("public.sp_t", 80)).isFalse();
  }

  @Test
  void readingTheSearchPathBeginsNoTransaction() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      c.setSchema(OTHER);
      c.commit();
      c.prepareStatement("INSERT INTO sp_t (id, sec) VALUES (?, ?)").close();
      // pgjdbc refuses this inside a transaction
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      writeThroughBareName(c, 81);
      c.commit();
    }
    assertSealedIn(BOTH, OTHER, 81);
  }

  @Test
  void searchPathUnknownInFailedTransactionIsRefusedUntilRollback() throws SQLException {
    try (Connection c = veil(BOTH)) {
      c.setAutoCommit(false);
      exec(c, "SET search_path = sp_other");
      assertThatThrownBy(() -> exec(c, "SELECT 1 / 0")).isInstanceOf(SQLException.class);
      assertRefused(() -> c.prepareStatement("INSERT INTO sp_t (id, sec) VALUES (?, ?)"),
          "25P02");
      c.rollback();
      writeThroughBareName(c, 77);
      c.commit();
    }
    assertSealedIn(BOTH, "public", 77);
  }
}
