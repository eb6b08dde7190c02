package org.veil.kms;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The embedded key provider: the master key lives in a local PKCS12 keystore or a raw 32-byte
 * key file, and wraps with AES-256-GCM.
 *
 * <p>Blob layout: {@code 0x01 || IV (12) || ciphertext (32) || tag (16)}; the associated data is
 * {@code "veil-local-v1|" + masterKeyId + "|" + context.canonical()} in UTF-8
 * ({@link KeyContext#canonical()}: the key id alone for the key id only form, as before;
 * {@code v2|<purpose>|<keyring length>:<keyring>|<key id>} otherwise). The master key id has a
 * fixed shape, so the associated data names one master key and one context only.
 *
 * <p>The master key id is {@code local:} followed by a key check value (the first 8 bytes of
 * HMAC-SHA256 under the master key of a fixed label), so a different key file is detected
 * without the id revealing anything about the key.
 *
 * <h2>Warning</h2>
 * A local master key is only as safe as the file and its password. Veil refuses a file that its
 * group or other users may read; keep a backup, since losing it loses every encrypted value.
 *
 * <p>Thread-safe.
 */
public final class LocalKeyProvider implements KeyProvider {

  static final int KEY_BYTES = 32;
  private static final byte BLOB_VERSION = 1;
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String DEFAULT_ALIAS = "veil-master";

  private final SecretKeySpec masterKey;
  private final String masterKeyId;
  private final SecureRandom random;

  private LocalKeyProvider(byte[] key, SecureRandom random) throws KeyProviderException {
    if (key.length != KEY_BYTES) {
      throw new KeyProviderException("the local master key must be 32 bytes, found " + key.length,
          false);
    }
    this.masterKey = new SecretKeySpec(key, "AES");
    this.masterKeyId = "local:" + keyCheckValue(key);
    this.random = random;
  }

  /** A provider around {@code key} (32 bytes, copied); for tests and tools. */
  public static LocalKeyProvider ofKey(byte[] key, SecureRandom random) throws KeyProviderException {
    return new LocalKeyProvider(key.clone(), random);
  }

  /**
   * Opens the keystore or key file named by {@link KeyProviderSettings#keystore()}: a PKCS12
   * keystore when the file ends in {@code .p12} or {@code .pfx} or a password is configured,
   * otherwise a raw 32-byte key file.
   */
  public static LocalKeyProvider open(KeyProviderSettings settings, SecureRandom random)
      throws KeyProviderException {
    if (settings.keystore() == null) {
      throw new KeyProviderException("veil.kms=local needs veil.kms.keystore: the path of a PKCS12"
          + " keystore or a 32-byte key file (create one with java -cp veil-driver.jar"
          + " org.veil.kms.LocalKeyGen <path>)", false);
    }
    Path path = Path.of(settings.keystore());
    checkPrivate(path);
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new KeyProviderException("cannot read the local master key file " + path + ": "
          + e.getClass().getSimpleName(), false, e);
    }
    char[] password = settings.keystorePassword();
    String file = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    boolean pkcs12 = password != null || file.endsWith(".p12") || file.endsWith(".pfx");
    try {
      if (!pkcs12) {
        return new LocalKeyProvider(content, random);
      }
      if (password == null) {
        throw new KeyProviderException("the PKCS12 keystore " + path + " needs a password:"
            + " set veil.kms.keystorePassword or the " + KeyProviderSettings.PASSWORD_ENV
            + " environment variable", false);
      }
      return new LocalKeyProvider(readPkcs12(path, content, password, settings.keyId()), random);
    } finally {
      Arrays.fill(content, (byte) 0);
      if (password != null) {
        Arrays.fill(password, '\0');
      }
    }
  }

  private static byte[] readPkcs12(Path path, byte[] content, char[] password, String alias)
      throws KeyProviderException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(content), password);
      String chosen = alias;
      if (chosen == null) {
        List<String> aliases = Collections.list(store.aliases());
        chosen = aliases.contains(DEFAULT_ALIAS) || aliases.size() != 1
            ? DEFAULT_ALIAS : aliases.get(0);
      }
      Key key = store.getKey(chosen, password);
      if (key == null || key.getEncoded() == null) {
        throw new KeyProviderException("the keystore " + path + " has no secret key under alias "
            + chosen + " (set veil.kms.keyId to the alias)", false);
      }
      return key.getEncoded();
    } catch (IOException | GeneralSecurityException e) {
      if (e instanceof KeyProviderException) {
        throw (KeyProviderException) e;
      }
      // The exception text of a wrong password is harmless, but keep messages uniform.
      throw new KeyProviderException("cannot open the PKCS12 keystore " + path
          + " (wrong password, or not a PKCS12 file): " + e.getClass().getSimpleName(), false, e);
    }
  }

  /** Refuses a key file that its group or other users may read, write or execute. */
  static void checkPrivate(Path path) throws KeyProviderException {
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    if (view == null) {
      return; // Not a POSIX file system: its ACLs are the administrator's to check.
    }
    Set<PosixFilePermission> perms;
    try {
      perms = view.readAttributes().permissions();
    } catch (IOException e) {
      throw new KeyProviderException("cannot read the local master key file " + path + ": "
          + e.getClass().getSimpleName(), false, e);
    }
    Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_EXECUTE);
    open.retainAll(perms);
    if (!open.isEmpty()) {
      throw new KeyProviderException("refusing the local master key file " + path
          + ": its group or other users have access " + open + "; run chmod 600 " + path, false);
    }
  }

  static String keyCheckValue(byte[] key) throws KeyProviderException {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] kcv = mac.doFinal("veil key check value".getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(kcv, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new KeyProviderException("HmacSHA256 is not available", false, e);
    }
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public String masterKeyId() {
    return masterKeyId;
  }

  @Override
  public DataKey generateDataKey(KeyContext context) throws KeyProviderException {
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    return new DataKey(key, wrap(key, context).blob(), masterKeyId);
  }

  @Override
  public WrappedKey wrap(byte[] key, KeyContext context) throws KeyProviderException {
    byte[] blob = new byte[1 + IV_BYTES + key.length + TAG_BITS / 8];
    blob[0] = BLOB_VERSION;
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    System.arraycopy(iv, 0, blob, 1, IV_BYTES);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad(context));
      cipher.doFinal(key, 0, key.length, blob, 1 + IV_BYTES);
      return new WrappedKey(blob, masterKeyId);
    } catch (GeneralSecurityException e) {
      throw new KeyProviderException("local master key " + masterKeyId + " cannot wrap: "
          + e.getClass().getSimpleName(), false, e);
    }
  }

  @Override
  public UnwrappedKey unwrap(byte[] blob, KeyContext context) throws KeyProviderException {
    if (blob.length != 1 + IV_BYTES + KEY_BYTES + TAG_BITS / 8 || blob[0] != BLOB_VERSION) {
      throw new BlobAuthenticationException("the blob of " + context + " is not a local provider"
          + " blob (wrapped by another provider, or altered)", null);
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, masterKey,
          new GCMParameterSpec(TAG_BITS, blob, 1, IV_BYTES));
      cipher.updateAAD(aad(context));
      byte[] key = cipher.doFinal(blob, 1 + IV_BYTES, blob.length - 1 - IV_BYTES);
      return new UnwrappedKey(key, masterKeyId);
    } catch (AEADBadTagException e) {
      throw new BlobAuthenticationException("the blob of " + context + " does not open under"
          + " local master key " + masterKeyId + " with that context: it was wrapped by another"
          + " master key or for another context, or altered", e);
    } catch (GeneralSecurityException e) {
      throw new KeyProviderException("local master key " + masterKeyId + " cannot unwrap: "
          + e.getClass().getSimpleName(), false, e);
    }
  }

  private byte[] aad(KeyContext context) {
    return ("veil-local-v1|" + masterKeyId + "|" + context.canonical())
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String describe() {
    return masterKeyId;
  }

  @Override
  public void close() {
    // The key object cannot be reliably cleared (SecretKeySpec copies); nothing else to release.
  }

  @Override
  public String toString() {
    return "LocalKeyProvider[" + masterKeyId + "]";
  }
}
