package org.veil.keys;

import org.veil.crypto.KeyUnavailableException;
import org.veil.crypto.BranchKey;
import org.veil.crypto.CellKeys;
import org.veil.crypto.DirectKeys;
import org.veil.crypto.KeyNotFoundException;
import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.veil.kms.BlobAuthenticationException;
import org.veil.kms.DataKey;
import org.veil.kms.KeyContext;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;
import org.veil.kms.UnwrappedKey;

/**
 * The keys of one keyring: the active branch key that seals new rows, the deterministic root
 * key, and any key a stored cell names, unwrapped through the {@link KeyProvider} and cached.
 *
 * <h2>Caching</h2>
 * Unwrapped keys live in a bounded Caffeine cache. An access after {@code refreshAfter} reloads
 * the key in the background (the caller keeps the cached key); concurrent misses of one key make
 * one provider call. After {@code expireAfter} without a successful reload, an access waits (at
 * most the provider timeout) for a reload; if the provider is unavailable, the cached key is
 * still served until {@code expireAfter + grace}, and after that every access fails with a
 * {@link KeyUnavailableException} within the provider timeout: never a hang. A key that fails to
 * load (not in the store, under a master key not configured, a row that does not unwrap, the store
 * or provider failing) is refused with the same exception for {@code failureExpireAfter}
 * ({@code veil.cache.failureExpireAfter}, a bounded cache of its own; a provider outage for at
 * most the provider back-off, the larger of the timeout and a second) without another store read
 * or provider call, so that a table full of cells under such a key costs one lookup, not one per
 * row. Time comes from the injected {@link Ticker}, so tests advance it instead of sleeping.
 *
 * <h2>Master keys</h2>
 * Every new key is generated under the current master key ({@link MasterKeys#current()}). A
 * stored key is unwrapped by the master key its row names: the current one or a previous one
 * ({@code veil.kms.previousKeys}), so that keys load all through a master key rotation. A key
 * under any other master key is refused with a {@link KeyUnavailableException} that says what
 * to configure, and no provider is asked.
 *
 * <h2>Security guarantees</h2>
 * Every new key is wrapped with a {@link KeyContext} naming its key id, keyring and purpose, and
 * its row records that ({@link WrapContext}); a stored key is unwrapped with the context its row
 * names. A row relabelled to another purpose or keyring, copied under another key id, or whose
 * {@code wrap_context} was set back to key id only, does not unwrap, and the key is refused with
 * a {@link KeyUnavailableException} saying the row was altered: when a cell names it, and when
 * it is the active key that would seal new rows. The key that seals a purpose is always one
 * loaded as a key of that purpose and of this keyring.
 *
 * <h2>Warning</h2>
 * Rows written before keyring and purpose were bound (key id only) still load; their keyring and
 * purpose are only as trustworthy as the table. {@code veil rotate-master --upgrade-contexts}
 * re-wraps them with the full context.
 *
 * <h2>Rotation</h2>
 * The active branch key is replaced once older than {@code rotateAfter} (by the injected
 * {@link Clock}); the rotation runs in the background while the old key keeps sealing, and the
 * store makes sure concurrent instances agree on one new key. With {@code rotateAfterRows} it
 * is also replaced once this instance has sealed that many rows under it
 * ({@link #branchKeyForRow}). Deterministic keys never rotate.
 *
 * <p>No lock is held across a provider or database call. Thread-safe; close it to stop its
 * provider-call threads (the providers themselves belong to the caller).
 */
public final class KeyRing implements CellKeys, DirectKeys, AutoCloseable {

  private static final System.Logger LOG = System.getLogger(KeyRing.class.getName());

  private final MasterKeys masterKeys;
  /** The current master key: every new key is generated under it. */
  private final KeyProvider provider;
  private final BranchKeyStore store;
  private final String keyring;
  private final Duration rotateAfter;
  private final long rotateAfterRows;
  private final Duration expireAfter;
  private final Duration grace;
  private final Clock clock;
  private final Ticker ticker;
  private final long expireNanos;
  private final long timeoutNanos;
  private final long retryNanos;
  private final KeyCounters counters;
  private final SecureRandom random;
  private final ExecutorService calls;
  private final LoadingCache<KeyId, Loaded> keys;
  /** Keys that failed to load, with their failure; null when veil.cache.failureExpireAfter=0. */
  private final Cache<KeyId, KeyUnavailableException> failures;
  private final LoadingCache<KeyPurpose, Active> active;
  /** The active key of each purpose as last looked up; see {@link #hot}. */
  private final AtomicReferenceArray<Hot> hot =
      new AtomicReferenceArray<>(KeyPurpose.values().length);
  private final Executor background;
  /** Rows this instance sealed under the active branch key (veil.keys.rotateAfterRows). */
  private final AtomicReference<RowCount> rowCount = new AtomicReference<>();
  private volatile long providerRetryAt;

