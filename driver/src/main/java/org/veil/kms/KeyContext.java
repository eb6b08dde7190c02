package org.veil.kms;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;

/**
 * What a wrapped key is bound to: a {@link KeyProvider} authenticates it with the wrap, and the
 * same context must be given again to unwrap.
 *
 * <p>Two forms:
 * <ul>
 *   <li>{@link #of key id, keyring and purpose}: every key that {@code veil_keys} stores now.
 *       Relabelling a row (another purpose or keyring) or copying it under another key id makes
 *       its unwrap fail.</li>
 *   <li>{@link #keyIdOnly key id only}: the rows of {@code veil_keys} written before keyring and
 *       purpose were bound (they keep loading, exactly as trustworthy as before), and the row
 *       keys of {@code veil.keys.wrapping=direct} cells, which the KMS wraps itself.</li>
 * </ul>
 *
 * <p>Each form has one encoding per provider, and no two contexts share one: {@link #canonical()}
 * for associated data that is a byte string (the local provider), {@link #encryptionContext()}
 * for AWS KMS, whose encryption context is authenticated and shows in CloudTrail. The key id
 * only forms are exactly those used before, so old blobs still open.
 *
 * <p>Immutable and thread-safe; holds nothing secret.
 *
 * @param keyId the key id; never null
 * @param keyring the keyring, or null for the key id only form
 * @param purpose the purpose, or null for the key id only form
 */
public record KeyContext(KeyId keyId, String keyring, KeyPurpose purpose) {

  /** The encryption context entry that names the key id, in both forms. */
  public static final String KEY_ENTRY = "veil:key";
  public static final String KEYRING_ENTRY = "veil:keyring";
  public static final String PURPOSE_ENTRY = "veil:purpose";

  /**
   * @throws IllegalArgumentException when only one of keyring and purpose is given, or the
   *     keyring is not well-formed Unicode (a lone surrogate has no UTF-8 form)
   */
  public KeyContext {
    Objects.requireNonNull(keyId, "keyId");
    if ((keyring == null) != (purpose == null)) {
      throw new IllegalArgumentException("a key context names both keyring and purpose, or"
          + " neither (the key id only form)");
    }
    if (keyring != null && !StandardCharsets.UTF_8.newEncoder().canEncode(keyring)) {
      throw new IllegalArgumentException("keyring of key " + keyId + " is not well-formed"
          + " Unicode");
    }
  }

  /** The context of a key in {@code veil_keys}: its id, keyring and purpose. */
  public static KeyContext of(KeyId keyId, String keyring, KeyPurpose purpose) {
    return new KeyContext(keyId, Objects.requireNonNull(keyring, "keyring"),
        Objects.requireNonNull(purpose, "purpose"));
  }

  /**
   * The key id only: for rows of {@code veil_keys} written before keyring and purpose were bound,
   * and for directly wrapped row keys.
   */
  public static KeyContext keyIdOnly(KeyId keyId) {
    return new KeyContext(keyId, null, null);
  }

  public boolean isKeyIdOnly() {
    return keyring == null;
  }

  /**
   * The context as one string, for associated data: the key id (UUID form) for the key id only
   * form, as before; {@code v2|<purpose>|<keyring length>:<keyring>|<key id>} otherwise. A UUID
   * never starts with {@code v2|}, a purpose holds no {@code |}, and the keyring is read by its
   * length (in chars), so the string names one context only.
   */
  public String canonical() {
    if (isKeyIdOnly()) {
      return keyId.toString();
    }
    return "v2|" + purpose.sqlName() + "|" + keyring.length() + ":" + keyring + "|" + keyId;
  }

  /**
   * The AWS KMS encryption context: {@code {"veil:key": <key id>}} for the key id only form, as
   * before; with {@code "veil:keyring"} and {@code "veil:purpose"} otherwise. KMS matches the
   * whole map, so neither form opens a blob made with the other.
   */
  public Map<String, String> encryptionContext() {
    if (isKeyIdOnly()) {
      return Map.of(KEY_ENTRY, keyId.toString());
    }
    return Map.of(KEY_ENTRY, keyId.toString(), KEYRING_ENTRY, keyring,
        PURPOSE_ENTRY, purpose.sqlName());
  }

  /** For messages: the key id, and the keyring and purpose when bound. Nothing secret. */
  @Override
  public String toString() {
    return isKeyIdOnly() ? "key " + keyId + " (context: key id only)"
        : purpose.sqlName() + " key " + keyId + " of keyring " + keyring;
  }
}
