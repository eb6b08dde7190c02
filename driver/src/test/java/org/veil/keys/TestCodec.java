package org.veil.keys;

import com.github.benmanes.caffeine.cache.Ticker;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.veil.config.ColumnPolicy;
import org.veil.crypto.CellCodec;
import org.veil.crypto.Opened;
import org.veil.crypto.RowSeal;
import org.veil.crypto.ValueType;
import org.veil.crypto.Wrapping;
import org.veil.error.VeilException;
import org.veil.kms.KeyProvider;

/**
 * A real {@link KeyHierarchy} (key ring over a key provider and key store, and its codec) built
 * from the settings a test names, sealing and opening for configured columns: the key tests'
 * view of the whole hierarchy. Closing it closes the hierarchy.
 */
public final class TestCodec implements AutoCloseable {

  private final KeyHierarchy hierarchy;

  private TestCodec(KeyHierarchy hierarchy) {
    this.hierarchy = hierarchy;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The hierarchy the {@code veil.*} settings in {@code props} configure, as the driver's. */
  public static TestCodec fromProperties(java.util.Properties props, ConnectionSource db)
      throws VeilException {
    return new TestCodec(KeyHierarchy.open(props, KeyStoreConnections.of(db)));
  }

  public RowSeal beginRow() {
    return hierarchy.codec().beginRow();
  }

  public byte[] seal(RowSeal row, ColumnPolicy column, ValueType type, Object value)
      throws GeneralSecurityException {
    return hierarchy.codec().seal(row, column.cellColumn(), type, value, null);
  }

  public Opened open(ColumnPolicy column, byte[] cell) throws GeneralSecurityException {
    return hierarchy.codec().open(column.cellColumn(), cell, null);
  }

  public CellCodec codec() {
    return hierarchy.codec();
  }

  public KeyRing keyRing() {
    return hierarchy.keyRing();
  }

  public KeyCounters counters() {
    return hierarchy.counters();
  }

  @Override
  public void close() {
    hierarchy.close();
  }

  /** The settings of {@link KeySettings}, one by one, and the hierarchy's parts. */
  public static final class Builder {
    private final KeyRing.Builder b = KeyRing.builder();
    private KeySettings s = KeySettings.defaults();

    public Builder keyProvider(KeyProvider provider) {
      b.provider(provider);
      return this;
    }

    public Builder previousKeyProviders(List<KeyProvider> providers) {
      b.previousProviders(providers);
      return this;
    }

    public Builder keyStore(BranchKeyStore store) {
      b.store(store);
      return this;
    }

    public Builder keyring(String keyring) {
      s = s.withKeyring(keyring);
      return this;
    }

    public Builder cellVersion(int version) {
      s = s.withCellVersion(version);
      return this;
    }

    public Builder wrapping(Wrapping wrapping) {
      s = s.withWrapping(wrapping);
      return this;
    }

    public Builder rotateAfter(Duration d) {
      s = new KeySettings(s.keyring(), s.table(), s.wrapping(), s.cellVersion(),
          d, s.rotateAfterRows(),
          s.keyMax(), s.directKeyMax(), s.expireAfter(), s.refreshAfter(), s.grace(),
          s.timeout(), s.failureExpireAfter());
      return this;
    }

    public Builder rotateAfterRows(long rows) {
      s = new KeySettings(s.keyring(), s.table(), s.wrapping(), s.cellVersion(),
          s.rotateAfter(), rows,
          s.keyMax(), s.directKeyMax(), s.expireAfter(), s.refreshAfter(), s.grace(),
          s.timeout(), s.failureExpireAfter());
      return this;
    }

    public Builder dekMax(long max) {
      s = new KeySettings(s.keyring(), s.table(), s.wrapping(), s.cellVersion(),
          s.rotateAfter(),
          s.rotateAfterRows(), s.keyMax(), max, s.expireAfter(), s.refreshAfter(), s.grace(),
          s.timeout(), s.failureExpireAfter());
      return this;
    }

    /** Sets expireAfter; refreshAfter follows it down when it would be longer. */
    public Builder expireAfter(Duration d) {
      Duration refresh = s.refreshAfter().compareTo(d) > 0 ? d : s.refreshAfter();
      s = new KeySettings(s.keyring(), s.table(), s.wrapping(), s.cellVersion(),
          s.rotateAfter(),
          s.rotateAfterRows(), s.keyMax(), s.directKeyMax(), d, refresh, s.grace(),
          s.timeout(), s.failureExpireAfter());
      return this;
    }

    public Builder refreshAfter(Duration d) {
      s = new KeySettings(s.keyring(), s.table(), s.wrapping(), s.cellVersion(),
          s.rotateAfter(),
          s.rotateAfterRows(), s.keyMax(), s.directKeyMax(), s.expireAfter(), d, s.grace(),
          s.timeout(), s.failureExpireAfter());
      return this;
    }

    public Builder grace(Duration d) {
      s = new KeySettings(s.keyring(), s.table(), s.wrapping(), s.cellVersion(),
          s.rotateAfter(),
          s.rotateAfterRows(), s.keyMax(), s.directKeyMax(), s.expireAfter(), s.refreshAfter(),
          d, s.timeout(), s.failureExpireAfter());
      return this;
    }

    public Builder timeout(Duration d) {
      s = new KeySettings(s.keyring(), s.table(), s.wrapping(), s.cellVersion(),
          s.rotateAfter(),
          s.rotateAfterRows(), s.keyMax(), s.directKeyMax(), s.expireAfter(), s.refreshAfter(),
          s.grace(), d, s.failureExpireAfter());
      return this;
    }

    /** How long a key that failed to load is refused without another lookup; zero, never. */
    public Builder failureExpireAfter(Duration d) {
      s = new KeySettings(s.keyring(), s.table(), s.wrapping(), s.cellVersion(),
          s.rotateAfter(),
          s.rotateAfterRows(), s.keyMax(), s.directKeyMax(), s.expireAfter(), s.refreshAfter(),
          s.grace(), s.timeout(), d);
      return this;
    }

    public Builder ticker(Ticker ticker) {
      b.ticker(ticker);
      return this;
    }

    public Builder clock(Clock clock) {
      b.clock(clock);
      return this;
    }

    public Builder executor(Executor executor) {
      b.executor(executor);
      return this;
    }

    public Builder random(SecureRandom random) {
      b.random(random);
      return this;
    }

    public Builder counters(KeyCounters counters) {
      b.counters(counters);
      return this;
    }

    public TestCodec build() {
      try {
        return new TestCodec(KeyHierarchy.builder().settings(s).keyRing(b).build());
      } catch (VeilException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
