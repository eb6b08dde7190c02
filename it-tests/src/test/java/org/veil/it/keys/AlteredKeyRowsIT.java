package org.veil.it.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.crypto.KeyId;
import org.veil.jdbc.VeilDriver;
import org.veil.kms.KeyContext;
import org.veil.kms.LocalKeyProvider;
import org.veil.kms.WrappedKey;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Rows of a real {@code veil_keys} changed with SQL by someone who may write the table but has
 * no master key: each key's wrap binds its key id, keyring and purpose, so a changed row fails
 * closed, in a fresh process reading a cell and in a fresh runtime sealing a new row, with
 * SQLSTATE 58000 naming the key and keyring and saying the row was altered.
 */
class AlteredKeyRowsIT {

  private static final String DB = "veil_keys_altered";
  /** The table as Veil created it before {@code wrap_context}. */
  private static final String OLD_DDL = "CREATE TABLE veil_keys (key_id uuid PRIMARY KEY,"
      + " keyring text NOT NULL, purpose text NOT NULL CHECK (purpose IN ('branch',"
      + " 'deterministic')), provider text NOT NULL, master_key_id text NOT NULL,"
      + " wrapped_key bytea NOT NULL, created_at timestamptz NOT NULL, retired_at timestamptz,"
      + " active boolean NOT NULL);"
      + " CREATE UNIQUE INDEX veil_keys_one_active ON veil_keys (keyring, purpose) WHERE active";
  private static final AtomicInteger RUNTIMES = new AtomicInteger();

  private static PostgresServer server;
  private static Path keyFile;
  private final String keyring = "altered-" + Long.toHexString(new SecureRandom().nextLong());

  @BeforeAll
  static void setUp() {
    assumeTrue(TestPostgres.canStartServers(), "needs a server that can create databases");
    server = TestPostgres.shared();
    keyFile = KeySettings.newMasterKeyFile();
    server.createDatabase(DB);
  }

  @BeforeEach
  void freshTables() throws SQLException {
    sql("DROP TABLE IF EXISTS notes, veil_keys", KeySettings.TABLE_DDL);
  }

  /** Settings of a new runtime (a configuration of its own: nothing cached), for a keyring. */
  private static Properties freshRuntime(String keyring) {
    Properties props = KeySettings.of(server, keyFile, keyring);
    props.setProperty("veil.cache.keyMax", Integer.toString(2000 + RUNTIMES.incrementAndGet()));
    return props;
  }

  private static void insert(Properties settings, int id) throws SQLException {
    try (Connection c = new VeilDriver().connect(server.veilUrl(DB), settings);
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO notes (id, body, tag) VALUES (?, ?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, "body-" + id);
      ps.setString(3, "tag-" + id);
      ps.executeUpdate();
    }
  }

  private static void sql(String... statements) throws SQLException {
    try (Connection c = server.plainConnection(DB); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private static List<String> column(String query) throws SQLException {
    try (Connection c = server.plainConnection(DB); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }

  private String activeKey(String purpose) throws SQLException {
    List<String> ids = column("SELECT key_id FROM veil_keys WHERE keyring = '" + keyring
        + "' AND purpose = '" + purpose + "' AND active");
    assertThat(ids).hasSize(1);
    return ids.get(0);
  }

  /** What {@link FreshProcessRead} prints for the notes of {@link #DB}, in a new JVM. */
  private static List<String> readInFreshProcess(String keyring) throws IOException,
      InterruptedException {
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")),
        FreshProcessRead.class.getName(),
        server.veilUrl(DB), server.user(), server.caCertificate().toString(),
        keyFile.toString(), keyring);
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

  @Test
  void newKeysAreStoredWithTheirWrapContext() throws Exception {
    insert(freshRuntime(keyring), 1);
    assertThat(column("SELECT wrap_context FROM veil_keys WHERE keyring = '" + keyring + "'"))
        .containsExactly("2", "2");
    assertThat(readInFreshProcess(keyring)).containsExactly("ROW body-1");
  }

  @Test
  void relabelledPurposeFailsClosedOnRead() throws Exception {
    insert(freshRuntime(keyring), 1);
    String branch = activeKey("branch");
    sql("UPDATE veil_keys SET purpose = 'deterministic', active = false WHERE key_id = '"
        + branch + "'");

    List<String> read = readInFreshProcess(keyring);
    assertThat(read).hasSize(1);
    assertThat(read.get(0)).startsWith("ERROR 58000 ")
        .contains("key " + branch + " of keyring " + keyring)
        .contains("the row was altered")
        .doesNotContain("body-1");
  }

  @Test
  void relabelledPurposeFailsClosedOnWrite() throws Exception {
    insert(freshRuntime(keyring), 1);
    String branch = activeKey("branch");
    String deterministic = activeKey("deterministic");
    // The deterministic key made the active branch key.
    sql("UPDATE veil_keys SET active = false WHERE key_id = '" + branch + "'",
        "UPDATE veil_keys SET purpose = 'branch' WHERE key_id = '" + deterministic + "'");

    assertThatThrownBy(() -> insert(freshRuntime(keyring), 2))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("key " + deterministic + " of keyring " + keyring)
        .hasMessageContaining("the row was altered")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("58000"));
    assertThat(column("SELECT id FROM notes")).as("no row sealed with it").containsExactly("1");
  }

  @Test
  void relabelledKeyringFailsClosedOnReadAndOnWrite() throws Exception {
    insert(freshRuntime(keyring), 1);
    String other = keyring + "-other";
    sql("UPDATE veil_keys SET keyring = '" + other + "' WHERE keyring = '" + keyring + "'");

    List<String> read = readInFreshProcess(keyring);
    assertThat(read).hasSize(1);
    assertThat(read.get(0)).startsWith("ERROR 58000 ").contains("of keyring " + other)
        .contains("the row was altered");
    assertThatThrownBy(() -> insert(freshRuntime(other), 2))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("of keyring " + other)
        .hasMessageContaining("the row was altered")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("58000"));
  }

  @Test
  void aRowCopiedUnderAnotherKeyIdFailsClosedOnWrite() throws Exception {
    insert(freshRuntime(keyring), 1);
    String branch = activeKey("branch");
    String copy = UUID.randomUUID().toString();
    sql("UPDATE veil_keys SET active = false WHERE key_id = '" + branch + "'",
        "INSERT INTO veil_keys (key_id, keyring, purpose, provider, master_key_id, wrapped_key,"
            + " created_at, active, wrap_context) SELECT '" + copy + "', keyring, purpose,"
            + " provider, master_key_id, wrapped_key, now(), true, wrap_context FROM veil_keys"
            + " WHERE key_id = '" + branch + "'");

    assertThatThrownBy(() -> insert(freshRuntime(keyring), 2))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("key " + copy + " of keyring " + keyring)
        .hasMessageContaining("the row was altered")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("58000"));
    assertThat(readInFreshProcess(keyring)).as("the original row still opens its cells")
        .containsExactly("ROW body-1");
  }

