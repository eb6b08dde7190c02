package org.veil.crypto;

import javax.crypto.spec.SecretKeySpec;

/**
 * The row key shared by the randomized cells that one statement writes into one row: created on
 * the first randomized cell sealed with it, so a row with no randomized column costs nothing.
 * Get one from {@link CellCodec#beginRow()} per row. Not thread-safe: one row, one thread.
 * {@link #toString()} never shows key material.
 */
public final class RowSeal {

  /** The format version and kind of the cells sealed with it (v2 kind 0, or v1 kind 1). */
  byte version;
  int kind;
  /** The cell bytes from the key id up to the payload IV: key id, then the wrapped row key. */
  byte[] keyPart;
  SecretKeySpec rowKey;
  /** A random IV drawn with the row key for the row's first value; null once used. */
  byte[] nextIv;

  RowSeal() {}

  @Override
  public String toString() {
    return rowKey == null ? "RowSeal[unused]" : "RowSeal[" + keyPart.length + "-byte key part]";
  }
}
