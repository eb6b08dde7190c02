package org.veil.it.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.it.NoSecretsInLogs;
import org.veil.testing.PostgresServer;
import org.veil.testing.ServerOptions;
import org.veil.testing.TestPostgres;

/**
 * Reading many cells whose key cannot be unwrapped (only the old master key is configured)
 * through jdbc:veil: every cell fails with the same clear error, and the key store is not asked
 * once per cell over a new TLS connection. Connections are counted by the server itself (its
 * log of authorized connections), not by the driver and not by time.
 */
class FailedKeyLoadsIT {

  private static final int ROWS = 200;

  private static PostgresServer server;

  @BeforeAll
  static void start() {
    assumeTrue(TestPostgres.canStartServers(), "needs a server of its own");
    server = TestPostgres.start(ServerOptions.defaults().withSetting("log_connections", "on"));
    assumeTrue(server.serverLog().isPresent(), "needs the server's log");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private final String keyring = "failed-loads-" + Long.toHexString(new SecureRandom()
      .nextLong());

  private static Path masterKeyFile() throws Exception {
    Path file = Files.createTempDirectory("veil-failed-loads").resolve("master.key");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    NoSecretsInLogs.register(key);
    Files.write(file, key);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private Properties settings(Path masterKey, String failureExpireAfter) {
    Properties props = new Properties();
    props.setProperty("veil.columns", "failed_loads.secret");
    props.setProperty("veil.kms", "local");
    props.setProperty("veil.kms.keystore", masterKey.toString());
    props.setProperty("veil.keys.keyring", keyring);
    props.setProperty("veil.cache.failureExpireAfter", failureExpireAfter);
    return props;
  }

  private static long authorizations() throws Exception {
    return Files.readAllLines(server.serverLog().orElseThrow()).stream()
        .filter(line -> line.contains("connection authorized:")).count();
  }

  /** Writes the rows under the new master key; returns the old one, which cannot open them. */
  private Path sealUnderANewMasterKey() throws Exception {
    try (Connection c = server.plainConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS failed_loads");
      s.execute("CREATE TABLE failed_loads (id integer PRIMARY KEY, secret text)");
    }
    try (Connection c = server.veilConnection(settings(masterKeyFile(), "PT10S"));
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO failed_loads (id, secret) VALUES (?, ?)")) {
      for (int i = 1; i <= ROWS; i++) {
        ps.setInt(1, i);
        ps.setString(2, "secret " + i);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return masterKeyFile();
  }

  /** Reads every row; returns the distinct errors (message and SQLSTATE) the cells failed with. */
  private Set<String> readAll(Connection c) throws SQLException {
    Set<String> errors = new HashSet<>();
    int failed = 0;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret FROM failed_loads ORDER BY id")) {
      while (rs.next()) {
        try {
          rs.getString(2);
        } catch (SQLException e) {
          failed++;
          errors.add(e.getSQLState() + " " + e.getMessage());
        }
      }
    }
    assertThat(failed).as("cells that failed to open").isEqualTo(ROWS);
    return errors;
  }

  @Test
  void cellsWhoseKeyCannotBeUnwrappedCostOneKeyStoreConnectionNotOnePerRow() throws Exception {
    Path oldMasterKey = sealUnderANewMasterKey();
    try (Connection c = server.veilConnection(settings(oldMasterKey, "PT10M"))) {
      long before = authorizations();

      Set<String> errors = readAll(c);

      assertThat(authorizations() - before).as("connections opened while reading " + ROWS
          + " rows").isLessThanOrEqualTo(1);
      // The count does see a connection when one is opened.
      long after = authorizations();
      server.plainConnection().close();
      assertThat(authorizations()).isEqualTo(after + 1);
      assertThat(errors).as("one error, the same for every cell").hasSize(1);
      assertThat(errors.iterator().next()).startsWith("58000 ")
          .contains("public.failed_loads.secret").contains("cannot load branch key")
          .contains("keyring " + keyring);
    }
  }

  @Test
  void withNoFailureCacheEveryLookupSharesOneKeyStoreConnection() throws Exception {
    Path oldMasterKey = sealUnderANewMasterKey();
    try (Connection c = server.veilConnection(settings(oldMasterKey, "PT0S"))) {
      long before = authorizations();

      Set<String> errors = readAll(c);

      assertThat(authorizations() - before).as("connections opened while reading " + ROWS
          + " rows").isLessThanOrEqualTo(1);
      assertThat(errors).hasSize(1);
      assertThat(errors.iterator().next()).startsWith("58000 ");
    }
  }
}
