package org.veil.keys;

import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Properties;
import org.veil.config.VeilProperty;
import org.veil.crypto.CellCodec;
import org.veil.crypto.GcmProvider;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
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
  /** The store of a dry run ({@link #openForDryRun}); null otherwise. */
  private final DryRunKeyStore dryRun;

  private KeyHierarchy(KeyRing keyRing, CellCodec codec, AutoCloseable owned,
      DryRunKeyStore dryRun) {
    this.keyRing = keyRing;
    this.codec = codec;
    this.owned = owned;
    this.dryRun = dryRun;
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
    return open(props, db, false, new KeyCounters());
  }

  /**
   * As {@link #open(Properties, KeyStoreConnections)}, counting into {@code counters} (which
   * several hierarchies may share: a data source's runtimes count into one).
   *
   * @throws VeilException as {@link #open(Properties, KeyStoreConnections)}
   */
  public static KeyHierarchy open(Properties props, KeyStoreConnections db, KeyCounters counters)
      throws VeilException {
    return open(props, db, false, Objects.requireNonNull(counters, "counters"));
  }

  /**
   * As {@link #open}, for a dry run: keys are read from the key store and never written. A key
   * that has to be created (a keyring's first branch or deterministic key, a rotation) is made
   * under the master key as usual but kept in memory only, so that the dry run can seal
   * throwaway cells with it; {@link #wouldCreate()} lists those keys.
   *
   * @throws VeilException as {@link #open}
   */
  public static KeyHierarchy openForDryRun(Properties props, KeyStoreConnections db)
      throws VeilException {
    return open(props, db, true, new KeyCounters());
  }

  private static KeyHierarchy open(Properties props, KeyStoreConnections db, boolean dryRun,
      KeyCounters counters) throws VeilException {
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
      PostgresBranchKeyStore store;
      try {
        store = new PostgresBranchKeyStore(db, settings.table());
      } catch (IllegalArgumentException e) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION, e.getMessage(), e);
      }
      DryRunKeyStore readOnly = dryRun ? new DryRunKeyStore(store) : null;
      PostgresBranchKeyStore keyStore = store;
      MasterKeys providers = masterKeys;
      AutoCloseable owned = () -> {
        try {
          keyStore.close();
        } finally {
          providers.close();
        }
      };
      return builder().settings(settings).keyRing(KeyRing.builder()
          .provider(masterKeys.current()).previousProviders(masterKeys.previous())
          .store(dryRun ? readOnly : store).counters(counters))
          .owned(owned).dryRun(readOnly).build();
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

  /**
   * In a dry run ({@link #openForDryRun}), what a real run would have stored in the key store
   * so far, one line per key ({@code branch key <id> of keyring <name>, under master key <id>});
   * empty otherwise. Names ids only.
   */
  public java.util.List<String> wouldCreate() {
    if (dryRun == null) {
      return java.util.List.of();
    }
    return dryRun.wouldCreate().stream().map(k -> k.purpose().sqlName() + " key " + k.id()
        + " of keyring " + k.keyring() + ", under master key " + k.masterKeyId()).toList();
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

  /**
   * Builds a {@link KeyHierarchy}: a key ring from its builder (master keys, store, clocks,
   * executor, randomness), the settings applied to both the key ring and the codec. Not
   * thread-safe.
   */
  public static final class Builder {
    private KeySettings settings = KeySettings.defaults();
    private KeyRing.Builder keyRing;
    private GcmProvider gcmProvider;
    private AutoCloseable owned;
    private DryRunKeyStore dryRun;

    private Builder() {}

    public Builder settings(KeySettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The key ring's parts (provider, store, clock, ticker, executor, random). Required. */
    public Builder keyRing(KeyRing.Builder keyRing) {
      this.keyRing = Objects.requireNonNull(keyRing, "keyRing");
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

    Builder dryRun(DryRunKeyStore store) {
      this.dryRun = store;
      return this;
    }

    /**
     * @throws VeilException {@link VeilError#INVALID_CONFIGURATION} when the per-row crypto
     *     provider named by {@code org.veil.crypto.provider} is not usable
     */
    public KeyHierarchy build() throws VeilException {
      Objects.requireNonNull(keyRing, "keyRing");
      KeyRing ring = keyRing.settings(settings).build();
      try {
        CellCodec codec = CellCodec.builder().keys(ring).directKeys(ring)
            .wrapping(settings.wrapping()).cellVersion(settings.cellVersion())
            .events(ring.counters()).random(ring.random())
            .provider(gcmProvider)
            .directCache(settings.directKeyMax(), settings.expireAfter().plus(settings.grace()))
            .ticker(ring.ticker()).executor(ring.background()).build();
        return new KeyHierarchy(ring, codec, owned, dryRun);
      } catch (GeneralSecurityException e) {
        ring.close();
        throw new VeilException(VeilError.INVALID_CONFIGURATION, e.getMessage(), e);
      }
    }
  }
}
