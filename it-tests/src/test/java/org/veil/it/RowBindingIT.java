package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Row binding ({@code veil.columns=…:bind=id}) against the real server: a cell copied to another
 * row of its column, as someone with access to the database would copy it, no longer opens there;
 * writes must give the binding value in the same statement, and reads must select it.
 *
 * <p>Found: a cell copied to another row of the same column opened as that row's value (0 of 10
 * swaps detected, randomized and deterministic columns alike): its associated data bound the
 * column's context, not the row. Without {@code :bind} that is still so, and documented.
 */
class RowBindingIT {

  private static final String TAG = "plain" + Long.toHexString(new java.util.Random().nextLong());

  private static final String COLUMNS = "rb_people.ssn:bind=id, rb_people.notes:bind=id,"
      + " rb_accounts.iban:bind=code, rb_tags.secret:bind=label,"
      + " rb_loose.ssn, rb_loose.email:deterministic";

  private static PostgresServer server;
  private static Path keyFile;
  private static Properties veil;

  @BeforeAll
  static void setUp() throws SQLException {
    NoSecretsInLogs.register(TAG);
    server = TestPostgres.shared();
    keyFile = EncryptedTables.newMasterKeyFile();
    veil = EncryptedTables.veilSettings(keyFile, COLUMNS, "row-binding-it");
    EncryptedTables.execPlain(server,
        "DROP TABLE IF EXISTS rb_people, rb_accounts, rb_tags, rb_loose, rb_patients,"
            + " rb_numeric CASCADE",
        "CREATE TABLE rb_people (id bigint PRIMARY KEY, name text, ssn bytea, notes text,"
            + " email text UNIQUE)",
        "CREATE TABLE rb_accounts (code uuid PRIMARY KEY, iban bytea)",
        "CREATE TABLE rb_tags (label varchar(40) PRIMARY KEY, secret bytea)",
        "CREATE TABLE rb_loose (id int PRIMARY KEY, ssn bytea, email bytea)",
        "CREATE TABLE rb_patients (patient_id bigint PRIMARY KEY, diagnosis bytea)",
        "CREATE TABLE rb_numeric (n numeric PRIMARY KEY, secret bytea)",
        "CREATE VIEW rb_people_v AS SELECT id, ssn FROM rb_people",
        "CREATE VIEW rb_people_noid AS SELECT name, ssn FROM rb_people",
        "CREATE OR REPLACE FUNCTION rb_ssn_of(p_id bigint) RETURNS bytea LANGUAGE sql STABLE"
            + " AS 'SELECT ssn FROM rb_people WHERE id = p_id'");
  }

  @BeforeEach
  void emptyTables() throws SQLException {
    EncryptedTables.execPlain(server, "TRUNCATE rb_people, rb_accounts, rb_tags, rb_loose,"
        + " rb_patients");
  }

  private static Connection veil() throws SQLException {
    return server.veilConnection(veil);
  }

  /** Veil with pgjdbc's stringtype=unspecified, so a string may bind an integer or uuid. */
  private static Connection untypedStrings() throws SQLException {
    Properties props = new Properties();
    props.putAll(veil);
    props.setProperty("stringtype", "unspecified");
    return server.veilConnection(props);
  }

  private static String ssnOf(long id) {
    return "ssn-" + id + "-" + TAG;
  }

