package org.veil.bench.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;

/**
 * The master key of the contenders on Veil's local key provider: 32 random bytes in a file only
 * its owner may read (the provider refuses anything looser), made once per run and deleted when
 * the JVM exits.
 */
final class LocalMasterKey {

  private static Path file;

  private LocalMasterKey() {}

  /** {@code veil.kms=local} with this run's key file, and the keyring {@code keyring}. */
  static synchronized Map<String, String> veilSettings(String keyring) {
    return Map.of("veil.kms", "local", "veil.kms.keystore", file().toString(),
        "veil.keys.keyring", keyring);
  }

  static synchronized Path file() {
    if (file == null) {
      try {
        Path dir = Files.createTempDirectory("veil-bench-keys");
        Path f = dir.resolve("master.key");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.write(f, key);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        f.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        file = f;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return file;
  }
}
