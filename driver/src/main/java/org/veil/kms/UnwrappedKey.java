package org.veil.kms;

/**
 * A key unwrapped by a {@link KeyProvider}. {@link #toString()} never shows the key bytes.
 *
 * @param plaintext the key bytes; the caller owns the array
 * @param masterKeyId the master key that unwrapped it, as the provider reports it
 */
public record UnwrappedKey(byte[] plaintext, String masterKeyId) {
  @Override
  public String toString() {
    return "UnwrappedKey[masterKeyId=" + masterKeyId + "]";
  }
}
