package org.veil.crypto;

/**
 * What the codec reports for monitoring: cells sealed and opened by kind, cells that failed to
 * open, and the directly wrapped row keys found in or missing from its cache (each miss is a
 * provider call). {@link #cellSealed} and {@link #cellOpened} are called once per cell, so
 * implementations must be as cheap as a {@code LongAdder} increment: no allocation, no lock, no
 * logging. Nothing reported names a key, a value or a column. Implementations are thread-safe.
 */
public interface CellEvents {

  /** Reports nothing. */
  CellEvents NONE = new CellEvents() {};

  /** What kind of cell was sealed or opened; a fixed few, never a column or key. */
  enum Kind {
    /** A randomized cell whose row key comes from a branch key (formats v1 to v3). */
    RANDOMIZED("randomized"),
    /** A deterministic (AES-SIV) cell. */
    DETERMINISTIC("deterministic"),
    /** A randomized cell whose row key the key provider wrapped (veil.keys.wrapping=direct). */
    DIRECT("direct");

    private final String tag;

    Kind(String tag) {
      this.tag = tag;
    }

    /** The kind's name in metrics. */
    public String tag() {
      return tag;
    }
  }

  /** A cell of {@code kind} was sealed. */
  default void cellSealed(Kind kind) {}

  /** A cell of {@code kind} was opened: it authenticated and its value decoded. */
  default void cellOpened(Kind kind) {}

  /** A cell did not open: not a cell, tampered, truncated, moved, or its key is unknown. */
  default void cellFailed() {}

  /** A directly wrapped row key was in the codec's cache ({@code hit}) or not. */
  default void directKeyLookup(boolean hit) {}
}
