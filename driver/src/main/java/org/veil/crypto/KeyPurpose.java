package org.veil.crypto;

import java.util.Locale;

/** What a key in {@code veil_keys} is for; stored in its {@code purpose} column in lower case. */
public enum KeyPurpose {
  /** Wraps the row keys of randomized cells; rotated after {@code veil.keys.rotateAfter}. */
  BRANCH,
  /**
   * The root of the per-column AES-SIV keys of deterministic columns. Never rotated
   * automatically: a new key would make equal values stop comparing equal.
   */
  DETERMINISTIC;

  public String sqlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static KeyPurpose ofSqlName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