  private KeyRing(Builder b) {
    this.masterKeys = new MasterKeys(Objects.requireNonNull(b.provider, "provider"),
        b.previousProviders);
    this.provider = masterKeys.current();
    this.store = Objects.requireNonNull(b.store, "store");
    this.keyring = Objects.requireNonNull(b.keyring, "keyring");
    this.rotateAfter = b.rotateAfter;
    if (b.rotateAfterRows < 0) {
      throw new IllegalArgumentException("veil.keys.rotateAfterRows (" + b.rotateAfterRows
          + ") must be 0 (no count rule) or a positive number of rows");
    }
    this.rotateAfterRows = b.rotateAfterRows;
    this.expireAfter = b.expireAfter;
    this.grace = b.grace;
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.expireNanos = b.expireAfter.toNanos();
    this.timeoutNanos = b.timeout.toNanos();
    this.retryNanos = Math.max(timeoutNanos, TimeUnit.SECONDS.toNanos(1));
    this.counters = b.counters;
    this.random = b.random;
    AtomicInteger threads = new AtomicInteger();
    this.calls = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "veil-key-provider-" + keyring + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Executor refreshes = b.executor == null ? calls : b.executor;
    this.background = refreshes;
    if (b.refreshAfter.compareTo(b.expireAfter) > 0) {
      throw new IllegalArgumentException("veil.cache.refreshAfter (" + b.refreshAfter
          + ") must not be longer than veil.cache.expireAfter (" + b.expireAfter + ")");
    }
    this.keys = Caffeine.newBuilder()
        .maximumSize(b.keyMax)
        .expireAfterWrite(b.expireAfter.plus(b.grace))
        .refreshAfterWrite(b.refreshAfter)
        .ticker(ticker)
        .executor(refreshes)
        .build(new CacheLoader<KeyId, Loaded>() {
          @Override
          public Loaded load(KeyId id) throws KeyUnavailableException {
            return loadKey(id, false);
          }

          @Override
          public Loaded reload(KeyId id, Loaded old) throws KeyUnavailableException {
            return loadKey(id, true);
          }
        });
    long failureNanos = b.failureExpireAfter.toNanos();
    // A provider outage is retried after the provider back-off already: no longer refused.
    long outageNanos = Math.min(failureNanos, retryNanos);
    this.failures = b.failureExpireAfter.isZero() ? null : Caffeine.newBuilder()
        .maximumSize(b.keyMax)
        .expireAfter(new Expiry<KeyId, KeyUnavailableException>() {
          @Override
          public long expireAfterCreate(KeyId id, KeyUnavailableException e, long now) {
            return e.getCause() instanceof KeyProviderException p && p.isUnavailable()
                ? outageNanos : failureNanos;
          }

          @Override
          public long expireAfterUpdate(KeyId id, KeyUnavailableException e, long now,
              long remaining) {
            return expireAfterCreate(id, e, now);
          }

          @Override
          public long expireAfterRead(KeyId id, KeyUnavailableException e, long now,
              long remaining) {
            return remaining;
          }
        })
        .ticker(ticker)
        .executor(refreshes)
        .<KeyId, KeyUnavailableException>build();
    this.active = Caffeine.newBuilder()
        .maximumSize(KeyPurpose.values().length)
        .expireAfterWrite(b.expireAfter.plus(b.grace))
        .refreshAfterWrite(b.refreshAfter)
        .ticker(ticker)
        .executor(refreshes)
        .build(this::loadActive);
  }

  public static Builder builder() {
    return new Builder();
  }

  public String keyring() {
    return keyring;
  }

  public KeyCounters counters() {
    return counters;
  }

  /** The time source of the caches, for the codec's cache of directly wrapped row keys. */
  Ticker ticker() {
    return ticker;
  }

  /** Where cache maintenance and background refreshes run. */
  Executor background() {
    return background;
  }

  /** The source of key ids, which the codec also draws its nonces and IVs from. */
  SecureRandom random() {
    return random;
  }

  /** The current master key's id, for messages. */
  public String masterKeyId() {
    return provider.masterKeyId();
  }

