package org.veil.crypto;

/**
 * Row keys wrapped by the key provider itself ({@code veil.keys.wrapping=direct}): one provider
 * call per row written, and per row read on a cold cache. Thread-safe.
 */
public interface DirectKeys {

  /**
   * A fresh 256-bit row key and its provider blob, bound to {@code id}.
   *
   * @throws KeyUnavailableException when the provider fails
   */
  DirectKey generate(KeyId id) throws KeyUnavailableException;

  /**
   * The 32-byte row key in {@code blob}, bound to {@code id}; the caller clears it.
   *
   * @throws KeyUnavailableException when the provider fails or refuses the blob
   */
  byte[] unwrap(KeyId id, byte[] blob) throws KeyUnavailableException;

  /**
   * A row key from the provider. {@link #toString()} shows the blob's length only.
   *
   * @param plaintext the 32-byte key; the receiver clears it after use
   * @param blob the key as the provider wrapped it
   */
  record DirectKey(byte[] plaintext, byte[] blob) {
    @Override
    public String toString() {
      return "DirectKey[" + blob.length + "-byte blob]";
    }
  }
}
