package org.veil.it.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.jdbc.VeilDriver;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Two databases of one server used from one JVM with identical {@code veil.*} settings: each
 * keeps its keys in its own {@code veil_keys}, so each can be read alone (by a fresh process,
 * after the other is gone), and a cell copied from one into the other does not open.
 */
class KeysPerDatabaseIT {

  private static final String A = "veil_keys_db_a";
  private static final String B = "veil_keys_db_b";
  private static final String KEYRING = "per-database";

  private static PostgresServer server;
  private static Path keyFile;
  private static Properties settings;

  @BeforeAll
  static void setUp() {
    assumeTrue(TestPostgres.canStartServers(), "needs a server that can create databases");
    server = TestPostgres.shared();
    keyFile = KeySettings.newMasterKeyFile();
    settings = KeySettings.of(server, keyFile, KEYRING);
  }

  @BeforeEach
  void freshDatabases() throws SQLException {
    for (String db : List.of(A, B)) {
      server.createDatabase(db);
      try (Connection c = server.plainConnection(db); Statement s = c.createStatement()) {
        s.execute(KeySettings.TABLE_DDL);
      }
    }
  }

  private static void write(VeilDriver driver, String db, int id, String body)
      throws SQLException {
    try (Connection c = driver.connect(server.veilUrl(db), settings);
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO notes (id, body, tag) VALUES (?, ?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, body);
      ps.setString(3, "tag-" + id);
      ps.executeUpdate();
    }
  }

  private static Set<UUID> keyIds(String db) throws SQLException {
    Set<UUID> ids = new HashSet<>();
    try (Connection c = server.plainConnection(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT key_id FROM veil_keys WHERE keyring = '"
            + KEYRING + "'")) {
      while (rs.next()) {
        ids.add(rs.getObject(1, UUID.class));
      }
    }
    return ids;
  }

  @Test
  void secondDatabaseWithTheSameSettingsKeepsItsKeysInItsOwnVeilKeys() throws Exception {
    VeilDriver driver = new VeilDriver();
    write(driver, A, 1, "alpha");
    write(driver, B, 1, "beta");

    Set<UUID> inA = keyIds(A);
    Set<UUID> inB = keyIds(B);
    // A branch key and a deterministic key each, none of them shared.
    assertThat(inA).hasSize(2);
    assertThat(inB).hasSize(2);
    assertThat(inA).doesNotContainAnyElementsOf(inB);
  }

  @Test
  void secondDatabaseReadAloneByAFreshProcessOpensItsCells() throws Exception {
    VeilDriver driver = new VeilDriver();
    write(driver, A, 1, "alpha");
    write(driver, B, 1, "beta");
    write(driver, B, 2, "gamma");

    assertThat(readInFreshProcess(A)).containsExactly("ROW alpha");
    // B alone: the other database is gone, as after restoring B on its own.
    try (Connection c = server.plainConnection(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE " + A + " WITH (FORCE)");
    }
    assertThat(readInFreshProcess(B)).containsExactly("ROW beta", "ROW gamma");
  }

  @Test
  void cellPastedFromOneDatabaseIntoAnotherDoesNotOpen() throws Exception {
    VeilDriver driver = new VeilDriver();
    write(driver, A, 1, "alpha");
    write(driver, B, 1, "beta");
    byte[] cell;
    try (Connection a = server.plainConnection(A); Statement s = a.createStatement();
        ResultSet rs = s.executeQuery("SELECT body FROM notes WHERE id = 1")) {
      rs.next();
      cell = rs.getBytes(1);
    }
    try (Connection b = server.plainConnection(B);
        PreparedStatement ps = b.prepareStatement("INSERT INTO notes (id, body) VALUES (2, ?)")) {
      ps.setBytes(1, cell);
      ps.executeUpdate();
    }

    try (Connection c = driver.connect(server.veilUrl(B), settings);
        PreparedStatement ps = c.prepareStatement("SELECT body FROM notes WHERE id = ?")) {
      ps.setInt(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("beta");
      }
      ps.setInt(1, 2);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThatThrownBy(() -> rs.getString(1))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("public.notes.body")
            .hasMessageContaining("is not in the key store")
            .hasMessageContaining("database " + B)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22000"));
      }
    }
  }

  /** What {@link FreshProcessRead} prints for {@code db}, in a new JVM. */
  private static List<String> readInFreshProcess(String db) throws IOException,
      InterruptedException {
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")),
        FreshProcessRead.class.getName(),
        server.veilUrl(db), server.user(), server.caCertificate().toString(),
        keyFile.toString(), KEYRING);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("VEIL_IT_PASSWORD", server.password());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the child process ended").isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    List<String> lines = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("ROW ") || line.startsWith("ERROR ")) {
        lines.add(line.strip());
      }
    }
    return lines;
  }
}
