package org.veil.crypto;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Random bytes for values that must be unique but are not secret (row nonces), drawn from a
 * per-thread buffer that is refilled from one {@link SecureRandom} in large draws: a row costs a
 * copy, not a call into the shared generator and its lock. Every byte is handed out once.
 *
 * <p>Never used for key material (keys come from the key provider). Thread-safe; each thread has
 * its own buffer. {@link #toString()} shows nothing drawn.
 */
final class Randomness {

  /** Bytes per draw from the generator: 256 row nonces. */
  static final int DRAW = 4096;

  private final SecureRandom source;
  private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);

  Randomness(SecureRandom source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  /** Fills {@code out[from, from + length)} with fresh random bytes; {@code length <= DRAW}. */
  void nextBytes(byte[] out, int from, int length) {
    Buffer buffer = buffers.get();
    if (buffer.used + length > DRAW) {
      source.nextBytes(buffer.bytes);
      buffer.used = 0;
    }
    System.arraycopy(buffer.bytes, buffer.used, out, from, length);
    buffer.used += length;
  }

  /** The generator itself, for draws that are not buffered (key ids). */
  SecureRandom source() {
    return source;
  }

  private static final class Buffer {
    final byte[] bytes = new byte[DRAW];
    /** Starts full-used, so the first draw refills. */
    int used = DRAW;
  }

  @Override
  public String toString() {
    return "Randomness[" + source.getAlgorithm() + ", " + DRAW + "-byte draws]";
  }
}
