package org.veil.keys;

/**
 * Which {@link org.veil.kms.KeyContext} a row of {@code veil_keys} was wrapped with, as its
 * {@code wrap_context} column records it. The marker itself is not secret and not authenticated:
 * changing it only makes the row's unwrap fail, since each form gives the provider different
 * associated data.
 */
public enum WrapContext {

  /**
   * {@code 1}: the key id only. Rows written before keyring and purpose were bound, and so every
   * row of a table created before the column (its default). Such a row's {@code purpose} and
   * {@code keyring} are not authenticated; {@code veil rotate-master --upgrade-contexts} re-wraps
   * it with {@link #KEY_ID_KEYRING_PURPOSE}.
   */
  KEY_ID_ONLY(1),

  /** {@code 2}: key id, keyring and purpose; every key created now. */
  KEY_ID_KEYRING_PURPOSE(2);

  private final int code;

  WrapContext(int code) {
    this.code = code;
  }

  /** The value stored in {@code wrap_context}. */
  public int code() {
    return code;
  }

  /**
   * The marker stored as {@code code}.
   *
   * @throws IllegalArgumentException for a value this version of Veil does not know
   */
  public static WrapContext ofCode(int code) {
    for (WrapContext c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    throw new IllegalArgumentException("wrap_context " + code + " is not one this version of"
        + " Veil knows (1: key id only, 2: key id, keyring and purpose)");
  }
}
