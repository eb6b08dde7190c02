package org.veil.kms;

/**
 * A master key (key-encryption key) that never leaves its key management service: it generates
 * data keys and wraps and unwraps them, bound to a context.
 *
 * <h2>Security guarantees</h2>
 * A blob returned by {@link #generateDataKey} or {@link #wrap} can be unwrapped only by this
 * master key and only with an equal {@link KeyContext}; any change to the blob or to any part of
 * the context (key id, keyring, purpose, or its form) makes {@link #unwrap} fail with a
 * {@link BlobAuthenticationException}. Every answer names the master key that produced it, so
 * callers can check it against the configured one.
 *
 * <h2>Warning</h2>
 * Calls may cross the network (AWS KMS): they are slow compared to local cryptography and may
 * fail or time out. Never call a provider per value; cache what it returns.
 *
 * <p>Implementations are thread-safe and bound each call by the configured timeout.
 */
public interface KeyProvider extends AutoCloseable {

  /** The provider's name as in {@code veil.kms}: {@code local} or {@code aws}. */
  String name();

  /** The configured master key id this provider answers for. */
  String masterKeyId();

  /** A fresh 256-bit data key, in plaintext and wrapped under the master key for {@code context}. */
  DataKey generateDataKey(KeyContext context) throws KeyProviderException;

  /** Wraps {@code key} under the master key, bound to {@code context}. */
  WrappedKey wrap(byte[] key, KeyContext context) throws KeyProviderException;

  /**
   * Unwraps a blob made by {@link #generateDataKey} or {@link #wrap} with an equal context.
   *
   * @throws BlobAuthenticationException when the blob does not authenticate under this master
   *     key with {@code context}
   */
  UnwrappedKey unwrap(byte[] blob, KeyContext context) throws KeyProviderException;

  /** The canonical id of the master key (for AWS, the key ARN); checks that it is usable. */
  String describe() throws KeyProviderException;

  @Override
  void close();
}
