package org.veil.keys;

import com.github.benmanes.caffeine.cache.Ticker;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executor;
import org.veil.config.VeilProperty;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellCodecBuilder;
import org.veil.crypto.GcmProvider;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;

/**
 * One configuration's key hierarchy, assembled: the master keys (key providers), the branch key
 * store in the database, the {@link KeyRing} that caches and rotates their keys, and the
 * {@link CellCodec} that seals and opens cells with them. The one place that builds them; close
 * it to stop the key ring and close the key providers it opened.
 *
 * <p>Thread-safe. {@link #toString()} shows key ids and names only.
 */
public final class KeyHierarchy implements AutoCloseable {

  private final KeyRing keyRing;
  private final CellCodec codec;
  private final AutoCloseable owned;

  private KeyHierarchy(KeyRing keyRing, CellCodec codec, AutoCloseable owned) {
    this.keyRing = keyRing;
    this.codec = codec;
    this.owned = owned;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The hierarchy that the {@code veil.*} settings in {@code props} configure ({@code veil.kms},
   * {@code veil.kms.*}, {@code veil.keys.*}, {@code veil.cache.*}), its key store reading and
   * writing through {@code db}. The key providers are opened here and closed with it.
   *
   * @throws VeilException {@link VeilError#INVALID_CONFIGURATION} for a malformed setting,
   *     {@link VeilError#KEY_PROVIDER_FAILED} when the key provider cannot start
   */
  public static KeyHierarchy open(Properties props, KeyStoreConnections db) throws VeilException {
    KeySettings settings = KeySettings.of(props);
    MasterKeys masterKeys;
    try {
      masterKeys = MasterKeys.open(props, KeyHierarchy.class.getClassLoader());
    } catch (KeyProviderException e) {
      throw new VeilException(e.isUnavailable() ? VeilError.KEY_PROVIDER_FAILED
          : VeilError.INVALID_CONFIGURATION, "veil.kms=" + VeilProperty.KMS.getChoice(props)
          + ": " + e.getMessage(), e);
    }
    try {
      BranchKeyStore store;
      try {
        store = new PostgresBranchKeyStore(db, settings.table());
      } catch (IllegalArgumentException e) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION, e.getMessage(), e);
      }
      return builder().settings(settings).provider(masterKeys.current())
          .previousProviders(masterKeys.previous()).store(store).owned(masterKeys).build();
    } catch (VeilException | RuntimeException e) {
      masterKeys.close();
      throw e;
    }
  }

  /**
   * Checks the key and cache settings in {@code props} as {@link #open} reads them, without
   * creating a key provider or touching a database.
   *
   * @throws VeilException {@link VeilError#INVALID_CONFIGURATION} for a malformed setting
   */
  public static void checkSettings(Properties props) throws VeilException {
    KeySettings.of(props);
  }

  public KeyRing keyRing() {
    return keyRing;
  }

  public CellCodec codec() {
    return codec;
  }

  public KeyCounters counters() {
    return keyRing.counters();
  }

  @Override
  public void close() {
    keyRing.close();
    codec.clear();
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        System.getLogger(KeyHierarchy.class.getName()).log(System.Logger.Level.WARNING,
            "closing the key provider failed: " + e.getClass().getSimpleName());
      }
    }
  }

  @Override
  public String toString() {
    return "KeyHierarchy[" + keyRing + ", " + codec + "]";
  }

  /** Builds a {@link KeyHierarchy} from typed parts. Not thread-safe. */
  public static final class Builder {
    private KeySettings settings = KeySettings.defaults();
    private KeyProvider provider;
    private List<KeyProvider> previousProviders = List.of();
    private BranchKeyStore store;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = CoarseTicker.instance();
    private Executor executor;
    private SecureRandom random;
    private KeyCounters counters;
    private GcmProvider gcmProvider;
    private AutoCloseable owned;

    private Builder() {}

    public Builder settings(KeySettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The current master key. Required. */
    public Builder provider(KeyProvider provider) {
      this.provider = provider;
      return this;
    }

    /** Previous master keys: they unwrap the keys stored under them, and wrap nothing new. */
    public Builder previousProviders(List<KeyProvider> providers) {
      this.previousProviders = List.copyOf(providers);
      return this;
    }

    /** The branch key store. Required. */
    public Builder store(BranchKeyStore store) {
      this.store = store;
      return this;
    }

    /** Wall clock for key ages (rotation). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Time source of the caches. */
    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /** Where background key refreshes and cache maintenance run; tests pass {@code Runnable::run}. */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    /** The source of key ids, row nonces and IVs. */
    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    public Builder counters(KeyCounters counters) {
      this.counters = counters;
      return this;
    }

    /** The provider of per-row AES operations; {@link GcmProvider#fastest()} by default. */
    public Builder gcmProvider(GcmProvider gcmProvider) {
      this.gcmProvider = gcmProvider;
      return this;
    }

    /** Closed with the hierarchy (the key providers {@link #open} opened). */
    Builder owned(AutoCloseable owned) {
      this.owned = owned;
      return this;
    }

    /**
     * @throws VeilException {@link VeilError#INVALID_CONFIGURATION} when the per-row crypto
     *     provider named by {@code org.veil.crypto.provider} is not usable
     */
    public KeyHierarchy build() throws VeilException {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(store, "store");
      SecureRandom rng = random != null ? random : new SecureRandom();
      KeyCounters count = counters != null ? counters : new KeyCounters();
      KeyRing ring = KeyRing.builder().provider(provider).previousProviders(previousProviders)
          .store(store).keyring(settings.keyring())
          .rotateAfter(settings.rotateAfter()).rotateAfterRows(settings.rotateAfterRows())
          .expireAfter(settings.expireAfter()).refreshAfter(settings.refreshAfter())
          .grace(settings.grace()).timeout(settings.timeout()).keyMax(settings.keyMax())
          .clock(clock).ticker(ticker).executor(executor).random(rng).counters(count).build();
      try {
        CellCodecBuilder codec = CellCodec.builder().keys(ring).directKeys(ring)
            .wrapping(settings.wrapping()).events(count).random(rng).provider(gcmProvider)
            .directCache(settings.directKeyMax(), settings.expireAfter().plus(settings.grace()))
            .ticker(ticker);
        if (executor != null) {
          codec.executor(executor);
        }
        return new KeyHierarchy(ring, codec.build(), owned);
      } catch (GeneralSecurityException e) {
        ring.close();
        throw new VeilException(VeilError.INVALID_CONFIGURATION, e.getMessage(), e);
      }
    }
  }
}