  /**
   * The key that seals new values of this purpose: the active branch key (created on first use,
   * rotated when due) or the deterministic root key.
   */
  public BranchKey activeKey(KeyPurpose purpose) throws KeyUnavailableException {
    return hot(purpose).key;
  }

  /** The active deterministic key. */
  @Override
  public BranchKey deterministicKey() throws KeyUnavailableException {
    return activeKey(KeyPurpose.DETERMINISTIC);
  }

  /**
   * The active branch key, to seal one new row (or re-wrap one row's key) with: as
   * {@code activeKey(BRANCH)}, and counts the row against {@code rotateAfterRows}. When this
   * instance has sealed that many rows under the active key, a new one is made in the
   * background, as for the age rule: the current key keeps sealing until the new one is
   * stored, so the count may overshoot by the rows sealed meanwhile. The count is per instance
   * (per process and configuration), not shared between applications: N processes may seal up
   * to N times the setting under one key.
   */
  @Override
  public BranchKey branchKeyForRow() throws KeyUnavailableException {
    Hot current = hot(KeyPurpose.BRANCH);
    if (rotateAfterRows > 0) {
      countRow(current.active.stored);
    }
    return current.key;
  }

  /**
   * The active key of {@code purpose}, looked up in the caches at most every {@link #HOT_NANOS}
   * per purpose: every row sealed asks for it, and two cache reads and a clock read per row cost
   * a tenth of the row's cryptography. The answer is the caches' answer of a moment ago, never past the key's
   * {@code expireAfter} or the active key's due time; a rotation here clears it at once, a
   * background refresh (another instance rotated) is seen within {@code HOT_NANOS}.
   */
  private Hot hot(KeyPurpose purpose) throws KeyUnavailableException {
    Hot h = hot.get(purpose.ordinal());
    long now = ticker.read();
    if (h != null && now - h.untilNanos < 0) {
      return h;
    }
    Active current = active(purpose);
    BranchKey key = lookUp(current.stored.id());
    Loaded loaded = keys.getIfPresent(current.stored.id());
    if (key.purpose() != purpose
        || (loaded != null && loaded.key == key && !loaded.keyring.equals(keyring))) {
      throw relabelled(purpose, key, loaded == null ? keyring : loaded.keyring);
    }
    // Reused for HOT_NANOS, never past the active key's due time (read from the clock here, once).
    long untilDue = TimeUnit.MILLISECONDS.toNanos(Math.max(0,
        Math.min(current.dueAtMillis - clock.millis(), TimeUnit.NANOSECONDS.toMillis(HOT_NANOS))));
    h = new Hot(current, key, now + untilDue);
    if (loaded != null && loaded.key == key && now + HOT_NANOS - loaded.loadedAt <= expireNanos) {
      hot.set(purpose.ordinal(), h);
    }
    return h;
  }

  /**
   * The active key of {@code purpose} was loaded, by its id, as a key of another purpose or
   * keyring: the rows of the key store changed between the two reads, or a key wrapped with the
   * key id only was relabelled after it was cached.
   */
  private KeyUnavailableException relabelled(KeyPurpose purpose, BranchKey key,
      String loadedKeyring) {
    return new KeyUnavailableException(key.id().toString(), "the active " + purpose.sqlName()
        + " key of keyring " + keyring + " in " + store + " is key " + key.id() + ", which was"
        + " loaded as a " + key.purpose().sqlName() + " key of keyring " + loadedKeyring
        + ": its row was altered (relabelled). Nothing was sealed with it; restore the rows of"
        + " the key table from a backup, and find who wrote them", null);
  }

  private void clearHot() {
    for (int i = 0; i < hot.length(); i++) {
      hot.set(i, null);
    }
  }

  private Active active(KeyPurpose purpose) throws KeyUnavailableException {
    Active current = get(active, purpose, null);
    if (current.dueAtMillis <= clock.millis()) {
      long now = ticker.read();
      if (now >= current.retryAt) {
        current.retryAt = now + retryNanos;
        active.refresh(purpose); // in the background; the current key seals until it completes
      }
    }
    return current;
  }

  private void countRow(StoredKey key) {
    RowCount count = rowCount.get();
    if (count == null || !count.key.id().equals(key.id())) {
      RowCount fresh = new RowCount(key);
      count = rowCount.compareAndSet(count, fresh) ? fresh : rowCount.get();
      if (!count.key.id().equals(key.id())) {
        return; // the active key changed meanwhile; this row is not worth a second try
      }
    }
    if (count.rows.incrementAndGet() >= rotateAfterRows && ticker.read() >= count.retryAt
        && count.rotating.compareAndSet(false, true)) {
      RowCount due = count;
      background.execute(() -> rotateAfterCount(due));
    }
  }

