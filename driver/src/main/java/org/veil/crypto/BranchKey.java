package org.veil.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * An unwrapped key from {@code veil_keys}: a branch key, or a deterministic root key. Immutable;
 * {@link #toString()} shows the id and purpose only.
 *
 * <h2>Warning</h2>
 * {@link #secretKey()} and {@link #copyOfKeyBytes()} expose key material; use them only to run
 * cryptography, never to log, print or persist.
 */
public final class BranchKey {

  private final KeyId id;
  private final KeyPurpose purpose;
  private final SecretKeySpec key;

  BranchKey(KeyId id, KeyPurpose purpose, byte[] material) {
    if (material.length != 32) {
      throw new IllegalArgumentException("key " + id + " is not 32 bytes");
    }
    this.id = id;
    this.purpose = purpose;
    this.key = new SecretKeySpec(material, "AES");
  }

  /** A key from known bytes, for tests and test vectors (copies the bytes). */
  public static BranchKey of(KeyId id, KeyPurpose purpose, byte[] material) {
    return new BranchKey(id, purpose, material.clone());
  }

  public KeyId id() {
    return id;
  }

  public KeyPurpose purpose() {
    return purpose;
  }

  /** The AES key, for {@code Cipher.init}. */
  public SecretKey secretKey() {
    return key;
  }

  /** A copy of the key bytes (for key derivation); the caller clears it after use. */
  public byte[] copyOfKeyBytes() {
    return key.getEncoded();
  }

  /** Clears a copy made by {@link #copyOfKeyBytes()}. */
  public static void clear(byte[] copy) {
    Arrays.fill(copy, (byte) 0);
  }

  @Override
  public String toString() {
    return "BranchKey[" + purpose.sqlName() + " " + id + "]";
  }
}
