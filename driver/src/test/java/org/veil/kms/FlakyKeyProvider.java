package org.veil.kms;

import java.security.SecureRandom;
import org.veil.crypto.KeyId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local key provider that counts its calls by operation and can be switched to fail like an
 * unreachable KMS, to hang until released, or to answer for another master key; the test's view
 * "at the provider".
 */
public final class FlakyKeyProvider implements KeyProvider {

  public final AtomicInteger generated = new AtomicInteger();
  public final AtomicInteger wrapped = new AtomicInteger();
  public final AtomicInteger unwrapped = new AtomicInteger();
  private final LocalKeyProvider delegate;
  private volatile boolean down;
  private volatile CountDownLatch hang;
  private volatile long delayMillis;
  private volatile String answersFor;

  public FlakyKeyProvider(byte[] masterKey) throws KeyProviderException {
    this.delegate = LocalKeyProvider.ofKey(masterKey, new SecureRandom());
  }

  public static FlakyKeyProvider withRandomKey() throws KeyProviderException {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new FlakyKeyProvider(key);
  }

  public int calls() {
    return generated.get() + wrapped.get() + unwrapped.get();
  }

  public void down(boolean down) {
    this.down = down;
  }

  /** Calls block until {@link #release()}. */
  public void hang() {
    hang = new CountDownLatch(1);
  }

  public void release() {
    CountDownLatch h = hang;
    hang = null;
    if (h != null) {
      h.countDown();
    }
  }

  /** Each call sleeps this long first, to widen races. */
  public void delay(long millis) {
    this.delayMillis = millis;
  }

  /** Unwrap answers name this master key instead of its own, as a misrouted KMS call would. */
  public void answerFor(String masterKeyId) {
    this.answersFor = masterKeyId;
  }

  private void before() throws KeyProviderException {
    try {
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      CountDownLatch h = hang;
      if (h != null) {
        h.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyProviderException("interrupted", true, e);
    }
    if (down) {
      throw new KeyProviderException("connection refused (test KMS is down)", true);
    }
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public String masterKeyId() {
    return delegate.masterKeyId();
  }

  @Override
  public DataKey generateDataKey(KeyContext context) throws KeyProviderException {
    generated.incrementAndGet();
    before();
    return delegate.generateDataKey(context);
  }

  @Override
  public WrappedKey wrap(byte[] key, KeyContext context) throws KeyProviderException {
    wrapped.incrementAndGet();
    before();
    return delegate.wrap(key, context);
  }

  @Override
  public UnwrappedKey unwrap(byte[] blob, KeyContext context) throws KeyProviderException {
    unwrapped.incrementAndGet();
    before();
    UnwrappedKey key = delegate.unwrap(blob, context);
    return answersFor == null ? key : new UnwrappedKey(key.plaintext(), answersFor);
  }

  /**
   * Wraps {@code key} with the key id only context of {@code keyId} (a UUID), as every row of
   * {@code veil_keys} was wrapped before keyring and purpose were bound: for tests that store
   * such rows.
   */
  public WrappedKey wrap(byte[] key, String keyId) throws KeyProviderException {
    return wrap(key, KeyContext.keyIdOnly(KeyId.parse(keyId)));
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    release();
  }
}
