package org.veil.crypto;

import java.util.HashMap;
import java.util.Map;

/**
 * The row keys re-wrapped within one scope (a row, or a batch of rows) by
 * {@link CellCodec#rewrap}: cells that shared a row key before share one after, so a row keeps
 * one row key and a reader still unwraps it once. Get one from {@link CellCodec#beginRewrap()};
 * it grows with the number of distinct row keys it sees, so scope it to a row or a bounded
 * batch. Not thread-safe. {@link #toString()} never shows key material.
 */
public final class RewrapScope {

  /** Version and key part of the cell as read (see CellCodec.rowKeySlot) to its new row seal. */
  final Map<Object, RowSeal> rows = new HashMap<>();

  RewrapScope() {}

  @Override
  public String toString() {
    return "RewrapScope[" + rows.size() + " row keys]";
  }
}
