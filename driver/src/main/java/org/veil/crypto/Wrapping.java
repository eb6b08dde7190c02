package org.veil.crypto;

/** How row keys are wrapped ({@code veil.keys.wrapping}). */
public enum Wrapping {
  /** By a cached branch key: one key provider call per branch key per cache lifetime. */
  BRANCH,
  /** By the key provider itself: one call per row written, and per row read on a cold cache. */
  DIRECT
}
