package org.veil.kms;

/**
 * A key wrapped by a {@link KeyProvider}.
 *
 * @param blob the wrapped key, opaque to Veil
 * @param masterKeyId the master key that wrapped it, as the provider reports it
 */
public record WrappedKey(byte[] blob, String masterKeyId) {
  @Override
  public String toString() {
    return "WrappedKey[masterKeyId=" + masterKeyId + ", blob=" + blob.length + " bytes]";
  }
}
