package org.veil.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;

class LocalKeyProviderTest {

  @TempDir
  Path dir;

  private KeyProviderSettings settings(Path file, String password) {
    return KeyProviderSettings.builder().keystore(file.toString())
        .keystorePassword(password == null ? null : password.toCharArray())
        .environment(name -> null).build();
  }

  @Test
  void keyGenWritesAPrivateRawKeyFileThatTheProviderOpens() throws Exception {
    Path file = dir.resolve("master.key");
    String id = LocalKeyGen.run(new String[] {file.toString()}, n -> null, null,
        new SecureRandom());
    assertThat(Files.size(file)).isEqualTo(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (KeyProvider local = KeyProviders.create("local", settings(file, null),
        getClass().getClassLoader())) {
      assertThat(local.masterKeyId()).isEqualTo(id).startsWith("local:");
      KeyContext k1 = KeyContext.keyIdOnly(KeyId.random(new SecureRandom()));
      DataKey key = local.generateDataKey(k1);
      assertThat(local.unwrap(key.blob(), k1).plaintext()).isEqualTo(key.plaintext());
      assertThatThrownBy(() -> local.unwrap(key.blob(),
          KeyContext.keyIdOnly(KeyId.random(new SecureRandom()))))
          .isInstanceOf(KeyProviderException.class);
    }
  }

  @Test
  void createKeyFileFromCodeWritesAPrivateKeyFileThatTheProviderOpensAndNeverOverwrites()
      throws Exception {
    Path file = dir.resolve("dev-master.key");
    String id = LocalKeyGen.createKeyFile(file);
    byte[] written = Files.readAllBytes(file);
    assertThat(written).hasSize(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (KeyProvider local = KeyProviders.create("local", settings(file, null),
        getClass().getClassLoader())) {
      assertThat(local.masterKeyId()).isEqualTo(id).startsWith("local:");
      KeyContext context = KeyContext.keyIdOnly(KeyId.random(new SecureRandom()));
      DataKey key = local.generateDataKey(context);
      assertThat(local.unwrap(key.blob(), context).plaintext()).isEqualTo(key.plaintext());
    }
    assertThatThrownBy(() -> LocalKeyGen.createKeyFile(file))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(written);
  }

  @Test
  void aBlobWrappedTheOldWayWithTheKeyIdAloneStillUnwraps() throws Exception {
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    KeyId id = KeyId.random(new SecureRandom());
    try (LocalKeyProvider local = LocalKeyProvider.ofKey(master, new SecureRandom())) {
      // The blob as the provider made it before keyring and purpose were bound.
      byte[] iv = new byte[12];
      new SecureRandom().nextBytes(iv);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(master, "AES"),
          new GCMParameterSpec(128, iv));
      gcm.updateAAD(("veil-local-v1|" + local.masterKeyId() + "|" + id)
          .getBytes(StandardCharsets.UTF_8));
      byte[] sealed = gcm.doFinal(key);
      byte[] blob = new byte[1 + 12 + sealed.length];
      blob[0] = 1;
      System.arraycopy(iv, 0, blob, 1, 12);
      System.arraycopy(sealed, 0, blob, 13, sealed.length);

      assertThat(local.unwrap(blob, KeyContext.keyIdOnly(id)).plaintext()).isEqualTo(key);
      assertThatThrownBy(() -> local.unwrap(blob, KeyContext.of(id, "default",
          KeyPurpose.BRANCH))).isInstanceOf(BlobAuthenticationException.class);
    }
  }

  @Test
  void everyPartOfTheContextIsAuthenticated() throws Exception {
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    KeyId id = KeyId.random(new SecureRandom());
    try (LocalKeyProvider local = LocalKeyProvider.ofKey(master, new SecureRandom())) {
      KeyContext context = KeyContext.of(id, "billing", KeyPurpose.DETERMINISTIC);
      DataKey key = local.generateDataKey(context);
      assertThat(local.unwrap(key.blob(), context).plaintext()).isEqualTo(key.plaintext());
      for (KeyContext other : List.of(
          KeyContext.of(id, "billing", KeyPurpose.BRANCH),
          KeyContext.of(id, "default", KeyPurpose.DETERMINISTIC),
          KeyContext.of(KeyId.random(new SecureRandom()), "billing", KeyPurpose.DETERMINISTIC),
          KeyContext.keyIdOnly(id))) {
        assertThatThrownBy(() -> local.unwrap(key.blob(), other))
            .as(other.toString())
            .isInstanceOf(BlobAuthenticationException.class)
            .hasMessageContaining(other.toString())
            .satisfies(e -> assertThat(((KeyProviderException) e).isUnavailable()).isFalse());
      }
    }
  }

  @Test
  void keyGenWritesAPkcs12KeystoreWithThePasswordFromTheEnvironment() throws Exception {
    Path file = dir.resolve("master.p12");
    String id = LocalKeyGen.run(new String[] {"--pkcs12", file.toString()},
        Map.of(KeyProviderSettings.PASSWORD_ENV, "correct horse")::get, null, new SecureRandom());
    KeyProviderSettings fromEnv = KeyProviderSettings.builder().keystore(file.toString())
        .environment(Map.of(KeyProviderSettings.PASSWORD_ENV, "correct horse")::get).build();
    try (KeyProvider local = new LocalKeyProviderFactory().create(fromEnv)) {
      assertThat(local.masterKeyId()).isEqualTo(id);
    }
    assertThatThrownBy(() -> new LocalKeyProviderFactory().create(settings(file, "wrong")))
        .isInstanceOf(KeyProviderException.class)
        .hasMessageContaining("wrong password")
        .hasMessageNotContaining("correct horse");
  }

  @Test
  void aKeyFileReadableByGroupOrOthersIsRefused() throws Exception {
    Path file = dir.resolve("open.key");
    LocalKeyGen.run(new String[] {file.toString()}, n -> null, null, new SecureRandom());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> new LocalKeyProviderFactory().create(settings(file, null)))
        .isInstanceOf(KeyProviderException.class)
        .hasMessageContaining("refusing")
        .hasMessageContaining("chmod 600");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> new LocalKeyProviderFactory().create(settings(file, null)))
        .isInstanceOf(KeyProviderException.class);
  }

  @Test
  void keyGenNeverOverwritesAnExistingFile() throws Exception {
    Path file = dir.resolve("exists.key");
    Files.write(file, new byte[32]);
    assertThatThrownBy(() -> LocalKeyGen.run(new String[] {file.toString()}, n -> null, null,
        new SecureRandom())).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
  }

  @Test
  void anUnknownProviderNameListsTheKnownOnes() {
    assertThatThrownBy(() -> KeyProviders.create("vault", settings(dir, null),
        getClass().getClassLoader()))
        .isInstanceOf(KeyProviderException.class)
        .hasMessageContaining("local")
        .hasMessageContaining("aws");
  }

  /**
   * Runs a local-provider codec in a class loader that cannot see the AWS SDK: if anything on
   * the local path touched an SDK class, it would fail with NoClassDefFoundError.
   */
  @Test
  void theLocalProviderNeverLoadsTheAwsSdk() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String probe : new String[] {"org.veil.crypto.CellCodec", "org.veil.kms.LocalOnlyProbe",
        "com.github.benmanes.caffeine.cache.Caffeine", "com.google.crypto.tink.subtle.AesSiv",
        "com.google.protobuf.MessageLite", "com.google.gson.Gson"}) {
      try {
        urls.add(Class.forName(probe).getProtectionDomain().getCodeSource().getLocation());
      } catch (ClassNotFoundException e) {
        // an optional dependency of Tink that this build does not have
      }
    }
    assertThat(urls).noneMatch(u -> u.toString().contains("awssdk"));
    Path file = dir.resolve("probe.key");
    LocalKeyGen.run(new String[] {file.toString()}, n -> null, null, new SecureRandom());
    try (URLClassLoader isolated = new URLClassLoader(urls.toArray(new URL[0]),
        ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> Class.forName("software.amazon.awssdk.services.kms.KmsClient",
          false, isolated)).isInstanceOf(ClassNotFoundException.class);
      Class<?> probe = Class.forName("org.veil.kms.LocalOnlyProbe", true, isolated);
      @SuppressWarnings("unchecked")
      Callable<String> run = (Callable<String>) probe.getConstructor(String.class)
          .newInstance(file.toString());
      assertThat(run.call()).isEqualTo("round trip ok");
    }
  }
}
