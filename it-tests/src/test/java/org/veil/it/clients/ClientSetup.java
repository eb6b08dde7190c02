package org.veil.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.veil.testing.PostgresServer;

/**
 * What the client tests share: a local master key per test class, the URL an application would
 * configure, and the DBA's view of the table through a plain pgjdbc connection.
 */
final class ClientSetup {

  private ClientSetup() {}

  /** A new raw 32-byte master key file, mode 0600, as the local key provider wants. */
  static Path newMasterKeyFile() {
    try {
      Path dir = Files.createTempDirectory("veil-clients-keys");
      Path file = dir.resolve("master.key");
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.write(file, key);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Veil URL with the CA in its query, as an application's configuration holds it. */
  static String veilUrl(PostgresServer server) {
    return server.veilUrl() + "?sslrootcert=" + server.caCertificate();
  }

  /** The key settings every test passes: local provider, its key file, a keyring of its own. */
  static Properties keySettings(Path keyFile, String keyring) {
    Properties props = new Properties();
    props.setProperty("veil.kms", "local");
    props.setProperty("veil.kms.keystore", keyFile.toString());
    props.setProperty("veil.keys.keyring", keyring);
    return props;
  }

  static void execPlain(PostgresServer server, String... sql) throws SQLException {
    try (Connection c = server.plainConnection(); Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    }
  }

  /** Every value of one column as stored, read by the DBA: bytes for bytea, strings for text. */
  static List<Object> storedValues(PostgresServer server, String table, String column)
      throws SQLException {
    List<Object> values = new ArrayList<>();
    try (Connection c = server.plainConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT " + column + " FROM " + table + " ORDER BY 1");
        ResultSet rs = ps.executeQuery()) {
      boolean bytea = "bytea".equals(rs.getMetaData().getColumnTypeName(1));
      while (rs.next()) {
        values.add(bytea ? rs.getBytes(1) : rs.getString(1));
      }
    }
    return values;
  }

  /**
   * Asserts that every stored value of {@code column} is a Veil cell (bytea cells start with
   * {@code VL}, text cells with {@code veil:}) and that none contains any of {@code plaintexts}.
   */
  static void assertCiphertextOnly(PostgresServer server, String table, String column,
      List<String> plaintexts) throws SQLException {
    List<Object> stored = storedValues(server, table, column);
    assertThat(stored).as("rows stored in %s.%s", table, column).isNotEmpty();
    for (Object value : stored) {
      if (value == null) {
        continue;
      }
      String visible;
      if (value instanceof byte[] bytes) {
        assertThat(bytes.length).isGreaterThan(2);
        assertThat(new String(bytes, 0, 2, StandardCharsets.US_ASCII))
            .as("bytea cell of %s.%s", table, column).isEqualTo("VL");
        visible = new String(bytes, StandardCharsets.ISO_8859_1);
      } else {
        visible = (String) value;
        assertThat(visible).as("text cell of %s.%s", table, column).startsWith("veil:");
      }
      for (String plaintext : plaintexts) {
        assertThat(visible).doesNotContain(plaintext);
      }
    }
  }
}