  @Test
  void aNewRowMarkedKeyIdOnlyFailsClosed() throws Exception {
    insert(freshRuntime(keyring), 1);
    String branch = activeKey("branch");
    sql("UPDATE veil_keys SET wrap_context = 1 WHERE key_id = '" + branch + "'");

    List<String> read = readInFreshProcess(keyring);
    assertThat(read).hasSize(1);
    assertThat(read.get(0)).startsWith("ERROR 58000 ")
        .contains("key " + branch + " of keyring " + keyring + " (wrap_context 1)")
        .contains("the row was altered");
    assertThatThrownBy(() -> insert(freshRuntime(keyring), 2))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("the row was altered");
  }

  @Test
  void aKeyTableFromBeforeWrapContextsStillLoadsAndGetsTheColumnWhenAKeyIsAdded()
      throws Exception {
    sql(OLD_DDL);
    KeyId branch = KeyId.random(new SecureRandom());
    KeyId deterministic = KeyId.random(new SecureRandom());
    insertKeyIdOnlyRow(branch, "branch");
    insertKeyIdOnlyRow(deterministic, "deterministic");

    insert(freshRuntime(keyring), 1);
    assertThat(column("SELECT count(*) FROM veil_keys")).as("the old keys seal, as before")
        .containsExactly("2");
    assertThat(readInFreshProcess(keyring)).containsExactly("ROW body-1");

    // A new keyring needs new keys: the store adds the column; the old rows are key id only.
    String newer = keyring + "-new";
    insert(freshRuntime(newer), 2);
    assertThat(column("SELECT keyring || ' ' || wrap_context FROM veil_keys ORDER BY"
        + " keyring, purpose")).containsExactly(keyring + " 1", keyring + " 1",
        newer + " 2", newer + " 2");
    assertThat(readInFreshProcess(keyring)).containsExactly("ROW body-1", "ROW body-2");
  }

  /** A row as a Veil from before wrap contexts wrote it: wrapped with the key id only. */
  private void insertKeyIdOnlyRow(KeyId id, String purpose) throws Exception {
    byte[] material = new byte[32];
    new SecureRandom().nextBytes(material);
    try (LocalKeyProvider master = LocalKeyProvider.ofKey(Files.readAllBytes(keyFile),
        new SecureRandom());
        Connection c = server.plainConnection(DB);
        PreparedStatement ps = c.prepareStatement("INSERT INTO veil_keys (key_id, keyring,"
            + " purpose, provider, master_key_id, wrapped_key, created_at, active) VALUES"
            + " (?, ?, ?, 'local', ?, ?, ?, true)")) {
      WrappedKey wrapped = master.wrap(material, KeyContext.keyIdOnly(id));
      ps.setObject(1, id.toUuid());
      ps.setString(2, keyring);
      ps.setString(3, purpose);
      ps.setString(4, wrapped.masterKeyId());
      ps.setBytes(5, wrapped.blob());
      ps.setTimestamp(6, Timestamp.from(Instant.now()));
      ps.executeUpdate();
    }
  }
}