  private void rotateAfterCount(RowCount count) {
    try {
      // Replaces the counted key only if it is still the active one: another instance that
      // rotated first (by age or count) wins, and no second key is made.
      rotate(count.key.createdAt().plusMillis(1), "it sealed " + count.rows.get()
          + " rows in this process (veil.keys.rotateAfterRows=" + rotateAfterRows + ")");
    } catch (KeyUnavailableException e) {
      count.retryAt = ticker.read() + retryNanos;
      count.rotating.set(false);
      LOG.log(System.Logger.Level.WARNING, "could not rotate branch key " + count.key.id()
          + " of keyring " + keyring + " after " + rotateAfterRows + " rows; it keeps sealing"
          + " and the rotation is tried again: " + e.getMessage());
    }
  }

  /**
   * The key with this id, as named by a stored cell: every row read asks for one, answered by
   * the key cache (Caffeine, on the {@link CoarseTicker} by default: no clock call per row).
   */
  @Override
  public BranchKey key(KeyId id) throws KeyUnavailableException {
    return lookUp(id);
  }

  private BranchKey lookUp(KeyId id) throws KeyUnavailableException {
    Loaded loaded = keys.getIfPresent(id);
    if (loaded == null) {
      loaded = load(id);
    } else {
      counters.branchKeyHits.increment();
    }
    long now = ticker.read();
    if (now - loaded.loadedAt <= expireNanos) {
      return loaded.key;
    }
    return afterExpiry(id, loaded, now);
  }

  /**
   * Loads a key the cache does not hold, unless it failed to load within
   * {@code failureExpireAfter}: then its failure is thrown again at once.
   */
  private Loaded load(KeyId id) throws KeyUnavailableException {
    KeyUnavailableException failed = failures == null ? null : failures.getIfPresent(id);
    if (failed != null) {
      counters.failedKeyRefused.increment();
      throw again(failed);
    }
    counters.branchKeyMisses.increment();
    try {
      return get(keys, id, id);
    } catch (KeyUnavailableException e) {
      if (failures != null) {
        failures.put(id, e);
      }
      throw e;
    }
  }

  /**
   * A new exception that says what {@code failed} said, of its type: the one cached is shared by
   * every thread the failure is reported to, which must not see each other's suppressed
   * exceptions or stack traces.
   */
  private static KeyUnavailableException again(KeyUnavailableException failed) {
    if (failed instanceof KeyNotFoundException) {
      return new KeyNotFoundException(failed.keyId(), failed.getMessage());
    }
    return new KeyUnavailableException(failed.keyId(), failed.getMessage(), failed.getCause());
  }

