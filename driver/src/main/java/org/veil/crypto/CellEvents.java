package org.veil.crypto;

/**
 * What the codec reports for monitoring: cells that failed to open, and the directly wrapped row
 * keys found in or missing from its cache (each miss is a provider call). Never called per cell
 * on the randomized or deterministic hot paths. Implementations are thread-safe and cheap.
 */
public interface CellEvents {

  /** Reports nothing. */
  CellEvents NONE = new CellEvents() {};

  /** A cell did not open: not a cell, tampered, truncated, moved, or its key is unknown. */
  default void cellFailed() {}

  /** A directly wrapped row key was in the codec's cache ({@code hit}) or not. */
  default void directKeyLookup(boolean hit) {}
}
