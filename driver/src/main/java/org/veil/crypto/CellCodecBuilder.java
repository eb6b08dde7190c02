package org.veil.crypto;

import com.github.benmanes.caffeine.cache.Ticker;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/** Builds a {@link CellCodec}. Not thread-safe. */
public final class CellCodecBuilder {
  CellKeys keys;
  DirectKeys directKeys;
  Wrapping wrapping = Wrapping.BRANCH;
  int cellVersion = 3;
  CellEvents events = CellEvents.NONE;
  GcmProvider provider;
  SecureRandom random;
  long directCacheSize = 100_000;
  Duration directCacheExpiry = Duration.ofMinutes(75);
  Ticker ticker = Ticker.systemTicker();
  Executor executor = ForkJoinPool.commonPool();

  CellCodecBuilder() {}

  /**
   * The format of new randomized cells under branch keys: 3 (derived row keys, the default), or 2
   * (a random row key wrapped in the cell) for a rolling upgrade while an older Veil still reads.
   */
  public CellCodecBuilder cellVersion(int version) {
    if (version != 2 && version != 3) {
      throw new IllegalArgumentException("cell format version 3 or 2, not " + version);
    }
    this.cellVersion = version;
    return this;
  }

  /** The branch and deterministic keys. Required. */
  public CellCodecBuilder keys(CellKeys keys) {
    this.keys = keys;
    return this;
  }

  /** Row keys wrapped by the key provider; required for {@link Wrapping#DIRECT}. */
  public CellCodecBuilder directKeys(DirectKeys directKeys) {
    this.directKeys = directKeys;
    return this;
  }

  /** How new rows' keys are made: derived from a branch key (default) or by the provider. */
  public CellCodecBuilder wrapping(Wrapping wrapping) {
    this.wrapping = Objects.requireNonNull(wrapping, "wrapping");
    return this;
  }

  public CellCodecBuilder events(CellEvents events) {
    this.events = Objects.requireNonNull(events, "events");
    return this;
  }

  /** The provider of the per-row AES operations; {@link GcmProvider#fastest()} by default. */
  public CellCodecBuilder provider(GcmProvider provider) {
    this.provider = provider;
    return this;
  }

  /** The source of row nonces, IVs and key ids; a new {@link SecureRandom} by default. */
  public CellCodecBuilder random(SecureRandom random) {
    this.random = random;
    return this;
  }

  /** Directly wrapped row keys kept unwrapped, at most, and for how long. */
  public CellCodecBuilder directCache(long maximumSize, Duration expireAfter) {
    this.directCacheSize = maximumSize;
    this.directCacheExpiry = expireAfter;
    return this;
  }

  /** Time source of the direct row key cache. */
  public CellCodecBuilder ticker(Ticker ticker) {
    this.ticker = ticker;
    return this;
  }

  /** Where the direct row key cache does its maintenance. */
  public CellCodecBuilder executor(Executor executor) {
    this.executor = executor;
    return this;
  }

  /**
   * @throws GeneralSecurityException when no provider was set and the one
   *     {@code org.veil.crypto.provider} names is not usable
   */
  public CellCodec build() throws GeneralSecurityException {
    if (provider == null) {
      provider = GcmProvider.fastest();
    }
    return new CellCodec(this);
  }
}