  private static void insertPeople(Connection c, int count) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO rb_people (id, name, ssn, notes) VALUES (?, ?, ?, ?)")) {
      for (long id = 1; id <= count; id++) {
        ps.setLong(1, id);
        ps.setString(2, "person " + id);
        ps.setString(3, ssnOf(id));
        ps.setString(4, "notes " + ssnOf(id));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** What the first column of {@code sql}'s row for {@code id} reads as: its value, or the error. */
  private static Object read(Connection c, String sql, Object id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("row %s", id).isTrue();
        try {
          return rs.getString(1);
        } catch (SQLException e) {
          return e;
        }
      }
    }
  }

  /** Swaps the stored cells of {@code column} between rows {@code a} and {@code b}, as an attacker. */
  private static void swapAsAttacker(String table, String column, Object a, Object b)
      throws SQLException {
    try (Connection c = server.plainConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE " + table + " t SET " + column + " = o." + column + " FROM " + table + " o"
        + " WHERE (t.id = ? AND o.id = ?) OR (t.id = ? AND o.id = ?)")) {
      ps.setObject(1, a);
      ps.setObject(2, b);
      ps.setObject(3, b);
      ps.setObject(4, a);
      assertThat(ps.executeUpdate()).isEqualTo(2);
    }
  }

  private static SQLException refused(Connection c, String sql, String state,
      ThrowingSetter setter) {
    SQLException e = catchThrowableOfType(SQLException.class, () -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        setter.set(ps);
        ps.executeUpdate();
      }
    });
    assertThat((Throwable) e).as("refusal of %s", sql).isNotNull();
    assertThat(e.getSQLState()).as(sql).isEqualTo(state);
    assertThat(e.getMessage()).as(sql).doesNotContain(TAG);
    return e;
  }

  private interface ThrowingSetter {
    void set(PreparedStatement ps) throws SQLException;
  }

  private static long count(String table) throws SQLException {
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ---------------------------------------------------------------- swaps and replays

  @Test
  void cellSwappedBetweenRowsNoLongerOpensAsTheOtherRowsValue() throws SQLException {
    int detected = 0;
    try (Connection c = veil()) {
      insertPeople(c, 20);
      for (long a = 1; a <= 19; a += 2) {
        long b = a + 1;
        swapAsAttacker("rb_people", "ssn", a, b);
        swapAsAttacker("rb_people", "notes", a, b);
        Object ssnA = read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", a);
        Object ssnB = read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", b);
        Object notesA = read(c, "SELECT notes, id FROM rb_people WHERE id = ?", a);
        for (Object result : new Object[] {ssnA, ssnB, notesA}) {
          assertThat(result).isInstanceOf(SQLException.class);
          SQLException e = (SQLException) result;
          assertThat(e.getSQLState()).isEqualTo("22000");
          assertThat(e.getMessage()).contains("public.rb_people.").contains("bound to their row")
              .doesNotContain(TAG);
        }
        detected++;
      }
    }
    assertThat(detected).isEqualTo(10);
  }

  @Test
  void withoutBindACellSwappedBetweenRowsStillOpensAsTheOtherRowsValue() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_loose (id, ssn, email) VALUES (?, ?, ?)")) {
        for (int id = 1; id <= 20; id++) {
          ps.setInt(1, id);
          ps.setString(2, ssnOf(id));
          ps.setString(3, "mail" + id + "@" + TAG);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      int opened = 0;
      for (int a = 1; a <= 19; a += 2) {
        int b = a + 1;
        swapAsAttacker("rb_loose", "ssn", a, b);
        swapAsAttacker("rb_loose", "email", a, b);
        assertThat(read(c, "SELECT ssn FROM rb_loose WHERE id = ?", a)).isEqualTo(ssnOf(b));
        assertThat(read(c, "SELECT email FROM rb_loose WHERE id = ?", a))
            .isEqualTo("mail" + b + "@" + TAG);
        opened++;
      }
      assertThat(opened).as("swaps that still open without :bind (documented)").isEqualTo(10);
    }
  }

  private static byte[] storedSsn(long id) throws SQLException {
    try (Connection c = server.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT ssn FROM rb_people WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBytes(1);
      }
    }
  }

  private static void putStoredSsn(long id, byte[] cell) throws SQLException {
    try (Connection c = server.plainConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE rb_people SET ssn = ? WHERE id = ?")) {
      ps.setBytes(1, cell);
      ps.setLong(2, id);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  @Test
  void oldCellReplayedIntoItsRowAfterTheBindingColumnChangedFails() throws SQLException {
    try (Connection c = veil()) {
      insertPeople(c, 1);
      byte[] old = storedSsn(1);
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE rb_people SET id = ?, ssn = ?, notes = NULL WHERE id = ?")) {
        ps.setLong(1, 7);
        ps.setString(2, "new-" + TAG);
        ps.setLong(3, 1);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 7L))
          .isEqualTo("new-" + TAG);
      putStoredSsn(7, old);
      Object replayed = read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 7L);
      assertThat(replayed).isInstanceOf(SQLException.class);
      assertThat(((SQLException) replayed).getSQLState()).isEqualTo("22000");
    }
  }

  @Test
  void olderCellOfTheSameRowWithTheSameBindingValueStillOpensAsDocumented() throws SQLException {
    try (Connection c = veil()) {
      insertPeople(c, 1);
      byte[] old = storedSsn(1);
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE rb_people SET ssn = ? WHERE id = ?")) {
        ps.setString(1, "newer-" + TAG);
        ps.setLong(2, 1);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      putStoredSsn(1, old);
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 1L)).isEqualTo(ssnOf(1));
    }
  }

  // ---------------------------------------------------------------- writes

  @Test
  void batchInsertsBindEachRowToItsOwnId() throws SQLException {
    try (Connection c = veil()) {
      insertPeople(c, 5);
      for (long id = 1; id <= 5; id++) {
        assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", id))
            .isEqualTo(ssnOf(id));
      }
    }
  }

  @Test
  void multiRowValuesAndLiteralIdsBindEachRow() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_people (id, ssn) VALUES (?, ?), (11, ?), ('012', ?)")) {
        ps.setLong(1, 10);
        ps.setString(2, ssnOf(10));
        ps.setString(3, ssnOf(11));
        ps.setString(4, ssnOf(12));
        assertThat(ps.executeUpdate()).isEqualTo(3);
      }
      for (long id = 10; id <= 12; id++) {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT ssn, id FROM rb_people WHERE id = ?")) {
          ps.setLong(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getString("ssn")).isEqualTo(ssnOf(id));
          }
        }
      }
    }
  }

  @Test
  void reexecutingWithANewIdSealsAgainForThatRow() throws SQLException {
    try (Connection c = veil(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO rb_people (ssn, id) VALUES (?, ?)")) {
      ps.setString(1, "same-" + TAG);
      ps.setLong(2, 1);
      ps.executeUpdate();
      ps.setLong(2, 2);
      ps.executeUpdate();
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 1L))
          .isEqualTo("same-" + TAG);
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 2L))
          .isEqualTo("same-" + TAG);
    }
  }

  @Test
  void updateByIdAndUpsertOnIdAreBound() throws SQLException {
    try (Connection c = veil()) {
      insertPeople(c, 2);
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE rb_people SET ssn = ? WHERE id = ? AND name IS NOT NULL")) {
        ps.setString(1, "updated-" + TAG);
        ps.setLong(2, 2);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_people (id, ssn) VALUES (?, ?)"
          + " ON CONFLICT (id) DO UPDATE SET ssn = EXCLUDED.ssn")) {
        ps.setLong(1, 1);
        ps.setString(2, "upserted-" + TAG);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 2L))
          .isEqualTo("updated-" + TAG);
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 1L))
          .isEqualTo("upserted-" + TAG);
    }
  }

  @Test
  void everyUnsupportedWriteShapeIsRefusedNamingBothColumnsAndWritesNothing()
      throws SQLException {
    try (Connection c = veil()) {
      insertPeople(c, 2);
      String[][] shapes = {
          {"INSERT INTO rb_people (ssn) VALUES (?)", "Add id to the column list"},
          {"INSERT INTO rb_people (id, ssn) VALUES (DEFAULT, ?)", "DEFAULT"},
          {"INSERT INTO rb_people (id, ssn) VALUES ((SELECT max(id) + 1 FROM rb_people), ?)",
              "a value the server computes"},
          {"INSERT INTO rb_people (id, ssn) SELECT 3, ?", "INSERT ... SELECT"},
          {"UPDATE rb_people SET ssn = ?", "no top-level condition id = ?"},
          {"UPDATE rb_people SET ssn = ? WHERE id IN (1, 2)", "id IN (...)"},
          {"UPDATE rb_people SET ssn = ? WHERE id = 1 OR id = 2", "under OR"},
          {"UPDATE rb_people SET ssn = ? WHERE id > 0", "no top-level condition id = ?"},
          {"UPDATE rb_people SET id = 5, notes = ? WHERE id = 1", "without writing ssn"},
          {"INSERT INTO rb_people (id, email, ssn) VALUES (3, 'x@y', ?)"
              + " ON CONFLICT (email) DO UPDATE SET ssn = EXCLUDED.ssn", "ON CONFLICT (id)"},
      };
      for (String[] shape : shapes) {
        SQLException e = refused(c, shape[0], "42000", ps -> ps.setString(1, "v-" + TAG));
        assertThat(e.getMessage()).as(shape[0]).contains("public.rb_people.")
            .contains("public.rb_people.id").contains(shape[1]);
      }
      assertThat(count("rb_people")).isEqualTo(2);
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 1L)).isEqualTo(ssnOf(1));
    }
  }

  @Test
  void aNullBindingValueIsRefusedBeforeAnythingIsSent() throws SQLException {
    try (Connection c = veil()) {
      SQLException e = refused(c, "INSERT INTO rb_people (id, ssn) VALUES (?, ?)", "42000",
          ps -> {
            ps.setNull(1, Types.BIGINT);
            ps.setString(2, "v-" + TAG);
          });
      assertThat(e.getMessage()).contains("public.rb_people.id").contains("is NULL");
      assertThat(count("rb_people")).isZero();
    }
  }

  // ---------------------------------------------------------------- normalisation

  @Test
  void integerBindingValueIsTheSameWhateverSetterBoundIt() throws SQLException {
    try (Connection c = untypedStrings()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_people (id, ssn) VALUES (?, ?)")) {
        ps.setString(1, "042");
        ps.setString(2, "by-string-" + TAG);
        ps.executeUpdate();
        ps.setInt(1, 43);
        ps.setString(2, "by-int-" + TAG);
        ps.executeUpdate();
        ps.setObject(1, java.math.BigDecimal.valueOf(44));
        ps.setString(2, "by-decimal-" + TAG);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE rb_people SET ssn = ? WHERE id = ?")) {
        ps.setString(1, "by-long-" + TAG);
        ps.setLong(2, 43L);
        assertThat(ps.executeUpdate()).isEqualTo(1);
        ps.setString(1, "by-object-" + TAG);
        ps.setObject(2, 44);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 42L))
          .isEqualTo("by-string-" + TAG);
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 43L))
          .isEqualTo("by-long-" + TAG);
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 44L))
          .isEqualTo("by-object-" + TAG);
    }
  }

  @Test
  void uuidBindingValueIsTheSameFromAUuidAndAnUpperCaseString() throws SQLException {
    UUID code = UUID.randomUUID();
    try (Connection c = untypedStrings()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_accounts (code, iban) VALUES (?, ?)")) {
        ps.setObject(1, code);
        ps.setString(2, "iban-" + TAG);
        ps.executeUpdate();
      }
      assertThat(read(c, "SELECT iban, code FROM rb_accounts WHERE code = ?", code))
          .isEqualTo("iban-" + TAG);
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE rb_accounts SET iban = ? WHERE code = ?")) {
        ps.setString(1, "iban2-" + TAG);
        ps.setString(2, code.toString().toUpperCase(Locale.ROOT));
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(read(c, "SELECT iban, code FROM rb_accounts WHERE code = ?", code))
          .isEqualTo("iban2-" + TAG);
    }
  }

  @Test
  void textBindingValueIsAsItIs() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_tags (label, secret) VALUES (?, ?), ('Ünïcode label', ?)")) {
        ps.setString(1, " padded ");
        ps.setString(2, "s1-" + TAG);
        ps.setString(3, "s2-" + TAG);
        ps.executeUpdate();
      }
      assertThat(read(c, "SELECT secret, label FROM rb_tags WHERE label = ?", " padded "))
          .isEqualTo("s1-" + TAG);
      assertThat(read(c, "SELECT secret, label FROM rb_tags WHERE label = ?", "Ünïcode label"))
          .isEqualTo("s2-" + TAG);
    }
  }

  @Test
  void bindingValueThatDoesNotParseForItsTypeIsRefusedBeforeAnythingIsSent()
      throws SQLException {
    try (Connection c = untypedStrings()) {
      SQLException e = refused(c, "INSERT INTO rb_people (id, ssn) VALUES (?, ?)", "42804",
          ps -> {
            ps.setString(2, "v-" + TAG);
            ps.setString(1, "4x2");
          });
      assertThat(e.getMessage()).contains("public.rb_people.id").contains("public.rb_people.ssn")
          .doesNotContain("4x2");
      SQLException notUuid = refused(c, "INSERT INTO rb_accounts (code, iban) VALUES (?, ?)",
          "42804", ps -> ps.setString(1, "not-a-uuid"));
      assertThat(notUuid.getMessage()).contains("public.rb_accounts.code");
      assertThat(count("rb_people")).isZero();
      assertThat(count("rb_accounts")).isZero();
    }
  }

  // ---------------------------------------------------------------- reads

  @Test
  void readWithoutTheBindingColumnIsRefusedNamingTheColumnToAdd() throws SQLException {
    try (Connection c = veil()) {
      insertPeople(c, 1);
      EncryptedTables.execPlain(server, "INSERT INTO rb_people (id, name) VALUES (2, 'none')");
      for (long id : new long[] {1, 2}) {
        Object result = read(c, "SELECT ssn FROM rb_people WHERE id = ?", id);
        assertThat(result).as("row %s", id).isInstanceOf(SQLException.class);
        SQLException e = (SQLException) result;
        assertThat(e.getSQLState()).isEqualTo("42000");
        assertThat(e.getMessage()).contains("public.rb_people.ssn").contains("Add id");
      }
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 2L)).isNull();
    }
  }

  @Test
  void returningTheBindingColumnOpensAndReturningWithoutItIsRefused() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_people (id, ssn) VALUES (?, ?) RETURNING ssn, id")) {
        ps.setLong(1, 1);
        ps.setString(2, ssnOf(1));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo(ssnOf(1));
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE rb_people SET ssn = ? WHERE id = ? RETURNING ssn")) {
        ps.setString(1, ssnOf(2));
        ps.setLong(2, 1);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          SQLException e = catchThrowableOfType(SQLException.class, () -> rs.getString(1));
          assertThat(e.getSQLState()).isEqualTo("42000");
          assertThat(e.getMessage()).contains("RETURNING").contains("public.rb_people.id");
        }
      }
    }
  }

  @Test
  void aJoinOfTwoRowsOfTheTableReadsEachCellWithItsOwnIdOnlyWhenTheyAgree()
      throws SQLException {
    try (Connection c = veil()) {
      insertPeople(c, 2);
      try (PreparedStatement ps = c.prepareStatement("SELECT a.id, a.ssn, b.id FROM rb_people a"
          + " JOIN rb_people b ON b.id = a.id + 1")) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          SQLException e = catchThrowableOfType(SQLException.class, () -> rs.getString(2));
          assertThat(e.getSQLState()).isEqualTo("42000");
          assertThat(e.getMessage()).contains("self-join");
        }
      }
    }
  }

  @Test
  void viewsStayBoundByTheirColumnOfTheBindingColumnsName() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_people_v (id, ssn) VALUES (?, ?)")) {
        ps.setLong(1, 1);
        ps.setString(2, ssnOf(1));
        ps.executeUpdate();
      }
      assertThat(read(c, "SELECT ssn, id FROM rb_people WHERE id = ?", 1L)).isEqualTo(ssnOf(1));
      assertThat(read(c, "SELECT ssn, id FROM rb_people_v WHERE id = ?", 1L))
          .isEqualTo(ssnOf(1));
      Object noId = read(c, "SELECT ssn FROM rb_people_noid WHERE name IS NULL AND ? > 0", 1);
      assertThat(noId).isInstanceOf(SQLException.class);
      assertThat(((SQLException) noId).getMessage()).contains("public.rb_people_noid.ssn")
          .contains("Add id");
      SQLException write = refused(c, "INSERT INTO rb_people_noid (name, ssn) VALUES ('n', ?)",
          "42000", ps -> ps.setString(1, "v-" + TAG));
      assertThat(write.getMessage()).contains("public.rb_people_noid.id");
    }
  }

  @Test
  void cellOfABoundColumnReturnedByAFunctionIsRefusedClearly() throws SQLException {
    try (Connection c = veil()) {
      insertPeople(c, 1);
      Object result = read(c, "SELECT rb_ssn_of(?)", 1L);
      assertThat(result).isInstanceOf(SQLException.class);
      SQLException e = (SQLException) result;
      assertThat(e.getSQLState()).isEqualTo("22000");
      assertThat(e.getMessage()).contains("public.rb_people.ssn (:bind=id)")
          .contains("bound to its row");
    }
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void annotationFormBindsToThePropertysColumn() throws SQLException {
    Properties props = EncryptedTables.veilSettings(keyFile, "", "row-binding-annotated");
    props.remove("veil.columns");
    props.setProperty("veil.annotatedClasses", "org.veil.it.annotated.BoundPatient");
    try (Connection c = server.veilConnection(props)) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO rb_patients (patient_id, diagnosis) VALUES (?, ?)")) {
        for (long id = 1; id <= 2; id++) {
          ps.setLong(1, id);
          ps.setString(2, "diagnosis " + id + " " + TAG);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      String sql = "SELECT diagnosis, patient_id FROM rb_patients WHERE patient_id = ?";
      assertThat(read(c, sql, 1L)).isEqualTo("diagnosis 1 " + TAG);
      SQLException missing = refused(c, "INSERT INTO rb_patients (diagnosis) VALUES (?)",
          "42000", ps -> ps.setString(1, "x-" + TAG));
      assertThat(missing.getMessage()).contains("public.rb_patients.patient_id");
      swapAsAttackerByKey("rb_patients", "diagnosis", "patient_id", 1, 2);
      Object swapped = read(c, sql, 1L);
      assertThat(swapped).isInstanceOf(SQLException.class);
      assertThat(((SQLException) swapped).getSQLState()).isEqualTo("22000");
    }
  }

  private static void swapAsAttackerByKey(String table, String column, String key, long a,
      long b) throws SQLException {
    try (Connection c = server.plainConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE " + table + " t SET " + column + " = o." + column + " FROM " + table + " o"
        + " WHERE (t." + key + " = ? AND o." + key + " = ?) OR (t." + key + " = ? AND o."
        + key + " = ?)")) {
      ps.setLong(1, a);
      ps.setLong(2, b);
      ps.setLong(3, b);
      ps.setLong(4, a);
      assertThat(ps.executeUpdate()).isEqualTo(2);
    }
  }

  @Test
  void bindingColumnThatDoesNotExistIsRefusedAtFirstConnection() {
    Properties props = EncryptedTables.veilSettings(keyFile, "rb_people.ssn:bind=person_no",
        "row-binding-missing");
    SQLException e = catchThrowableOfType(SQLException.class,
        () -> server.veilConnection(props).close());
    assertThat(e.getSQLState()).isEqualTo("42703");
    assertThat(e.getMessage()).contains("public.rb_people.ssn:bind=person_no")
        .contains("has no column person_no");
  }

  @Test
  void bindingColumnOfATypeWithoutOneTextFormIsRefusedAtFirstConnectionListingTheTypes() {
    Properties props = EncryptedTables.veilSettings(keyFile, "rb_numeric.secret:bind=n",
        "row-binding-numeric");
    SQLException e = catchThrowableOfType(SQLException.class,
        () -> server.veilConnection(props).close());
    assertThat(e.getSQLState()).isEqualTo("42804");
    assertThat(e.getMessage()).contains("public.rb_numeric.n").contains("numeric")
        .contains("smallint, integer, bigint, text, varchar or uuid");
  }

  @Test
  void deterministicBoundColumnIsRefusedByConfiguration() {
    Properties props = EncryptedTables.veilSettings(keyFile,
        "rb_loose.email:deterministic:bind=id", "row-binding-deterministic");
    SQLException e = catchThrowableOfType(SQLException.class,
        () -> server.veilConnection(props).close());
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat(e.getMessage()).contains("public.rb_loose.email")
        .contains("equality token cannot depend on the row");
  }
}
