package org.veil.crypto;

import java.util.HashMap;
import java.util.Map;

/**
 * The row keys re-wrapped within one scope (a row, or a batch of rows) by
 * {@link Rewrapper#rewrap}: cells that shared a row key before share one after, so a row keeps
 * one row key and a reader still derives or unwraps it once. Get one from
 * {@link Rewrapper#beginRewrap()}; it grows with the number of distinct row keys it sees, so
 * scope it to a row or a bounded batch. Not thread-safe. {@link #toString()} never shows key
 * material.
 */
public final class RewrapScope {

  /** The key bytes of a cell as read (see Rewrapper.slot) to the key part it is re-wrapped to. */
  final Map<Object, byte[]> parts = new HashMap<>();
  /** Re-sealed rows (version 1 cells, which cannot keep their payload), by the same slot. */
  final Map<Object, RowSeal> rows = new HashMap<>();

  RewrapScope() {}

  @Override
  public String toString() {
    return "RewrapScope[" + (parts.size() + rows.size()) + " row keys]";
  }
}
