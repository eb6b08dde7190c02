package org.veil.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;
import org.veil.kms.LocalKeyProvider;

/** {@code veil.kms.previousKeys} read from the settings, for the local provider. */
class MasterKeysTest {

  @TempDir
  Path dir;

  private Path keyFile(String name) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path file = dir.resolve(name);
    Files.write(file, key);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static String masterKeyId(Path file) throws Exception {
    try (KeyProvider p = LocalKeyProvider.ofKey(Files.readAllBytes(file), new SecureRandom())) {
      return p.masterKeyId();
    }
  }

  private static Properties local(Path keystore, String previousKeys) {
    Properties props = new Properties();
    props.setProperty("veil.kms", "local");
    props.setProperty("veil.kms.keystore", keystore.toString());
    if (previousKeys != null) {
      props.setProperty("veil.kms.previousKeys", previousKeys);
    }
    return props;
  }

  @Test
  void previousKeysAreKeyFilesOfTheLocalProviderInTheirConfiguredOrder() throws Exception {
    Path current = keyFile("new.key");
    Path first = keyFile("old.key");
    Path second = keyFile("older.key");

    try (MasterKeys keys = MasterKeys.open(local(current, " " + first + " ,, " + second + " "),
        getClass().getClassLoader())) {
      assertThat(keys.current().masterKeyId()).isEqualTo(masterKeyId(current));
      assertThat(keys.previous()).extracting(KeyProvider::masterKeyId)
          .containsExactly(masterKeyId(first), masterKeyId(second));
      assertThat(keys.unwrapping(masterKeyId(second))).containsSame(keys.previous().get(1));
      assertThat(keys.unwrapping("local:0000000000000000")).isEmpty();
    }
  }

  @Test
  void withoutPreviousKeysOnlyTheCurrentMasterKeyIsOpened() throws Exception {
    try (MasterKeys keys = MasterKeys.open(local(keyFile("new.key"), null),
        getClass().getClassLoader())) {
      assertThat(keys.previous()).isEmpty();
    }
  }

  @Test
  void aPreviousKeyThatCannotBeOpenedIsNamedWithItsSetting() throws Exception {
    Path missing = dir.resolve("missing.key");
    assertThatThrownBy(() -> MasterKeys.open(local(keyFile("new.key"), missing.toString()),
        getClass().getClassLoader()))
        .isInstanceOf(KeyProviderException.class)
        .hasMessageContaining("veil.kms.previousKeys (" + missing + ")");
  }

  @Test
  void thePreviousKeysNamingTheCurrentOneIsAConfigurationError() throws Exception {
    Path current = keyFile("new.key");
    assertThatThrownBy(() -> KeyHierarchy.open(local(current, current.toString()), null))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("veil.kms.previousKeys names the configured master key")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.INVALID_CONFIGURATION);
  }
}
