package org.veil.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.veil.testing.PostgresServer;

/** What the encryption tests share: a local master key file and Veil settings that use it. */
final class EncryptedTables {

  private EncryptedTables() {}

  /** A new raw 32-byte master key file, readable by its owner only, as the local provider wants. */
  static Path newMasterKeyFile() {
    try {
      Path dir = Files.createTempDirectory("veil-it-keys");
      Path file = dir.resolve("master.key");
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      NoSecretsInLogs.register(key);
      Files.write(file, key);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Veil settings: the given columns, the local provider with {@code keyFile}, and a keyring. */
  static Properties veilSettings(Path keyFile, String columns, String keyring) {
    NoSecretsInLogs.register(org.veil.testing.TestPostgres.shared().password());
    Properties props = new Properties();
    props.setProperty("veil.columns", columns);
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
}
