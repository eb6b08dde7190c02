package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Transparent column encryption against the real server: values go in sealed and come back
 * opened, the database holds only cells, and SQL that would leak is refused.
 */
class EncryptionIT {

  /** Every plaintext written to an encrypted column carries this tag, so the log can be scanned. */
  private static final String TAG = "plain" + Long.toHexString(new java.util.Random().nextLong());

  private static final String COLUMNS = "customers.ssn, customers.email:deterministic,"
      + " customers.notes, customers.secret, vault.things.code:deterministic";

  private static PostgresServer server;
  private static Path keyFile;
  private static Properties veil;

  @BeforeAll
  static void setUp() throws SQLException {
    NoSecretsInLogs.register(TAG);
    server = TestPostgres.shared();
    keyFile = EncryptedTables.newMasterKeyFile();
    veil = EncryptedTables.veilSettings(keyFile, COLUMNS, "encryption-it");
    EncryptedTables.execPlain(server,
        "DROP TABLE IF EXISTS orders", "DROP VIEW IF EXISTS customer_names",
        "DROP TABLE IF EXISTS customers", "DROP SCHEMA IF EXISTS vault CASCADE",
        "CREATE TABLE customers (id serial PRIMARY KEY, name text, ssn bytea, email bytea UNIQUE,"
            + " notes text, secret bytea, age int)",
        "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers,"
            + " total numeric)",
        "CREATE VIEW customer_names AS SELECT id, name, ssn FROM customers",
        "DROP VIEW IF EXISTS renamed_ssn",
        "CREATE VIEW renamed_ssn AS SELECT id, ssn AS social FROM customers",
        "CREATE SCHEMA vault",
        "CREATE TABLE vault.\"things\" (id int PRIMARY KEY, code text)");
  }

  @BeforeEach
  void emptyTables() throws SQLException {
    EncryptedTables.execPlain(server, "TRUNCATE orders, customers, vault.things RESTART IDENTITY");
  }

  private static Connection veil() throws SQLException {
    return server.veilConnection(veil);
  }

