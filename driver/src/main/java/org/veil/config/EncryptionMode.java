package org.veil.config;

/** How a column's values are sealed. */
public enum EncryptionMode {
  /** A fresh data key and IV per value; equal plaintexts give unrelated cells. */
  RANDOMIZED,
  /** AES-SIV under a per-column key; equal plaintexts give equal cells, so {@code =} works. */
  DETERMINISTIC
}
