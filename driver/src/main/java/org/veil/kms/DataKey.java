package org.veil.kms;

/**
 * A data key fresh from a {@link KeyProvider}: its plaintext and its wrapped blob.
 *
 * <p>{@link #toString()} shows neither the plaintext nor the blob. The caller owns the arrays.
 *
 * @param plaintext the 32 key bytes
 * @param blob the key wrapped under the master key
 * @param masterKeyId the master key that wrapped it, as the provider reports it
 */
public record DataKey(byte[] plaintext, byte[] blob, String masterKeyId) {
  @Override
  public String toString() {
    return "DataKey[masterKeyId=" + masterKeyId + ", blob=" + blob.length + " bytes]";
  }
}
