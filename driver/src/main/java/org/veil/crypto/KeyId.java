package org.veil.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;

/**
 * The 16-byte id of a branch key, deterministic key or directly wrapped row key, as stored in
 * cells and in {@code veil_keys.key_id} (a {@code uuid}). Printed as a UUID; ids are not secret.
 * Immutable.
 */
public final class KeyId {

  public static final int LENGTH = 16;

  private final long high;
  private final long low;

  private KeyId(long high, long low) {
    this.high = high;
    this.low = low;
  }

  public static KeyId random(SecureRandom random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40); // a version-4 UUID, so tools print it sensibly
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    return read(b, 0);
  }

  /** The id in {@code bytes[offset, offset + 16)}. */
  public static KeyId read(byte[] bytes, int offset) {
    long h = 0;
    long l = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (bytes[offset + i] & 0xff);
      l = (l << 8) | (bytes[offset + 8 + i] & 0xff);
    }
    return new KeyId(h, l);
  }

  public static KeyId of(UUID uuid) {
    return new KeyId(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
  }

  public static KeyId parse(String uuid) {
    return of(UUID.fromString(uuid));
  }

  /** Writes the 16 bytes at {@code offset}. */
  public void writeTo(byte[] bytes, int offset) {
    for (int i = 0; i < 8; i++) {
      bytes[offset + i] = (byte) (high >>> (56 - 8 * i));
      bytes[offset + 8 + i] = (byte) (low >>> (56 - 8 * i));
    }
  }

  public byte[] toBytes() {
    byte[] b = new byte[LENGTH];
    writeTo(b, 0);
    return b;
  }

  /** Whether {@code bytes[offset, offset + 16)} holds this id. */
  public boolean matches(byte[] bytes, int offset) {
    byte[] mine = toBytes();
    return Arrays.equals(mine, 0, LENGTH, bytes, offset, offset + LENGTH);
  }

  public UUID toUuid() {
    return new UUID(high, low);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyId && ((KeyId) o).high == high && ((KeyId) o).low == low;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(high) * 31 + Long.hashCode(low);
  }

  /** The UUID form, e.g. {@code 3f0c5b1e-…}. */
  @Override
  public String toString() {
    return toUuid().toString();
  }
}
