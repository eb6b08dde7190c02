package org.veil.crypto;

import javax.crypto.spec.SecretKeySpec;

/**
 * The row key shared by the randomized cells that one statement writes into one row: made on
 * the first randomized cell sealed with it, so a row with no randomized column costs nothing.
 * Get one from {@link CellCodec#beginRow()} per row, and never reuse it for another row: its
 * cells take their IVs from a counter under its row key. Not thread-safe: one row, one thread.
 * {@link #toString()} never shows key material.
 */
public final class RowSeal {

  /** The cell bytes from the key id up to the payload IV, and the header's version and kind. */
  byte version;
  int kind;
  byte[] keyPart;
  SecretKeySpec rowKey;
  /** Cells sealed under {@link #rowKey}: the next one's IV (version 3). */
  int cells;

  RowSeal() {}

  boolean isStarted() {
    return rowKey != null;
  }

  @Override
  public String toString() {
    return rowKey == null ? "RowSeal[unused]" : "RowSeal[v" + version + " kind " + kind + ", "
        + cells + " cells]";
  }
}
