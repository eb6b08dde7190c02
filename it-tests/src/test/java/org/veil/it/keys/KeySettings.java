package org.veil.it.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;
import org.veil.it.NoSecretsInLogs;
import org.veil.testing.PostgresServer;

/** Connection settings for the key-placement tests: a local master key and two columns. */
final class KeySettings {

  /** A randomized and a deterministic column of table {@code notes}. */
  static final String COLUMNS = "notes.body, notes.tag:deterministic";
  static final String TABLE_DDL = "CREATE TABLE notes (id int PRIMARY KEY, body bytea, tag bytea)";

  private KeySettings() {}

  /** A new raw 32-byte master key file, readable by its owner only. */
  static Path newMasterKeyFile() {
    try {
      Path file = Files.createTempDirectory("veil-it-keys").resolve("master.key");
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

  /** User, password and CA of {@code server}, the local provider on {@code keyFile}, a keyring. */
  static Properties of(PostgresServer server, Path keyFile, String keyring) {
    NoSecretsInLogs.register(server.password());
    Properties props = server.connectionProperties();
    props.setProperty("veil.columns", COLUMNS);
    props.setProperty("veil.kms", "local");
    props.setProperty("veil.kms.keystore", keyFile.toString());
    props.setProperty("veil.keys.keyring", keyring);
    return props;
  }
}
