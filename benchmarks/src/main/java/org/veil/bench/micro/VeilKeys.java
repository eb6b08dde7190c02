package org.veil.bench.micro;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
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
 * The branch keys are created and cached by the first seal, in setup.
 */
final class VeilKeys {

  private VeilKeys() {}

  static KeyHierarchy newKeys() throws IOException, GeneralSecurityException,
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
        .build();
  }
}
