package org.veil.bench.micro;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import org.veil.crypto.GcmProvider;
import org.veil.keys.KeyHierarchy;
import org.veil.keys.KeyRing;
import org.veil.keys.KeySettings;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderSettings;
import org.veil.kms.KeyProviders;

/**
 * A cell codec for the microbenchmarks: the local key provider over a fresh random master key
 * file (mode 0600, deleted at exit) and an in-memory branch key store, default cache settings.
 * The branch keys are created and cached by the first seal, in setup. The per-row AES-GCM
 * provider is chosen by {@link #gcmProvider}.
 */
final class VeilKeys {

  private VeilKeys() {}

  /** A codec on the provider {@code org.veil.crypto.provider} (or its absence) chooses. */
  static KeyHierarchy newKeys() throws IOException, GeneralSecurityException,
      org.veil.error.VeilException {
    return newKeys(null);
  }

  /**
   * The per-row AES-GCM provider a benchmark parameter names: {@code auto} (null: as the driver
   * chooses, {@code GcmProvider.fastest()}), {@code jdk} or {@code accp}.
   *
   * @throws GeneralSecurityException for {@code accp} when ACCP is absent or unhealthy
   */
  static GcmProvider gcmProvider(String name) throws GeneralSecurityException {
    switch (name) {
      case "auto": return null;
      case "jdk": return GcmProvider.jdk();
      case "accp": return GcmProvider.accp();
      default: throw new IllegalArgumentException("provider " + name + " is not auto, jdk, accp");
    }
  }

  /** @param gcm the per-row AES-GCM provider, or null for the driver's choice */
  static KeyHierarchy newKeys(GcmProvider gcm) throws IOException, GeneralSecurityException,
      org.veil.error.VeilException {
    Path dir = Files.createTempDirectory("veil-jmh-keys");
    Path file = dir.resolve("master.key");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.write(file, key);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    file.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    KeyProvider provider = KeyProviders.create("local",
        KeyProviderSettings.builder().keystore(file.toString()).build(),
        VeilKeys.class.getClassLoader());
    return KeyHierarchy.builder().keyRing(KeyRing.builder().provider(provider)
        .store(new InMemoryBranchKeyStore())).settings(KeySettings.defaults().withKeyring("jmh"))
        .gcmProvider(gcm).build();
  }
}