  /**
   * Past {@code expireAfter} without a successful reload: try one (bounded), else serve the
   * stale key; Caffeine evicts it at {@code expireAfter + grace}, after which loads fail.
   */
  private BranchKey afterExpiry(KeyId id, Loaded loaded, long now) {
    if (now >= loaded.retryAt) {
      loaded.retryAt = now + retryNanos;
      CompletableFuture<Loaded> reload = keys.refresh(id);
      try {
        Loaded fresh = reload.get(timeoutNanos + TimeUnit.MILLISECONDS.toNanos(100),
            TimeUnit.NANOSECONDS);
        if (fresh != null && fresh != loaded) {
          return fresh.key;
        }
      } catch (ExecutionException | TimeoutException e) {
        LOG.log(System.Logger.Level.WARNING, "key " + id + " of keyring " + keyring
            + " could not be reloaded from key provider " + provider.name()
            + "; serving the cached key for up to " + grace + " past its expiry: "
            + describe(e instanceof ExecutionException ? e.getCause() : e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    counters.staleKeyServed.increment();
    return loaded.key;
  }

  /**
   * Replaces the active branch key now, whatever its age: a new key is created, stored as active
   * and the previous one retired (it still opens the cells it sealed). For retiring a branch key
   * before {@code rotateAfter}; other instances pick the new key up at their next refresh.
   *
   * @return the new active branch key
   */
  public BranchKey rotateBranchKey() throws KeyUnavailableException {
    return rotate(null, "on request");
  }

  /**
   * {@code notBefore} null: the active key is replaced whatever its age; otherwise only if it was
   * created before {@code notBefore} (as {@link BranchKeyStore#activate}).
   */
  private BranchKey rotate(Instant notBefore, String why) throws KeyUnavailableException {
    KeyPurpose purpose = KeyPurpose.BRANCH;
    KeyId id = KeyId.random(random);
    try {
      DataKey created = callProvider("GenerateDataKey", id, false,
          () -> provider.generateDataKey(KeyContext.of(id, keyring, purpose)));
      try {
        checkMaster(id, provider, created.masterKeyId(), "GenerateDataKey");
        StoredKey candidate = new StoredKey(id, keyring, purpose, created.blob(), provider.name(),
            created.masterKeyId(), clock.instant(), WrapContext.KEY_ID_KEYRING_PURPOSE);
        // notBefore after the candidate's creation: any key active now is older, so it retires.
        StoredKey winner = store.activate(candidate,
            notBefore != null ? notBefore : candidate.createdAt().plusMillis(1));
        if (winner.id().equals(id)) {
          keys.put(id, new Loaded(BranchKey.of(id, purpose, created.plaintext()), keyring,
              ticker.read()));
        } else {
          cacheStored(winner);
        }
        active.invalidate(purpose);
        clearHot();
        LOG.log(System.Logger.Level.INFO, "rotated the branch key of keyring " + keyring
            + " (" + why + "): key " + winner.id() + " is now active");
        return key(winner.id());
      } finally {
        Arrays.fill(created.plaintext(), (byte) 0);
      }
    } catch (KeyStoreException e) {
      counters.keyStoreFailures.increment();
      throw new KeyUnavailableException(null, "cannot rotate the branch key of keyring "
          + keyring + ": " + e.getMessage(), e);
    } catch (KeyProviderException e) {
      throw unavailable(null, provider, "create a branch key for keyring " + keyring, e);
    }
  }

  /** A fresh row key wrapped by the provider itself (direct wrapping); one provider call. */
  public DataKey generateDirectKey(KeyId rowKeyId) throws KeyUnavailableException {
    try {
      DataKey key = callProvider("GenerateDataKey", rowKeyId, false,
          () -> provider.generateDataKey(KeyContext.keyIdOnly(rowKeyId)));
      checkMaster(rowKeyId, provider, key.masterKeyId(), "GenerateDataKey");
      return key;
    } catch (KeyProviderException e) {
      throw unavailable(rowKeyId, provider, "generate a row key", e);
    }
  }

  /**
   * Unwraps a directly wrapped row key; one provider call (the caller caches the result). The
   * cell does not name its master key, so only the current one is asked.
   */
  public byte[] unwrapDirectKey(KeyId rowKeyId, byte[] blob) throws KeyUnavailableException {
    try {
      UnwrappedKey key = callProvider("Unwrap", rowKeyId, false,
          () -> provider.unwrap(blob, KeyContext.keyIdOnly(rowKeyId)));
      checkMaster(rowKeyId, provider, key.masterKeyId(), "Unwrap");
      return key.plaintext();
    } catch (KeyProviderException e) {
      throw unavailable(rowKeyId, provider, "unwrap the row key", e);
    }
  }

  @Override
  public DirectKey generate(KeyId rowKeyId) throws KeyUnavailableException {
    DataKey key = generateDirectKey(rowKeyId);
    return new DirectKey(key.plaintext(), key.blob());
  }

  @Override
  public byte[] unwrap(KeyId rowKeyId, byte[] blob) throws KeyUnavailableException {
    return unwrapDirectKey(rowKeyId, blob);
  }

  private Loaded loadKey(KeyId id, boolean reload) throws KeyUnavailableException {
    StoredKey stored;
    try {
      stored = store.find(id).orElseThrow(() -> new KeyNotFoundException(id.toString(), "key "
          + id + " is not in the key store, " + store + ": the cell was altered, written in"
          + " another database (keys live in the database whose data they protect) or with"
          + " another key store (veil.keys.table), or its key was deleted"));
    } catch (KeyStoreException e) {
      counters.keyStoreFailures.increment();
      throw new KeyUnavailableException(id.toString(), "cannot read key " + id + ": "
          + e.getMessage(), e);
    }
    return unwrapStored(stored, reload);
  }

  /**
   * Caches {@code winner}, the active key that another instance stored first, from the record
   * the key store returned: the store's writes go to a primary and its reads to the server the
   * application is on, which may be a standby that has not replayed the new key yet.
   */
  private void cacheStored(StoredKey winner) throws KeyUnavailableException {
    if (keys.getIfPresent(winner.id()) == null) {
      keys.asMap().putIfAbsent(winner.id(), unwrapStored(winner, false));
    }
  }

  private Loaded unwrapStored(StoredKey stored, boolean reload) throws KeyUnavailableException {
    KeyId id = stored.id();
    KeyProvider master = masterKeys.unwrapping(stored.masterKeyId()).orElseThrow(
        () -> new KeyUnavailableException(id.toString(), "cannot load "
            + stored.purpose().sqlName() + " key " + id + " of keyring " + stored.keyring()
            + ": " + masterKeys.notConfigured(stored.masterKeyId()) + ".", null));
    // The row's id, keyring and purpose are what the wrap must authenticate (unless the row was
    // wrapped before they were bound): a row relabelled or copied under another id fails here.
    KeyContext context = stored.context();
    try {
      UnwrappedKey plain = callProvider("Unwrap", id, reload,
          () -> master.unwrap(stored.wrapped(), context));
      try {
        checkMaster(id, master, plain.masterKeyId(), "Unwrap");
        if (master != provider && !reload) {
          LOG.log(System.Logger.Level.INFO, stored.purpose().sqlName() + " key " + id
              + " of keyring " + stored.keyring() + " is still wrapped by previous master key "
              + master.masterKeyId() + " (veil.kms.previousKeys); veil rotate-master moves it"
              + " to " + provider.masterKeyId());
        }
        if (context.isKeyIdOnly() && !reload) {
          LOG.log(System.Logger.Level.INFO, stored.purpose().sqlName() + " key " + id
              + " of keyring " + stored.keyring() + " is wrapped with its key id only, so its"
              + " keyring and purpose in " + store + " are not authenticated; veil rotate-master"
              + " --upgrade-contexts binds them (docs/KEYS.md)");
        }
        Loaded loaded = new Loaded(BranchKey.of(id, stored.purpose(), plain.plaintext()),
            stored.keyring(), ticker.read());
        counters.branchKeyLoads.increment();
        return loaded;
      } finally {
        Arrays.fill(plain.plaintext(), (byte) 0);
      }
    } catch (BlobAuthenticationException e) {
      throw new KeyUnavailableException(id.toString(), "cannot load " + stored.purpose().sqlName()
          + " key " + id + " of keyring " + stored.keyring() + " (wrap_context "
          + stored.wrapContext().code() + ") from " + store + ": its wrapped key does not"
          + " authenticate what its row says under master key " + master.masterKeyId()
          + ", so the row was altered after the key was wrapped (its purpose, keyring, key_id"
          + " or wrap_context changed, or its wrapped_key was replaced). Veil does not use it;"
          + " restore the row from a backup of the key table, and find who wrote it ("
          + e.getMessage() + ")", e);
    } catch (KeyProviderException e) {
      throw unavailable(id, master, "unwrap " + stored.purpose().sqlName() + " key", e);
    }
  }

  private Active loadActive(KeyPurpose purpose) throws KeyUnavailableException {
    try {
      java.util.Optional<StoredKey> current = store.active(keyring, purpose);
      if (current.isPresent() && !isDue(current.get())) {
        return new Active(current.get(), dueAt(current.get()));
      }
      KeyId id = KeyId.random(random);
      DataKey created = callProvider("GenerateDataKey", id, false,
          () -> provider.generateDataKey(KeyContext.of(id, keyring, purpose)));
      try {
        checkMaster(id, provider, created.masterKeyId(), "GenerateDataKey");
        StoredKey candidate = new StoredKey(id, keyring, purpose, created.blob(), provider.name(),
            created.masterKeyId(), clock.instant(), WrapContext.KEY_ID_KEYRING_PURPOSE);
        StoredKey winner = store.activate(candidate,
            purpose == KeyPurpose.BRANCH ? clock.instant().minus(rotateAfter) : null);
        if (winner.id().equals(id)) {
          keys.put(id, new Loaded(BranchKey.of(id, purpose, created.plaintext()), keyring,
              ticker.read()));
          LOG.log(System.Logger.Level.INFO, "created " + purpose.sqlName() + " key " + id
              + " for keyring " + keyring + " under master key " + created.masterKeyId()
              + (current.isPresent() ? ", retiring key " + current.get().id() : ""));
        } else {
          cacheStored(winner);
        }
        return new Active(winner, dueAt(winner));
      } finally {
        Arrays.fill(created.plaintext(), (byte) 0);
      }
    } catch (KeyStoreException e) {
      counters.keyStoreFailures.increment();
      throw new KeyUnavailableException(null, "cannot find or create the active "
          + purpose.sqlName() + " key of keyring " + keyring + ": " + e.getMessage(), e);
    } catch (KeyProviderException e) {
      throw unavailable(null, provider, "create a " + purpose.sqlName() + " key for keyring "
          + keyring, e);
    }
  }

  private boolean isDue(StoredKey key) {
    return dueAt(key) <= clock.millis();
  }

  private long dueAt(StoredKey key) {
    return key.purpose() == KeyPurpose.BRANCH
        ? key.createdAt().plus(rotateAfter).toEpochMilli() : Long.MAX_VALUE;
  }

  /** Checks that the provider's answer names the master key it was asked to use. */
  private static void checkMaster(KeyId id, KeyProvider asked, String answered, String what)
      throws KeyProviderException {
    if (!asked.masterKeyId().equals(answered)) {
      throw new KeyProviderException("key " + id + ": " + what + " names master key "
          + answered + ", but master key " + asked.masterKeyId() + " was asked"
          + " (check veil.kms and veil.kms.keyId)", false);
    }
  }

  /** Runs one provider call on a provider thread, bounded by the timeout, and counts it. */
  private <T> T callProvider(String operation, KeyId id, boolean reload, Callable<T> call)
      throws KeyProviderException {
    if (reload && ticker.read() < providerRetryAt) {
      throw new KeyProviderException("key provider " + provider.name()
          + " failed recently; not retrying yet", true);
    }
    long started = System.nanoTime();
    Future<T> future = calls.submit(call);
    try {
      T answer = future.get(timeoutNanos, TimeUnit.NANOSECONDS);
      counters.kmsCall(operation, false, System.nanoTime() - started);
      return answer;
    } catch (TimeoutException e) {
      future.cancel(true);
      throw providerFailed(operation, started, new KeyProviderException("key provider "
          + provider.name() + " did not answer " + operation + " for key " + id + " within "
          + Duration.ofNanos(timeoutNanos) + " (veil.kms.timeout)", true));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw providerFailed(operation, started, cause instanceof KeyProviderException
          ? (KeyProviderException) cause
          : new KeyProviderException("key provider " + provider.name() + " failed " + operation
              + " for key " + id + ": " + describe(cause), true, cause));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new KeyProviderException("interrupted while waiting for key provider "
          + provider.name(), true, e);
    }
  }

  private KeyProviderException providerFailed(String operation, long started,
      KeyProviderException e) {
    counters.kmsCall(operation, true, System.nanoTime() - started);
    if (e.isUnavailable()) {
      providerRetryAt = ticker.read() + retryNanos;
    }
    return e;
  }

  private KeyUnavailableException unavailable(KeyId id, KeyProvider master, String what,
      KeyProviderException e) {
    String hint = e.isUnavailable()
        ? " Cached keys are served for veil.cache.expireAfter + veil.cache.grace ("
            + expireAfter.plus(grace) + ") after their last successful load; check that the key"
            + " provider is reachable."
        : " Check the key provider's permissions and veil.kms.keyId.";
    return new KeyUnavailableException(id == null ? null : id.toString(), "cannot " + what
        + (id == null ? "" : " " + id) + " (keyring " + keyring + ", master key "
        + master.masterKeyId() + "): " + e.getMessage() + "." + hint, e);
  }

  private static <K, V> V get(LoadingCache<K, V> cache, K key, KeyId id)
      throws KeyUnavailableException {
    try {
      return cache.get(key);
    } catch (CompletionException e) {
      if (e.getCause() instanceof KeyUnavailableException) {
        throw (KeyUnavailableException) e.getCause();
      }
      throw new KeyUnavailableException(id == null ? null : id.toString(), "cannot load key "
          + (id == null ? key : id) + ": " + describe(e.getCause()), e.getCause());
    }
  }

  private static String describe(Throwable t) {
    return t == null ? "unknown" : t.getMessage() == null ? t.getClass().getSimpleName()
        : t.getMessage();
  }

  @Override
  public void close() {
    calls.shutdownNow();
    keys.invalidateAll();
    if (failures != null) {
      failures.invalidateAll();
    }
    active.invalidateAll();
    clearHot();
  }

  @Override
  public String toString() {
    return "KeyRing[" + keyring + ", " + masterKeys + ", store=" + store + "]";
  }

  private static final class Loaded {
    final BranchKey key;
    /** The keyring of the row it was unwrapped from (or created for). */
    final String keyring;
    final long loadedAt;
    volatile long retryAt;

    Loaded(BranchKey key, String keyring, long loadedAt) {
      this.key = key;
      this.keyring = keyring;
      this.loadedAt = loadedAt;
    }
  }

  /** How long a looked-up active key is reused without asking the caches again. */
  private static final long HOT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * A key as looked up (with its record when it is the active key), and until when it may be
   * reused.
   */
  private static final class Hot {
    final Active active;
    final BranchKey key;
    final long untilNanos;

    Hot(Active active, BranchKey key, long untilNanos) {
      this.active = active;
      this.key = key;
      this.untilNanos = untilNanos;
    }
  }

  /** Rows sealed under one active branch key by this instance. */
  private static final class RowCount {
    final StoredKey key;
    final AtomicLong rows = new AtomicLong();
    final AtomicBoolean rotating = new AtomicBoolean();
    volatile long retryAt;

    RowCount(StoredKey key) {
      this.key = key;
    }
  }

  private static final class Active {
    final StoredKey stored;
    final long dueAtMillis;
    volatile long retryAt;

    Active(StoredKey stored, long dueAtMillis) {
      this.stored = stored;
      this.dueAtMillis = dueAtMillis;
    }
  }

  /** Builds a {@link KeyRing}; defaults follow {@code VeilProperty}. Not thread-safe. */
  public static final class Builder {
    private KeyProvider provider;
    private List<KeyProvider> previousProviders = List.of();
    private BranchKeyStore store;
    private String keyring = "default";
    private Duration rotateAfter = Duration.ofDays(90);
    private long rotateAfterRows;
    private Duration expireAfter = Duration.ofMinutes(15);
    private Duration refreshAfter = Duration.ofMinutes(10);
    private Duration grace = Duration.ofHours(1);
    private Duration timeout = Duration.ofSeconds(5);
    private Duration failureExpireAfter = Duration.ofSeconds(10);
    private long keyMax = 1000;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = CoarseTicker.instance();
    private Executor executor;
    private KeyCounters counters = new KeyCounters();
    private SecureRandom random;

    private Builder() {}

    /**
     * The keyring, rotation rules, cache sizes and lifetimes, and provider timeout of
     * {@code settings} (its wrapping and direct-key cache are the codec's).
     */
    public Builder settings(KeySettings settings) {
      return keyring(settings.keyring()).rotateAfter(settings.rotateAfter())
          .rotateAfterRows(settings.rotateAfterRows()).expireAfter(settings.expireAfter())
          .refreshAfter(settings.refreshAfter()).grace(settings.grace())
          .timeout(settings.timeout()).keyMax(settings.keyMax())
          .failureExpireAfter(settings.failureExpireAfter());
    }

    /** The current master key: it wraps every new key, and unwraps the keys stored under it. */
    public Builder provider(KeyProvider provider) {
      this.provider = provider;
      return this;
    }

    /**
     * Previous master keys ({@code veil.kms.previousKeys}): each unwraps the keys stored under
     * it, none wraps a new one. None by default.
     */
    public Builder previousProviders(List<KeyProvider> providers) {
      this.previousProviders = List.copyOf(providers);
      return this;
    }

    public Builder store(BranchKeyStore store) {
      this.store = store;
      return this;
    }

    public Builder keyring(String keyring) {
      this.keyring = keyring;
      return this;
    }

    public Builder rotateAfter(Duration d) {
      this.rotateAfter = d;
      return this;
    }

    /** Rows this instance seals under one branch key before it rotates it; 0, no count rule. */
    public Builder rotateAfterRows(long rows) {
      this.rotateAfterRows = rows;
      return this;
    }

    public Builder expireAfter(Duration d) {
      this.expireAfter = d;
      return this;
    }

    public Builder refreshAfter(Duration d) {
      this.refreshAfter = d;
      return this;
    }

    public Builder grace(Duration d) {
      this.grace = d;
      return this;
    }

    /** Upper bound on one provider call ({@code veil.kms.timeout}). */
    public Builder timeout(Duration d) {
      this.timeout = d;
      return this;
    }

    /**
     * How long a key that failed to load is refused with its failure without another store
     * read or provider call ({@code veil.cache.failureExpireAfter}); zero, never cached.
     */
    public Builder failureExpireAfter(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("veil.cache.failureExpireAfter (" + d
            + ") must not be negative");
      }
      this.failureExpireAfter = d;
      return this;
    }

    public Builder keyMax(long max) {
      this.keyMax = max;
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

    /** Where background refreshes run; by default the key ring's own provider threads. */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    public Builder counters(KeyCounters counters) {
      this.counters = counters;
      return this;
    }

    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    public KeyRing build() {
      if (random == null) {
        random = new SecureRandom();
      }
      return new KeyRing(this);
    }
  }
}