  private static int insertCustomer(Connection c, String name, String ssn, String email)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO customers (name, ssn, email, notes) VALUES (?, ?, ?, ?) RETURNING id")) {
      ps.setString(1, name);
      ps.setString(2, ssn);
      ps.setString(3, email);
      ps.setString(4, "notes of " + name + " " + TAG);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static byte[] storedBytes(String column, int id) throws SQLException {
    try (Connection c = server.plainConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT " + column + " FROM customers WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBytes(1);
      }
    }
  }

  @Test
  void valuesRoundTripAndTheDatabaseHoldsOnlyCells() throws SQLException {
    String ssn = "123-45-6789-" + TAG;
    int id;
    try (Connection c = veil()) {
      id = insertCustomer(c, "Ada", ssn, "ada-" + TAG + "@example.com");
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, ssn, email, notes FROM customers WHERE id = ?")) {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("name")).isEqualTo("Ada");
          assertThat(rs.getString("ssn")).isEqualTo(ssn);
          assertThat(rs.getObject(3)).isEqualTo("ada-" + TAG + "@example.com");
          assertThat(rs.getString(4)).isEqualTo("notes of Ada " + TAG);
        }
      }
    }
    byte[] stored = storedBytes("ssn", id);
    assertThat(new String(stored, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("VL");
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(TAG);
    String notes = new String(storedBytes("notes", id), StandardCharsets.UTF_8);
    assertThat(notes).startsWith("veil:").doesNotContain(TAG).doesNotContain("Ada");
  }

  @Test
  void equalValuesGiveDifferentRandomizedCellsAndEqualDeterministicCells() throws SQLException {
    int first;
    int second;
    try (Connection c = veil()) {
      first = insertCustomer(c, "A", "same-" + TAG, "one-" + TAG);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO customers (ssn, email) VALUES (?, ?) RETURNING id")) {
        ps.setString(1, "same-" + TAG);
        ps.setString(2, "two-" + TAG);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          second = rs.getInt(1);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO vault.things (id, code) VALUES (?, ?)")) {
        ps.setInt(1, 1);
        ps.setString(2, "code-" + TAG);
        ps.addBatch();
        ps.setInt(1, 2);
        ps.setString(2, "code-" + TAG);
        ps.addBatch();
        ps.executeBatch();
      }
    }
    assertThat(storedBytes("ssn", first)).isNotEqualTo(storedBytes("ssn", second));
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(DISTINCT code), min(code) FROM vault.things")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getString(2)).startsWith("veil:").doesNotContain(TAG);
    }
  }

  @Test
  void lookupUpdateAndDeleteByDeterministicColumn() throws SQLException {
    try (Connection c = veil()) {
      insertCustomer(c, "Bob", "bob-ssn-" + TAG, "bob-" + TAG);
      insertCustomer(c, "Cy", "cy-ssn-" + TAG, "cy-" + TAG);
      insertCustomer(c, "Di", "di-ssn-" + TAG, "di-" + TAG);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT c.name, c.ssn AS s FROM customers c WHERE c.email = ?")) {
        ps.setString(1, "cy-" + TAG);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("name")).isEqualTo("Cy");
          assertThat(rs.getString("s")).isEqualTo("cy-ssn-" + TAG);
          assertThat(rs.next()).isFalse();
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name FROM customers WHERE email IN (?, ?) ORDER BY name")) {
        ps.setString(1, "bob-" + TAG);
        ps.setObject(2, "di-" + TAG);
        assertThat(names(ps)).containsExactly("Bob", "Di");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE customers SET ssn = ?, name = ? WHERE email = ?")) {
        ps.setString(1, "bob-new-ssn-" + TAG);
        ps.setString(2, "Robert");
        ps.setString(3, "bob-" + TAG);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM customers WHERE email = ?")) {
        ps.setString(1, "di-" + TAG);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, ssn FROM customers WHERE email <> ? ORDER BY name")) {
        ps.setString(1, "cy-" + TAG);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("Robert");
          assertThat(rs.getString(2)).isEqualTo("bob-new-ssn-" + TAG);
          assertThat(rs.next()).isFalse();
        }
      }
    }
  }

  private static List<String> names(PreparedStatement ps) throws SQLException {
    List<String> names = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  @Test
  void upsertBatchesAndGeneratedKeys() throws SQLException {
    Properties rewrite = new Properties();
    rewrite.putAll(veil);
    rewrite.setProperty("reWriteBatchedInserts", "true");
    try (Connection c = server.veilConnection(rewrite)) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO customers (name, ssn, email) VALUES (?, ?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        for (int i = 0; i < 50; i++) {
          ps.setString(1, "n" + i);
          ps.setString(2, "ssn" + i + TAG);
          ps.setString(3, "e" + i + TAG);
          ps.addBatch();
        }
        ps.executeBatch();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          int count = 0;
          while (keys.next()) {
            count++;
            assertThat(keys.getString("ssn")).isEqualTo("ssn" + (keys.getInt("id") - 1) + TAG);
          }
          assertThat(count).isEqualTo(50);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, ssn, email)"
          + " VALUES (?, ?, ?) ON CONFLICT (email) DO UPDATE SET ssn = EXCLUDED.ssn,"
          + " notes = ? RETURNING id, ssn, notes")) {
        ps.setString(1, "ignored");
        ps.setString(2, "ssn-upserted-" + TAG);
        ps.setString(3, "e7" + TAG);
        ps.setString(4, "upserted " + TAG);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(8);
          assertThat(rs.getString(2)).isEqualTo("ssn-upserted-" + TAG);
          assertThat(rs.getString(3)).isEqualTo("upserted " + TAG);
        }
      }
    }
  }

  @Test
  void everyValueTypeComesBackAsSet() throws SQLException {
    Object[][] cases = {
        {"text", "héllo " + TAG},
        {"empty text", ""},
        {"bytes", new byte[] {1, 2, 3, (byte) 0xff}},
        {"empty bytes", new byte[0]},
        {"int", 42},
        {"long", Long.MAX_VALUE},
        {"numeric", new BigDecimal("1234.5600")},
        {"boolean", true},
        {"double", 2.5d},
        {"date", LocalDate.of(2024, 2, 29)},
        {"time", LocalTime.of(23, 59, 58)},
        {"timestamp", LocalDateTime.of(2024, 2, 29, 13, 14, 15, 123456000)},
        {"timestamptz", OffsetDateTime.of(2024, 2, 29, 13, 14, 15, 0, ZoneOffset.ofHours(3))},
        {"uuid", UUID.fromString("6f1c7e1a-4a4e-4f0a-9c57-1a2b3c4d5e6f")},
    };
    try (Connection c = veil()) {
      for (Object[] kase : cases) {
        EncryptedTables.execPlain(server, "TRUNCATE customers RESTART IDENTITY CASCADE");
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO customers (secret) VALUES (?)")) {
          ps.setObject(1, kase[1]);
          ps.executeUpdate();
        }
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT secret FROM customers")) {
          rs.next();
          Object value = rs.getObject(1, kase[1].getClass());
          if (kase[1] instanceof byte[] bytes) {
            assertThat((byte[]) value).as((String) kase[0]).isEqualTo(bytes);
          } else if (kase[1] instanceof OffsetDateTime t) {
            assertThat(((OffsetDateTime) value).toInstant()).as((String) kase[0])
                .isEqualTo(t.toInstant());
          } else {
            assertThat(value).as((String) kase[0]).isEqualTo(kase[1]);
          }
        }
      }
    }
  }

  @Test
  void typedSettersAndGettersConvertAsPgjdbcWould() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO customers (ssn, secret, notes) VALUES (?, ?, ?)")) {
        ps.setInt(1, 1234);
        ps.setDate(2, Date.valueOf("2023-12-31"));
        ps.setBigDecimal(3, new BigDecimal("99.50"));
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT ssn, secret, notes FROM customers")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1234);
        assertThat(rs.getLong(1)).isEqualTo(1234L);
        assertThat(rs.getString(1)).isEqualTo("1234");
        assertThat(rs.getObject(1)).isEqualTo(1234);
        assertThat(rs.getDate(2)).isEqualTo(Date.valueOf("2023-12-31"));
        assertThat(rs.getObject(2)).isEqualTo(Date.valueOf("2023-12-31"));
        assertThat(rs.getTimestamp(2)).isEqualTo(Timestamp.valueOf("2023-12-31 00:00:00"));
        assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("99.50");
        assertThat(rs.getDouble(3)).isEqualTo(99.5);
        assertThat(rs.getString(3)).isEqualTo("99.50");
      }
    }
  }

  @Test
  void resultMetadataReportsTheDeclaredTypeOfEncryptedColumns() throws SQLException {
    Properties typed = EncryptedTables.veilSettings(keyFile,
        "customers.ssn:type=int4, customers.notes, customers.secret:type=date", "encryption-it");
    try (Connection c = server.veilConnection(typed);
        PreparedStatement ps = c.prepareStatement(
            "SELECT name, ssn, notes, secret FROM customers WHERE id = ?")) {
      java.sql.ResultSetMetaData before = ps.getMetaData();
      ps.setInt(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        for (java.sql.ResultSetMetaData md : List.of(before, rs.getMetaData())) {
          assertThat(md.getColumnTypeName(1)).isEqualTo("text");
          assertThat(md.getColumnTypeName(2)).isEqualTo("int4");
          assertThat(md.getColumnType(2)).isEqualTo(Types.INTEGER);
          assertThat(md.getColumnClassName(2)).isEqualTo("java.lang.Integer");
          assertThat(md.getColumnTypeName(3)).isEqualTo("text");
          assertThat(md.getColumnType(4)).isEqualTo(Types.DATE);
          assertThat(md.getColumnName(4)).isEqualTo("secret");
        }
      }
    }
  }

  @Test
  void sqlNullStaysNull() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO customers (name, ssn, email, notes) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, "Nil");
        ps.setNull(2, Types.VARCHAR);
        ps.setString(3, null);
        ps.setObject(4, null);
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT ssn, email, notes FROM customers")) {
        rs.next();
        assertThat(rs.getString(1)).isNull();
        assertThat(rs.wasNull()).isTrue();
        assertThat(rs.getObject(2)).isNull();
        assertThat(rs.getInt(3)).isZero();
        assertThat(rs.wasNull()).isTrue();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name FROM customers WHERE email IS NULL AND ssn IS NULL")) {
        assertThat(names(ps)).containsExactly("Nil");
      }
    }
  }

  @Test
  void joinsAliasesViewsAndSelectStarAreOpenedFromTheRowDescription() throws SQLException {
    try (Connection c = veil()) {
      int id = insertCustomer(c, "Eve", "eve-ssn-" + TAG, "eve-" + TAG);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO orders (customer_id, total) VALUES (" + id + ", 10.5)");
        try (ResultSet rs = s.executeQuery("SELECT o.total, k.ssn AS the_ssn FROM orders o"
            + " JOIN customers k ON k.id = o.customer_id")) {
          rs.next();
          assertThat(rs.getString("the_ssn")).isEqualTo("eve-ssn-" + TAG);
        }
        try (ResultSet rs = s.executeQuery("SELECT * FROM customer_names")) {
          rs.next();
          assertThat(rs.getString("ssn")).isEqualTo("eve-ssn-" + TAG);
        }
        try (ResultSet rs = s.executeQuery("SELECT * FROM customers")) {
          rs.next();
          assertThat(rs.getString("email")).isEqualTo("eve-" + TAG);
        }
      }
    }
  }

  @Test
  void cellReachingAResultUntracedIsRefusedNotReturned() throws SQLException {
    try (Connection c = veil()) {
      insertCustomer(c, "Fay", "fay-ssn-" + TAG, "fay-" + TAG);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT social FROM renamed_ssn")) {
        rs.next();
        assertThatThrownBy(() -> rs.getBytes(1)).isInstanceOf(SQLException.class)
            .hasMessageContaining("social")
            .hasMessageContaining("cannot trace it to an encrypted column");
      }
    }
  }

  @Test
  void writesThroughAViewOfAnEncryptedColumnAreSealed() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO customer_names (name, ssn) VALUES (?, ?)")) {
        ps.setString(1, "Gus");
        ps.setString(2, "gus-ssn-" + TAG);
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT ssn FROM customers WHERE name = 'Gus'")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("gus-ssn-" + TAG);
      }
    }
  }

  @Test
  void viewCreatedThroughVeilAfterConnectingIsSealedOnWrite() throws SQLException {
    try (Connection c = veil()) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP VIEW IF EXISTS late_view");
        s.execute("CREATE VIEW late_view AS SELECT id, name, notes FROM customers");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO late_view (name, notes) VALUES (?, ?)")) {
        ps.setString(1, "Hal");
        ps.setString(2, "late notes " + TAG);
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT notes FROM late_view")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("late notes " + TAG);
      }
    }
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT notes FROM customers WHERE name = 'Hal'")) {
      rs.next();
      assertThat(rs.getString(1)).startsWith("veil:").doesNotContain(TAG);
    }
  }

  @Test
  void schemaQualifiedQuotedAndMixedCaseNamesAreMapped() throws SQLException {
    try (Connection c = veil()) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO Vault.\"things\" (ID, Code) VALUES (?, ?)")) {
        ps.setInt(1, 7);
        ps.setString(2, "seven-" + TAG);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT t.code FROM vault.things AS t WHERE t.CODE = ?")) {
        ps.setString(1, "seven-" + TAG);
        assertThat(names(ps)).containsExactly("seven-" + TAG);
      }
    }
  }

  private static void assertRefused(String sql, String column) throws SQLException {
    try (Connection c = veil()) {
      assertThatThrownBy(() -> {
        try (Statement s = c.createStatement()) {
          s.execute(sql);
        }
      }).isInstanceOf(SQLException.class)
          .hasMessageContaining(column)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isNotBlank())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TAG));
    }
  }

  @Test
  void literalAimedAtAnEncryptedColumnIsRefused() throws SQLException {
    assertRefused("INSERT INTO customers (name, ssn) VALUES ('x', '" + TAG + "')",
        "public.customers.ssn");
    assertRefused("UPDATE customers SET notes = '" + TAG + "'", "public.customers.notes");
    assertRefused("SELECT * FROM customers WHERE email = '" + TAG + "'",
        "public.customers.email");
  }

  @Test
  void operationsTheModeCannotServeAreRefused() throws SQLException {
    try (Connection c = veil()) {
      for (String sql : List.of(
          "SELECT * FROM customers WHERE email LIKE ?",
          "SELECT * FROM customers WHERE ssn = ?",
          "SELECT * FROM customers ORDER BY ssn",
          "SELECT lower(notes) FROM customers",
          "SELECT * FROM customers WHERE email > ?")) {
        assertThatThrownBy(() -> c.prepareStatement(sql).close()).as(sql)
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("public.customers.");
      }
    }
  }

  @Test
  void copyIntoAnEncryptedTableIsRefused() throws SQLException {
    assertRefused("COPY customers (ssn) FROM STDIN", "customers");
  }

  @Test
  void plaintextLeftInAnEncryptedColumnIsAnErrorUnlessAllowed() throws SQLException {
    EncryptedTables.execPlain(server,
        "INSERT INTO customers (name, notes) VALUES ('legacy', 'legacy notes')");
    try (Connection c = veil(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT notes FROM customers")) {
      rs.next();
      assertThatThrownBy(() -> rs.getString(1)).isInstanceOf(SQLException.class)
          .hasMessageContaining("public.customers.notes")
          .hasMessageContaining("veil.plaintextReads")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("legacy notes"));
    }
    Properties allow = new Properties();
    allow.putAll(veil);
    allow.setProperty("veil.plaintextReads", "allow");
    try (Connection c = server.veilConnection(allow); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT notes FROM customers")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("legacy notes");
    }
  }

  @Test
  void tamperedCellIsAnErrorNamingColumnAndKeyNotGarbage() throws SQLException {
    int id;
    try (Connection c = veil()) {
      id = insertCustomer(c, "Tam", "tam-ssn-" + TAG, "tam-" + TAG);
    }
    byte[] cell = storedBytes("ssn", id);
    cell[cell.length - 1] ^= 1;
    try (Connection c = server.plainConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE customers SET ssn = ? WHERE id = ?")) {
      ps.setBytes(1, cell);
      ps.setInt(2, id);
      ps.executeUpdate();
    }
    try (Connection c = veil(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT ssn FROM customers")) {
      rs.next();
      assertThatThrownBy(() -> rs.getString(1)).isInstanceOf(SQLException.class)
          .hasMessageContaining("public.customers.ssn")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22000"));
    }
  }

  @Test
  void configuredColumnThatDoesNotExistIsAClearErrorAtConnect() {
    Properties wrong = EncryptedTables.veilSettings(keyFile, "customers.passport", "x");
    assertThatThrownBy(() -> server.veilConnection(wrong).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("public.customers.passport")
        .hasMessageContaining("ALTER TABLE public.customers ADD COLUMN passport bytea");
  }

  @Test
  void encryptedColumnOfAnotherTypeIsAnErrorNamingTheFix() {
    Properties wrong = EncryptedTables.veilSettings(keyFile, "customers.age", "x");
    assertThatThrownBy(() -> server.veilConnection(wrong).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("public.customers.age is of type int4")
        .hasMessageContaining("ALTER TABLE public.customers ALTER COLUMN age TYPE bytea");
  }

  @AfterAll
  static void serverLogHoldsNoPlaintextOfEncryptedColumns() throws Exception {
    assertThat(NoSecretsInLogs.capturedLines()).as("the driver's log capture saw the key"
        + " creation and connections of this class").isPositive();
    Path log = server.serverLog().orElse(null);
    if (log == null) {
      return;
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(text).as("the suite's statements reached the log").contains("customers");
    // The refusal tests built SQL with the tag in a literal; Veil refused them before the
    // server saw them, so the tag appears nowhere in the log.
    assertThat(text).doesNotContain(TAG);
    assertThat(HexFormat.of().formatHex(TAG.getBytes(StandardCharsets.UTF_8)))
        .satisfies(hex -> assertThat(text).doesNotContain(hex));
  }
}
