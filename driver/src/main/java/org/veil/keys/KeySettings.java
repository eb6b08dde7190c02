package org.veil.keys;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import org.veil.config.VeilProperty;
import org.veil.crypto.Wrapping;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * The typed key and cache settings of one configuration ({@code veil.keys.*},
 * {@code veil.cache.*}, {@code veil.kms.timeout}), checked once. Immutable.
 *
 * @param keyring the keyring whose keys seal and open ({@code veil.keys.keyring})
 * @param table the key store table, lower case ({@code veil.keys.table})
 * @param wrapping how new rows get their row key ({@code veil.keys.wrapping})
 * @param cellVersion the format of new cells under branch keys, 3 or 2 ({@code veil.cells.version})
 * @param rotateAfter branch key age that starts a rotation
 * @param rotateAfterRows rows sealed in this process that start a rotation; 0, no count rule
 * @param keyMax unwrapped keys cached, at most
 * @param directKeyMax directly wrapped row keys cached, at most ({@code veil.cache.dekMax})
 * @param expireAfter how long an unwrapped key is served without a successful reload
 * @param refreshAfter when a cached key is reloaded in the background
 * @param grace how long past {@code expireAfter} a key is served while the provider is down
 * @param timeout upper bound of one key provider call
 * @param failureExpireAfter how long a key that failed to load is refused without another
 *     lookup ({@code veil.cache.failureExpireAfter}); zero, never cached
 */
public record KeySettings(String keyring, String table, Wrapping wrapping, int cellVersion,
    Duration rotateAfter,
    long rotateAfterRows, long keyMax, long directKeyMax, Duration expireAfter,
    Duration refreshAfter, Duration grace, Duration timeout, Duration failureExpireAfter) {

  public KeySettings {
    Objects.requireNonNull(keyring, "keyring");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(wrapping, "wrapping");
    Objects.requireNonNull(rotateAfter, "rotateAfter");
    Objects.requireNonNull(expireAfter, "expireAfter");
    Objects.requireNonNull(refreshAfter, "refreshAfter");
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(failureExpireAfter, "failureExpireAfter");
    if (failureExpireAfter.isNegative()) {
      throw new IllegalArgumentException("veil.cache.failureExpireAfter must not be negative");
    }
    if (cellVersion != 2 && cellVersion != 3) {
      throw new IllegalArgumentException("veil.cells.version must be 3 or 2, not " + cellVersion);
    }
  }

  /** The defaults, as {@code VeilProperty} documents them. */
  public static KeySettings defaults() {
    return new KeySettings("default", "veil_keys", Wrapping.BRANCH, 3, Duration.ofDays(90), 0,
        1000, 100_000, Duration.ofMinutes(15), Duration.ofMinutes(10), Duration.ofHours(1),
        Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  /**
   * The settings in {@code props}.
   *
   * @throws VeilException {@link VeilError#INVALID_CONFIGURATION} for a malformed setting
   */
  public static KeySettings of(Properties props) throws VeilException {
    if (VeilProperty.CACHE_FAILURE_EXPIRE_AFTER.getDuration(props).isNegative()) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION,
          VeilProperty.CACHE_FAILURE_EXPIRE_AFTER.getName() + " must not be negative");
    }
    KeySettings s = new KeySettings(
        VeilProperty.KEYS_KEYRING.get(props),
        VeilProperty.KEYS_TABLE.get(props).toLowerCase(Locale.ROOT),
        Wrapping.valueOf(VeilProperty.KEYS_WRAPPING.getChoice(props).toUpperCase(Locale.ROOT)),
        Integer.parseInt(VeilProperty.CELLS_VERSION.getChoice(props)),
        VeilProperty.KEYS_ROTATE_AFTER.getDuration(props),
        VeilProperty.KEYS_ROTATE_AFTER_ROWS.getInt(props),
        VeilProperty.CACHE_KEY_MAX.getInt(props),
        VeilProperty.CACHE_DEK_MAX.getInt(props),
        VeilProperty.CACHE_EXPIRE_AFTER.getDuration(props),
        VeilProperty.CACHE_REFRESH_AFTER.getDuration(props),
        VeilProperty.CACHE_GRACE.getDuration(props),
        VeilProperty.KMS_TIMEOUT.getDuration(props),
        VeilProperty.CACHE_FAILURE_EXPIRE_AFTER.getDuration(props));
    if (s.refreshAfter.isZero() || s.refreshAfter.compareTo(s.expireAfter) > 0) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION,
          VeilProperty.CACHE_REFRESH_AFTER.getName() + "=" + s.refreshAfter + " must be longer"
          + " than zero and not longer than " + VeilProperty.CACHE_EXPIRE_AFTER.getName() + "="
          + s.expireAfter + ": a cached key is refreshed before it expires. Set both.");
    }
    return s;
  }

  /** These settings with another keyring. */
  public KeySettings withKeyring(String name) {
    return new KeySettings(name, table, wrapping, cellVersion, rotateAfter, rotateAfterRows,
        keyMax, directKeyMax, expireAfter, refreshAfter, grace, timeout, failureExpireAfter);
  }

  /** These settings with another wrapping. */
  public KeySettings withWrapping(Wrapping w) {
    return new KeySettings(keyring, table, w, cellVersion, rotateAfter, rotateAfterRows, keyMax,
        directKeyMax, expireAfter, refreshAfter, grace, timeout, failureExpireAfter);
  }

  /** These settings with another format version for new cells. */
  public KeySettings withCellVersion(int version) {
    return new KeySettings(keyring, table, wrapping, version, rotateAfter, rotateAfterRows,
        keyMax, directKeyMax, expireAfter, refreshAfter, grace, timeout, failureExpireAfter);
  }
}
