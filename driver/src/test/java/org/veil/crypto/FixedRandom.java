package org.veil.crypto;

import java.security.SecureRandom;

/**
 * A "random" source that hands out {@code first}, then counts up from 0xa0 byte by byte: for
 * test vectors, whose nonces and IVs FORMAT.md fixes. Injected through the codec's builder.
 */
final class FixedRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  private final byte[] first;
  private int drawn;

  FixedRandom(byte[] first) {
    this.first = first.clone();
  }

  @Override
  public synchronized void nextBytes(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++, drawn++) {
      bytes[i] = drawn < first.length ? first[drawn] : (byte) (0xa0 + drawn - first.length);
    }
  }
}
