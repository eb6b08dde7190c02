package org.veil.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.crypto.tink.subtle.AesSiv;
import com.google.crypto.tink.subtle.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.veil.config.ColumnPolicy;
import org.veil.config.VeilProperty;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.keys.BranchKeyStore;
import org.veil.keys.ConnectionSource;
import org.veil.keys.KeyCounters;
import org.veil.keys.KeyRing;
import org.veil.keys.KeyStoreConnections;
import org.veil.keys.MasterKeys;
import org.veil.keys.PostgresBranchKeyStore;
import org.veil.kms.DataKey;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;

/**
 * Seals values into cells and opens cells back into values: the one object the JDBC layer asks
 * to encrypt or decrypt, one per data-source configuration. The cell layout is
 * {@link CellFormat} (docs/FORMAT.md).
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Randomized columns: AES-256-GCM under a fresh 256-bit row key per row (shared by that
 *       row's cells, each with its own random IV), the row key wrapped by the active branch key
 *       (AES-256-GCM) or by the key provider (direct wrapping). Equal values give unrelated
 *       cells.</li>
 *   <li>Deterministic columns: AES-SIV (Tink) under a per-column key derived with HKDF-SHA256
 *       from the keyring's deterministic key. Equal values in one column give identical cells:
 *       equality, and so frequencies, are visible to whoever sees the cells.</li>
 *   <li>Every cell is authenticated together with its header and the column's context
 *       ({@link ColumnPolicy#context()}): a changed bit, a truncation or a cell moved to a
 *       column with another context fails with {@link CellException}. In format v2 cells the
 *       value's tag covers magic, version, kind, type and context, and the row key wrap's tag
 *       covers the branch key id, so {@link #rewrap} can change the wrap and keep the payload
 *       (docs/FORMAT.md gives the argument).</li>
 * </ul>
 *
 * <h2>Warning</h2>
 * The length of a value is visible (ciphertext length = value length + a fixed overhead), and
 * SQL {@code NULL} is stored as {@code NULL}. Keys and values never appear in messages, logs or
 * {@code toString}.
 *
 * <p>Thread-safe. Ciphers are reused per thread; the hot path (a cached branch key)
 * makes no provider call, no reflection and no logging. Close it to release the key ring and a
 * key provider that it created itself.
 */
public final class CellCodec implements AutoCloseable {

  private final KeyRing keyRing;
  private final Wrapping wrapping;
  private final SecureRandom random;
  private final KeyCounters counters;
  private final Cache<RowKeySlot, SecretKeySpec> rowKeys;
  private final ConcurrentMap<String, byte[]> contexts = new ConcurrentHashMap<>();
  private final ConcurrentMap<SivSlot, AesSiv> sivs = new ConcurrentHashMap<>();
  private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(PerThread::new);
  private final Ticker ticker;
  private final AutoCloseable owned;

  private CellCodec(Builder b, KeyRing keyRing) {
    this.keyRing = keyRing;
    this.wrapping = b.wrapping;
    this.random = b.random;
    this.counters = keyRing.counters();
    this.rowKeys = Caffeine.newBuilder()
        .maximumSize(b.dekMax)
        .expireAfterWrite(b.expireAfter.plus(b.grace))
        .ticker(b.ticker)
        // Caffeine's maintenance off the reading thread, unless a test asks for its own executor.
        .executor(b.executor != null ? b.executor : java.util.concurrent.ForkJoinPool.commonPool())
        .build();
    this.ticker = b.ticker;
    this.owned = b.owned;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A codec configured by the {@code veil.*} settings in {@code props} ({@code veil.kms},
   * {@code veil.kms.*}, {@code veil.keys.*}, {@code veil.cache.*}); the key providers of the
   * current and previous master keys are created here and closed with the codec. {@code keysDb}
   * opens the short-lived connections of the key store.
   *
   * @throws VeilException {@link VeilError#INVALID_CONFIGURATION} for a malformed setting,
   *     {@link VeilError#KEY_PROVIDER_FAILED} when the key provider cannot start
   */
  public static CellCodec fromProperties(Properties props, ConnectionSource keysDb)
      throws VeilException {
    return builderFromProperties(props, keysDb).build();
  }

  /** As {@link #fromProperties}, but returns the builder so a caller can adjust it first. */
  public static Builder builderFromProperties(Properties props, ConnectionSource keysDb)
      throws VeilException {
    return builderFromProperties(props, KeyStoreConnections.of(keysDb));
  }

  /**
   * As {@link #builderFromProperties(Properties, ConnectionSource)}, with the key store reading
   * and writing through {@code keysDb}'s two sources (the driver: reads from the server the
   * application is on, writes to a primary).
   */
  public static Builder builderFromProperties(Properties props, KeyStoreConnections keysDb)
      throws VeilException {
    Builder b = settings(props);
    String table = VeilProperty.KEYS_TABLE.get(props).toLowerCase(Locale.ROOT);
    try {
      b.keyStore(new PostgresBranchKeyStore(keysDb, table));
    } catch (IllegalArgumentException e) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, e.getMessage(), e);
    }
    try {
      MasterKeys masterKeys = MasterKeys.open(props, CellCodec.class.getClassLoader());
      b.keyProvider(masterKeys.current()).previousKeyProviders(masterKeys.previous());
      b.owned = masterKeys;
    } catch (KeyProviderException e) {
      throw new VeilException(e.isUnavailable() ? VeilError.KEY_PROVIDER_FAILED
          : VeilError.INVALID_CONFIGURATION, "veil.kms=" + VeilProperty.KMS.getChoice(props)
          + ": " + e.getMessage(), e);
    }
    return b;
  }

  /**
   * Checks the key and cache settings in {@code props} as {@link #builderFromProperties} reads
   * them, without creating a key provider or touching a database, so that a malformed setting is
   * reported before a connection is opened.
   *
   * @throws VeilException {@link VeilError#INVALID_CONFIGURATION} for a malformed setting
   */
  public static void checkSettings(Properties props) throws VeilException {
    settings(props);
  }

  private static Builder settings(Properties props) throws VeilException {
    Builder b = builder()
        .keyring(VeilProperty.KEYS_KEYRING.get(props))
        .rotateAfter(VeilProperty.KEYS_ROTATE_AFTER.getDuration(props))
        .rotateAfterRows(VeilProperty.KEYS_ROTATE_AFTER_ROWS.getInt(props))
        .wrapping(Wrapping.valueOf(
            VeilProperty.KEYS_WRAPPING.getChoice(props).toUpperCase(Locale.ROOT)))
        .keyMax(VeilProperty.CACHE_KEY_MAX.getInt(props))
        .dekMax(VeilProperty.CACHE_DEK_MAX.getInt(props))
        .expireAfter(VeilProperty.CACHE_EXPIRE_AFTER.getDuration(props))
        .refreshAfter(VeilProperty.CACHE_REFRESH_AFTER.getDuration(props))
        .grace(VeilProperty.CACHE_GRACE.getDuration(props))
        .timeout(VeilProperty.KMS_TIMEOUT.getDuration(props));
    if (b.refreshAfter.isZero() || b.refreshAfter.compareTo(b.expireAfter) > 0) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION,
          VeilProperty.CACHE_REFRESH_AFTER.getName() + "=" + b.refreshAfter + " must be longer"
          + " than zero and not longer than " + VeilProperty.CACHE_EXPIRE_AFTER.getName() + "="
          + b.expireAfter + ": a cached key is refreshed before it expires. Set both.");
    }
    return b;
  }

  // ---------------------------------------------------------------- sealing

  /** A row key holder for the cells of one row; cheap until a randomized cell uses it. */
  public RowSeal beginRow() {
    return new RowSeal();
  }

  /**
   * Seals {@code value} (of {@code type}'s Java class) for {@code column}.
   *
   * @throws IllegalArgumentException when {@code value} is not of {@code type}'s class
   * @throws KeyUnavailableException when the key that should seal it cannot be obtained
   */
  public byte[] seal(RowSeal row, ColumnPolicy column, ValueType type, Object value)
      throws GeneralSecurityException {
    return sealEncoded(row, column, type, type.encode(value));
  }

  /**
   * As {@link #seal(RowSeal, ColumnPolicy, ValueType, Object)}, the cell bound to its row:
   * {@code binding}, the canonical value of the column's binding column in the row, follows the
   * context in the value's associated data ({@code 0x00}, its length in 4 bytes, the bytes), so
   * the cell opens only with the same binding. Null binds nothing.
   *
   * @throws IllegalArgumentException when a deterministic column is given a binding
   */
  public byte[] seal(RowSeal row, ColumnPolicy column, ValueType type, Object value,
      byte[] binding) throws GeneralSecurityException {
    if (binding == null) {
      return seal(row, column, type, value);
    }
    if (column.isDeterministic()) {
      throw new IllegalArgumentException(column.qualifiedName()
          + " is deterministic; its cells cannot be bound to a row");
    }
    byte[] plaintext = type.encode(value);
    if (row.rowKey == null) {
      startRow(row);
    }
    return sealRandomized(row, column, type, plaintext, null, binding);
  }

  /** Seals plaintext bytes already encoded by {@link ValueType#encode}. */
  public byte[] sealEncoded(RowSeal row, ColumnPolicy column, ValueType type, byte[] plaintext)
      throws GeneralSecurityException {
    Objects.requireNonNull(plaintext, "plaintext");
    if (column.isDeterministic()) {
      return sealDeterministic(keyRing.activeKey(KeyPurpose.DETERMINISTIC), column, type,
          plaintext);
    }
    if (row.rowKey == null) {
      startRow(row);
    }
    return sealRandomized(row, column, type, plaintext, null);
  }

  private void startRow(RowSeal row) throws GeneralSecurityException {
    byte[] dek = new byte[CellFormat.DEK];
    if (wrapping == Wrapping.BRANCH) {
      // One draw for the row key, the wrap IV and the first value's IV.
      byte[] fresh = new byte[CellFormat.DEK + 2 * CellFormat.IV];
      random.nextBytes(fresh);
      System.arraycopy(fresh, 0, dek, 0, CellFormat.DEK);
      byte[] wrapIv = Arrays.copyOfRange(fresh, CellFormat.DEK, CellFormat.DEK + CellFormat.IV);
      byte[] firstIv = Arrays.copyOfRange(fresh, CellFormat.DEK + CellFormat.IV, fresh.length);
      Arrays.fill(fresh, (byte) 0);
      startBranchRow(row, keyRing.branchKeyForRow(), dek, wrapIv);
      row.nextIv = firstIv;
      return;
    } else {
      KeyId id = KeyId.random(random);
      DataKey key = keyRing.generateDirectKey(id);
      byte[] blob = key.blob();
      if (blob.length > 0xffff) {
        throw new KeyProviderException("the key provider's blob is " + blob.length
            + " bytes; a cell holds at most 65535", false);
      }
      byte[] part = new byte[KeyId.LENGTH + 2 + blob.length];
      id.writeTo(part, 0);
      part[KeyId.LENGTH] = (byte) (blob.length >>> 8);
      part[KeyId.LENGTH + 1] = (byte) blob.length;
      System.arraycopy(blob, 0, part, KeyId.LENGTH + 2, blob.length);
      // Direct cells stay format v1: their key id is the provider's encryption context, there
      // is no branch key to retire, and v2 would change nothing but the version byte.
      row.version = CellFormat.VERSION_1;
      row.kind = CellFormat.KIND_DIRECT;
      row.keyPart = part;
      row.rowKey = new SecretKeySpec(key.plaintext(), "AES");
      Arrays.fill(key.plaintext(), (byte) 0);
    }
    rowKeys.put(rowKeySlot(row.version, row.kind, row.keyPart, 0, row.keyPart.length),
        row.rowKey);
  }

  /**
   * Wraps {@code dek} under {@code branch} into the row (format v2) and clears {@code dek};
   * package-private for test vectors.
   */
  void startBranchRow(RowSeal row, BranchKey branch, byte[] dek, byte[] wrapIv)
      throws GeneralSecurityException {
    byte[] part = new byte[KeyId.LENGTH + CellFormat.WRAPPED_DEK];
    branch.id().writeTo(part, 0);
    System.arraycopy(wrapIv, 0, part, KeyId.LENGTH, CellFormat.IV);
    Cipher cipher = perThread.get().wrapGcm;
    cipher.init(Cipher.ENCRYPT_MODE, branch.secretKey(),
        new GCMParameterSpec(CellFormat.TAG * 8, wrapIv));
    cipher.updateAAD(wrapAad(CellFormat.VERSION_2, CellFormat.KIND_BRANCH, part, 0));
    cipher.doFinal(dek, 0, CellFormat.DEK, part, KeyId.LENGTH + CellFormat.IV);
    row.version = CellFormat.VERSION_2;
    row.kind = CellFormat.KIND_BRANCH;
    row.keyPart = part;
    row.rowKey = new SecretKeySpec(dek, "AES");
    Arrays.fill(dek, (byte) 0);
  }

  /**
   * The row key wrap's associated data: magic, version, kind, and the key id (at {@code from} in
   * {@code keyPart}). It binds the wrap to its branch key id; not to the column, since the cells
   * of one row (in several columns) share one row key.
   */
  private static byte[] wrapAad(byte version, int kind, byte[] keyPart, int from) {
    byte[] aad = new byte[4 + KeyId.LENGTH];
    aad[0] = CellFormat.MAGIC_0;
    aad[1] = CellFormat.MAGIC_1;
    aad[2] = version;
    aad[3] = (byte) kind;
    System.arraycopy(keyPart, from, aad, 4, KeyId.LENGTH);
    return aad;
  }

  /**
   * Where an unwrapped row key is cached: version and kind, then the key part (key id and
   * wrapped row key or blob), so a key part unwrapped for one version or kind is never taken for
   * another's, and a cell opens or fails the same whether its row key is cached or not.
   */
  private static RowKeySlot rowKeySlot(byte version, int kind, byte[] src, int from, int to) {
    byte[] slot = new byte[2 + to - from];
    slot[0] = version;
    slot[1] = (byte) kind;
    System.arraycopy(src, from, slot, 2, to - from);
    return new RowKeySlot(slot);
  }

  /**
   * A row-key cache key. Its hash is the last four bytes of the key part (the end of the wrap's
   * GCM tag, or of the KMS blob): already uniformly random, so a lookup hashes four bytes, not
   * seventy-six.
   */
  private static final class RowKeySlot {
    private final byte[] bytes;
    private final int hash;

    RowKeySlot(byte[] bytes) {
      this.bytes = bytes;
      int n = bytes.length;
      this.hash = n < 4 ? Arrays.hashCode(bytes)
          : (bytes[n - 4] << 24) | ((bytes[n - 3] & 0xff) << 16) | ((bytes[n - 2] & 0xff) << 8)
              | (bytes[n - 1] & 0xff);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RowKeySlot other && hash == other.hash
          && Arrays.equals(bytes, other.bytes);
    }
  }

  /** {@code iv} null means a fresh random IV; test vectors pass a fixed one. */
  byte[] sealRandomized(RowSeal row, ColumnPolicy column, ValueType type, byte[] plaintext,
      byte[] iv) throws GeneralSecurityException {
    return sealRandomized(row, column, type, plaintext, iv, null);
  }

  private byte[] sealRandomized(RowSeal row, ColumnPolicy column, ValueType type,
      byte[] plaintext, byte[] iv, byte[] binding) throws GeneralSecurityException {
    int kind = row.kind;
    int ivAt = CellFormat.KEY_ID_OFFSET + row.keyPart.length;
    byte[] cell = new byte[ivAt + CellFormat.IV + plaintext.length + CellFormat.TAG];
    writeHeader(cell, row.version, kind, type);
    System.arraycopy(row.keyPart, 0, cell, CellFormat.KEY_ID_OFFSET, row.keyPart.length);
    if (iv == null) {
      // The row's first IV came with its key, in one draw; every later one is drawn alone.
      iv = row.nextIv;
      row.nextIv = null;
      if (iv == null) {
        iv = new byte[CellFormat.IV];
        random.nextBytes(iv);
      }
    }
    System.arraycopy(iv, 0, cell, ivAt, CellFormat.IV);
    Cipher cipher = perThread.get().gcm;
    cipher.init(Cipher.ENCRYPT_MODE, row.rowKey,
        new GCMParameterSpec(CellFormat.TAG * 8, cell, ivAt, CellFormat.IV));
    cipher.updateAAD(cell, 0, payloadAadEnd(cell, ivAt));
    cipher.updateAAD(context(column, binding));
    cipher.doFinal(plaintext, 0, plaintext.length, cell, ivAt + CellFormat.IV);
    return cell;
  }

  byte[] sealDeterministic(BranchKey key, ColumnPolicy column, ValueType type, byte[] plaintext)
      throws GeneralSecurityException {
    byte[] header = new byte[CellFormat.HEADER];
    // Version 1 on purpose: the cell is the equality token, and a new version byte would make
    // new cells differ from the stored ones for equal values (docs/FORMAT.md).
    writeHeader(header, CellFormat.VERSION_1, CellFormat.KIND_DETERMINISTIC, type);
    key.id().writeTo(header, CellFormat.KEY_ID_OFFSET);
    byte[] sealed = siv(key, column).encryptDeterministically(plaintext,
        associatedData(header, column));
    byte[] cell = Arrays.copyOf(header, CellFormat.HEADER + sealed.length);
    System.arraycopy(sealed, 0, cell, CellFormat.HEADER, sealed.length);
    return cell;
  }

  /**
   * How many leading cell bytes the value's AES-GCM associated data takes (the column context
   * follows): v1, everything before the value's IV; v2, magic to value type only, so that the
   * key id and wrapped row key can change without touching the payload.
   */
  private static int payloadAadEnd(byte[] cell, int ivAt) {
    return cell[CellFormat.VERSION_OFFSET] == CellFormat.VERSION_2
        ? CellFormat.V2_AAD_HEADER : ivAt;
  }

  private static void writeHeader(byte[] cell, byte version, int kind, ValueType type) {
    cell[0] = CellFormat.MAGIC_0;
    cell[1] = CellFormat.MAGIC_1;
    cell[CellFormat.VERSION_OFFSET] = version;
    cell[CellFormat.KIND_OFFSET] = (byte) kind;
    cell[CellFormat.TYPE_OFFSET] = (byte) type.code();
  }

  // ---------------------------------------------------------------- opening

  /**
   * Opens a cell read from {@code column}.
   *
   * @throws CellException when the bytes are not a cell, or do not authenticate for this column
   * @throws KeyUnavailableException when the cell's key cannot be obtained (provider or key store
   *     down, access denied); the message names the column and key id
   */
  public Opened open(ColumnPolicy column, byte[] cell) throws GeneralSecurityException {
    ValueType type = checkHeader(column, cell);
    return decode(column, cell, type, openPlaintext(column, cell, false));
  }

  /**
   * As {@link #open(ColumnPolicy, byte[])} for a cell bound to its row with {@code binding}
   * (see {@link #seal(RowSeal, ColumnPolicy, ValueType, Object, byte[])}); null for a cell
   * bound to no row. A cell moved from a row with another binding fails as altered.
   */
  public Opened open(ColumnPolicy column, byte[] cell, byte[] binding)
      throws GeneralSecurityException {
    if (binding == null) {
      return open(column, cell);
    }
    if (column.isDeterministic()) {
      throw new IllegalArgumentException(column.qualifiedName()
          + " is deterministic; its cells cannot be bound to a row");
    }
    ValueType type = checkHeader(column, cell);
    return decode(column, cell, type, openPlaintext(column, cell, false, binding));
  }

  /**
   * Opens a cell that reached the application where no column names it (a function's result, an
   * OUT parameter) if it was sealed for {@code column}: as {@link #open}, except that a cell of
   * the other mode, or one whose associated data holds another context, gives null and does not
   * count as a failure, so that a caller can try each configured column in turn.
   *
   * <p>Security guarantees: a cell's associated data binds its column's context, so it opens
   * under that context only, and the value is the value of a column with that context; which
   * column was asked first makes no difference.
   *
   * @return the opened value, or null when the cell was not sealed for {@code column}
   * @throws CellException when the bytes are not a cell, or are malformed for any column
   * @throws KeyUnavailableException when the cell's key cannot be obtained
   */
  public Opened openIfSealedFor(ColumnPolicy column, byte[] cell)
      throws GeneralSecurityException {
    if (CellFormat.hasMagic(cell) && column.isDeterministic()
        != (cell[CellFormat.KIND_OFFSET] == CellFormat.KIND_DETERMINISTIC)) {
      return null;
    }
    ValueType type = checkHeader(column, cell);
    byte[] plaintext = openPlaintext(column, cell, true);
    return plaintext == null ? null : decode(column, cell, type, plaintext);
  }

  private Opened decode(ColumnPolicy column, byte[] cell, ValueType type, byte[] plaintext)
      throws CellException {
    try {
      return new Opened(type, type.decode(plaintext));
    } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
      throw fail(column, cell, "authenticates but does not hold a valid " + type
          + " value; it was written by an incompatible Veil version", null);
    }
  }

  /** The type of a cell, checked against the column's mode, without opening it. */
  private ValueType checkHeader(ColumnPolicy column, byte[] cell) throws CellException {
    if (!CellFormat.hasMagic(cell)) {
      throw fail(column, cell, "is not a Veil cell (format v1 or v2): the column holds a"
          + " plaintext or foreign value; migrate it with the Veil tool, or set veil.plaintextReads=allow"
          + " for a migration window", null);
    }
    int kind = cell[CellFormat.KIND_OFFSET];
    boolean v2 = cell[CellFormat.VERSION_OFFSET] == CellFormat.VERSION_2;
    if (v2 && kind != CellFormat.KIND_BRANCH) {
      throw fail(column, cell, "is a format v2 cell of kind " + kind + ", which only kind 0"
          + " (branch wrapping) may be: altered", null);
    }
    boolean deterministic = kind == CellFormat.KIND_DETERMINISTIC;
    if ((kind != CellFormat.KIND_BRANCH && kind != CellFormat.KIND_DIRECT && !deterministic)
        || deterministic != column.isDeterministic()) {
      throw fail(column, cell, "does not match the column's " + column.mode().name()
          .toLowerCase(Locale.ROOT) + " mode: altered, copied from another column, or the"
          + " column's mode was changed without re-encrypting", null);
    }
    ValueType type = ValueType.ofCode(cell[CellFormat.TYPE_OFFSET]);
    if (type == null) {
      throw fail(column, cell, "names an unknown value type: altered", null);
    }
    return type;
  }

  /**
   * The plaintext of {@code cell} under {@code column}'s context; null instead of a failure when
   * it does not authenticate and {@code nullIfNotFor}: another context, or tampered.
   */
  private byte[] openPlaintext(ColumnPolicy column, byte[] cell, boolean nullIfNotFor)
      throws GeneralSecurityException {
    return openPlaintext(column, cell, nullIfNotFor, null);
  }

  private byte[] openPlaintext(ColumnPolicy column, byte[] cell, boolean nullIfNotFor,
      byte[] binding) throws GeneralSecurityException {
    int kind = cell[CellFormat.KIND_OFFSET];
    KeyId id = KeyId.read(cell, CellFormat.KEY_ID_OFFSET);
    try {
      if (kind == CellFormat.KIND_DETERMINISTIC) {
        if (cell.length < CellFormat.HEADER + CellFormat.SIV) {
          throw tampered(column, cell, null);
        }
        BranchKey key = keyRing.key(id);
        if (key.purpose() != KeyPurpose.DETERMINISTIC) {
          throw tampered(column, cell, null);
        }
        return siv(key, column).decryptDeterministically(
            Arrays.copyOfRange(cell, CellFormat.HEADER, cell.length),
            associatedData(Arrays.copyOf(cell, CellFormat.HEADER), column));
      }
      int ivAt;
      if (kind == CellFormat.KIND_BRANCH) {
        ivAt = CellFormat.BRANCH_PAYLOAD_IV;
      } else {
        if (cell.length < CellFormat.DIRECT_BLOB) {
          throw tampered(column, cell, null);
        }
        int blobLength = ((cell[CellFormat.HEADER] & 0xff) << 8) | (cell[CellFormat.HEADER + 1] & 0xff);
        ivAt = CellFormat.DIRECT_BLOB + blobLength;
      }
      if (cell.length < ivAt + CellFormat.IV + CellFormat.TAG) {
        throw tampered(column, cell, null);
      }
      PerThread thread = perThread.get();
      SecretKeySpec rowKey = thread.lastRowKey(cell, ivAt, ticker.read());
      if (rowKey == null) {
        rowKey = rowKey(column, cell, kind, id, ivAt);
        thread.rememberRowKey(cell, ivAt, rowKey, ticker.read() + ROW_KEY_MEMO_NANOS);
      } else {
        counters.rowKeyHit();
      }
      Cipher cipher = thread.gcm;
      cipher.init(Cipher.DECRYPT_MODE, rowKey,
          new GCMParameterSpec(CellFormat.TAG * 8, cell, ivAt, CellFormat.IV));
      cipher.updateAAD(cell, 0, payloadAadEnd(cell, ivAt));
      cipher.updateAAD(context(column, binding));
      int ciphertextAt = ivAt + CellFormat.IV;
      byte[] plaintext = new byte[cell.length - ciphertextAt - CellFormat.TAG];
      cipher.doFinal(cell, ciphertextAt, cell.length - ciphertextAt, plaintext, 0);
      return plaintext;
    } catch (CellException e) {
      throw e;
    } catch (KeyUnavailableException e) {
      counters.cellFailure();
      if (e.getMessage() != null && e.getMessage().contains("is not in the key store")) {
        throw fail(column, cell, "cannot be opened: " + e.getMessage(), e);
      }
      throw new KeyUnavailableException(id.toString(), "cannot open a cell in column "
          + column.qualifiedName() + ": " + e.getMessage(), e);
    } catch (AEADBadTagException e) {
      if (nullIfNotFor) {
        return null;
      }
      throw tampered(column, cell, e);
    } catch (GeneralSecurityException e) {
      // Tink reports a failed AES-SIV check as a plain GeneralSecurityException.
      if (nullIfNotFor) {
        return null;
      }
      throw tampered(column, cell, e);
    }
  }

  /**
   * The row key of a kind 0 or kind 1 cell. A branch-wrapped row key is unwrapped under the
   * cached branch key every time (one AES-GCM decryption of 32 bytes with a cipher that keeps
   * the branch key's schedule): that costs less than a cache lookup among many row keys, so only
   * the cells' shared row key is reused (see {@link PerThread}). A directly wrapped row key costs
   * a provider call to unwrap, so those are cached, keyed by their wrapped bytes.
   */
  private SecretKeySpec rowKey(ColumnPolicy column, byte[] cell, int kind, KeyId id, int ivAt)
      throws GeneralSecurityException {
    byte version = cell[CellFormat.VERSION_OFFSET];
    if (kind == CellFormat.KIND_BRANCH) {
      counters.rowKeyMiss();
      return unwrapBranchRowKey(column, cell, version, id);
    }
    RowKeySlot slot = rowKeySlot(version, kind, cell, CellFormat.KEY_ID_OFFSET, ivAt);
    SecretKeySpec rowKey = rowKeys.getIfPresent(slot);
    if (rowKey != null) {
      counters.rowKeyHit();
      return rowKey;
    }
    counters.rowKeyMiss();
    byte[] dek = keyRing.unwrapDirectKey(id,
        Arrays.copyOfRange(cell, CellFormat.KEY_ID_OFFSET + KeyId.LENGTH + 2, ivAt));
    if (dek.length != CellFormat.DEK) {
      throw tampered(column, cell, null);
    }
    rowKey = new SecretKeySpec(dek, "AES");
    Arrays.fill(dek, (byte) 0);
    rowKeys.put(slot, rowKey);
    return rowKey;
  }

  private SecretKeySpec unwrapBranchRowKey(ColumnPolicy column, byte[] cell, byte version,
      KeyId id) throws GeneralSecurityException {
    BranchKey branch = keyRing.key(id);
    if (branch.purpose() != KeyPurpose.BRANCH) {
      throw tampered(column, cell, null);
    }
    int wrapIvAt = CellFormat.KEY_ID_OFFSET + KeyId.LENGTH;
    Cipher cipher = perThread.get().wrapGcm;
    cipher.init(Cipher.DECRYPT_MODE, branch.secretKey(),
        new GCMParameterSpec(CellFormat.TAG * 8, cell, wrapIvAt, CellFormat.IV));
    cipher.updateAAD(wrapAad(version, CellFormat.KIND_BRANCH, cell, CellFormat.KEY_ID_OFFSET));
    byte[] dek = new byte[CellFormat.DEK];
    int wrappedAt = wrapIvAt + CellFormat.IV;
    cipher.doFinal(cell, wrappedAt, CellFormat.DEK + CellFormat.TAG, dek, 0);
    SecretKeySpec rowKey = new SecretKeySpec(dek, "AES");
    Arrays.fill(dek, (byte) 0);
    return rowKey;
  }

  private CellException tampered(ColumnPolicy column, byte[] cell, Throwable cause) {
    return fail(column, cell, "does not authenticate: it was altered, truncated, or copied from"
        + " a column with another context than " + column.context(), cause);
  }

  private CellException fail(ColumnPolicy column, byte[] cell, String problem, Throwable cause) {
    counters.cellFailure();
    String keyId = cell != null && cell.length >= CellFormat.HEADER
        ? KeyId.read(cell, CellFormat.KEY_ID_OFFSET).toString() : null;
    // The cause's message is about tags and lengths, never values; keep it for debugging.
    return new CellException(column.qualifiedName(), keyId, problem, cause);
  }

  // ---------------------------------------------------------------- re-wrapping (tools)

  /** Keeps the new row keys of re-wrapped cells that shared a row key; see {@link #rewrap}. */
  public RewrapScope beginRewrap() {
    return new RewrapScope();
  }

  /**
   * Moves a branch-wrapped cell to the active branch key, after checking that it opens for
   * {@code column}; the value and its type stay the same. Used to retire a branch key.
   *
   * <ul>
   *   <li>A format v2 cell: its row key is unwrapped with the old branch key and wrapped again
   *       under the active one with a fresh wrap IV. Only the key id and the wrapped row key
   *       change; the payload (value IV, ciphertext, tag) is kept byte for byte, which is safe
   *       because v2's payload associated data does not cover them: no AES-GCM operation under
   *       the row key is made at all.</li>
   *   <li>A format v1 cell: its payload authenticates the wrapped row key, so keeping it would
   *       reuse the row key and IV under other associated data; it is re-sealed whole instead
   *       (a fresh row key and IV) into a format v2 cell, as {@link #reseal} does.</li>
   * </ul>
   * Cells re-wrapped within one {@code scope} that shared a row key share one afterwards.
   *
   * @throws IllegalArgumentException when the cell is not branch-wrapped (check with
   *     {@link #isBranchWrapped})
   * @throws CellException when the cell does not open for {@code column}
   * @throws KeyUnavailableException when its key or the active key cannot be obtained
   */
  public byte[] rewrap(RewrapScope scope, ColumnPolicy column, byte[] cell)
      throws GeneralSecurityException {
    return rewrap(scope, column, cell, null, null);
  }

  /** {@code target} and {@code wrapIv} null mean the active branch key and a fresh IV. */
  byte[] rewrap(RewrapScope scope, ColumnPolicy column, byte[] cell, BranchKey target,
      byte[] wrapIv) throws GeneralSecurityException {
    ValueType type = checkHeader(column, cell);
    if (cell[CellFormat.KIND_OFFSET] != CellFormat.KIND_BRANCH) {
      throw new IllegalArgumentException("only a cell whose row key is wrapped by a branch key"
          + " can be re-wrapped (column " + column.qualifiedName() + ")");
    }
    // Authenticates the whole cell first: a cell that does not open is reported, not moved.
    byte[] plaintext = openPlaintext(column, cell, false);
    try {
      byte version = cell[CellFormat.VERSION_OFFSET];
      RowKeySlot slot = rowKeySlot(version, CellFormat.KIND_BRANCH, cell,
          CellFormat.KEY_ID_OFFSET, CellFormat.BRANCH_PAYLOAD_IV);
      RowSeal row = scope.rows.get(slot);
      if (row == null) {
        row = beginRow();
        scope.rows.put(slot, row);
      }
      if (version == CellFormat.VERSION_1) {
        return sealEncoded(row, column, type, plaintext);
      }
      if (row.rowKey == null) {
        SecretKeySpec rowKey = rowKey(column, cell, CellFormat.KIND_BRANCH,
            KeyId.read(cell, CellFormat.KEY_ID_OFFSET), CellFormat.BRANCH_PAYLOAD_IV);
        if (wrapIv == null) {
          wrapIv = new byte[CellFormat.IV];
          random.nextBytes(wrapIv);
        }
        startBranchRow(row, target != null ? target : keyRing.branchKeyForRow(),
            rowKey.getEncoded(), wrapIv);
      }
      byte[] out = cell.clone();
      System.arraycopy(row.keyPart, 0, out, CellFormat.KEY_ID_OFFSET, row.keyPart.length);
      return out;
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Re-seals a randomized cell under {@code row}'s row key (so under the active branch key), or
   * a deterministic cell under the active deterministic key, after checking that it opens for
   * {@code column}: the value and its type stay the same, the cell does not (a fresh row key and
   * IV). For a branch key that may have leaked: unlike {@link #rewrap}, the old branch key and
   * the old row key no longer open the new cell. The plaintext exists only inside this call and
   * is cleared before it returns.
   *
   * @throws CellException when the cell does not open for {@code column}
   * @throws KeyUnavailableException when its key or the active key cannot be obtained
   */
  public byte[] reseal(RowSeal row, ColumnPolicy column, byte[] cell)
      throws GeneralSecurityException {
    ValueType type = checkHeader(column, cell);
    byte[] plaintext = openPlaintext(column, cell, false);
    try {
      return sealEncoded(row, column, type, plaintext);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * The key id in a cell's header: the branch key (randomized, branch wrapping), the row key's
   * own id (direct wrapping) or the deterministic key; null when {@code cell} is not a cell.
   * Does not authenticate.
   */
  public KeyId keyIdOf(byte[] cell) {
    return CellFormat.hasMagic(cell) ? KeyId.read(cell, CellFormat.KEY_ID_OFFSET) : null;
  }

  /** Whether a cell's row key is wrapped by a branch key (kind 0). Does not authenticate. */
  public boolean isBranchWrapped(byte[] cell) {
    return CellFormat.hasMagic(cell) && cell[CellFormat.KIND_OFFSET] == CellFormat.KIND_BRANCH;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Whether {@code bytes} starts like a cell (magic and version 1 or 2); does not authenticate.
   */
  public boolean looksLikeCell(byte[] bytes) {
    return CellFormat.hasMagic(bytes);
  }

  /** The text form for {@code text}/{@code varchar} columns: {@code veil:} + base64. */
  public String toText(byte[] cell) {
    return CellFormat.toText(cell);
  }

  /** The cell in a text form, or null when {@code text} is not one (no prefix, bad base64). */
  public byte[] fromText(String text) {
    return CellFormat.fromText(text);
  }

  /** Whether {@code text} is a cell's text form. */
  public boolean looksLikeCellText(String text) {
    return CellFormat.fromText(text) != null;
  }

  /**
   * Whether {@code bytes} starts like a cell (magic and a known version): three byte
   * comparisons, for values read where no encrypted column is expected.
   */
  public static boolean startsLikeCell(byte[] bytes) {
    return CellFormat.hasMagic(bytes);
  }

  /**
   * Whether {@code text} starts like a cell's text form ({@code veil:} and the base64 of the
   * magic and a known version): a few character comparisons, no decoding, no allocation.
   */
  public static boolean startsLikeTextCell(CharSequence text) {
    return CellFormat.startsLikeTextCell(text);
  }

  /** Whether {@code utf8}, the bytes of a text value, start like a cell's text form. */
  public static boolean startsLikeTextCell(byte[] utf8) {
    return CellFormat.startsLikeTextCell(utf8);
  }

  /**
   * Whether {@code text}, a bytea value in PostgreSQL's text output ({@code bytea_output} hex or
   * escape), starts like a cell.
   */
  public static boolean startsLikeByteaText(CharSequence text) {
    return CellFormat.startsLikeByteaText(text);
  }

  public KeyCounters counters() {
    return counters;
  }

  public KeyRing keyRing() {
    return keyRing;
  }

  public Wrapping wrapping() {
    return wrapping;
  }

  private byte[] context(ColumnPolicy column) {
    return contexts.computeIfAbsent(column.context(), c -> c.getBytes(StandardCharsets.UTF_8));
  }

  /** The context bytes, followed when {@code binding} is not null by 0x00, its length, it. */
  private byte[] context(ColumnPolicy column, byte[] binding) {
    byte[] context = context(column);
    if (binding == null) {
      return context;
    }
    byte[] bound = Arrays.copyOf(context, context.length + 5 + binding.length);
    int at = context.length;
    bound[at] = 0;
    bound[at + 1] = (byte) (binding.length >>> 24);
    bound[at + 2] = (byte) (binding.length >>> 16);
    bound[at + 3] = (byte) (binding.length >>> 8);
    bound[at + 4] = (byte) binding.length;
    System.arraycopy(binding, 0, bound, at + 5, binding.length);
    return bound;
  }

  private byte[] associatedData(byte[] header, ColumnPolicy column) {
    byte[] context = context(column);
    byte[] aad = Arrays.copyOf(header, header.length + context.length);
    System.arraycopy(context, 0, aad, header.length, context.length);
    return aad;
  }

  /** The AES-SIV of one column: HKDF-SHA256(key, salt = key id, info = label + context). */
  private AesSiv siv(BranchKey key, ColumnPolicy column) throws GeneralSecurityException {
    SivSlot slot = new SivSlot(key.id(), column.context());
    AesSiv siv = sivs.get(slot);
    if (siv == null) {
      siv = deriveSiv(key, context(column));
      sivs.putIfAbsent(slot, siv);
    }
    return siv;
  }

  /** Where a column's AES-SIV is kept: its deterministic key and the column's context. */
  private record SivSlot(KeyId keyId, String context) {}

  static AesSiv deriveSiv(BranchKey key, byte[] context) throws GeneralSecurityException {
    byte[] ikm = key.copyOfKeyBytes();
    byte[] info = Arrays.copyOf(CellFormat.SIV_INFO, CellFormat.SIV_INFO.length + context.length);
    System.arraycopy(context, 0, info, CellFormat.SIV_INFO.length, context.length);
    byte[] columnKey = Hkdf.computeHkdf("HMACSHA256", ikm, key.id().toBytes(), info, 64);
    try {
      return new AesSiv(columnKey);
    } finally {
      BranchKey.clear(ikm);
      Arrays.fill(columnKey, (byte) 0);
    }
  }

  /**
   * How long a thread may reuse the row key it used last without asking the cache again: the
   * cells of one row share a row key, so the second cell of a row skips the lookup. Short, so
   * that a row key leaves memory no later than this after the cache lets it go.
   */
  private static final long ROW_KEY_MEMO_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

  /** A thread's ciphers and the row key it opened a cell with last. */
  private static final class PerThread {
    final Cipher gcm = newGcm();
    /**
     * Wraps and unwraps row keys under branch keys only: the JDK keeps the last key's schedule,
     * so a cipher that stays on the branch key skips an AES key expansion per row.
     */
    final Cipher wrapGcm = newGcm();
    private byte lastVersion;
    private byte lastKind;
    private byte[] lastKeyPart = new byte[0];
    private SecretKeySpec lastRowKey;
    private long lastUntil;

    /** The row key of the last cell opened, if {@code cell}'s version, kind and key part match. */
    SecretKeySpec lastRowKey(byte[] cell, int ivAt, long now) {
      SecretKeySpec key = lastRowKey;
      if (key == null || now - lastUntil >= 0
          || cell[CellFormat.VERSION_OFFSET] != lastVersion
          || cell[CellFormat.KIND_OFFSET] != lastKind
          || !Arrays.equals(cell, CellFormat.KEY_ID_OFFSET, ivAt,
              lastKeyPart, 0, lastKeyPart.length)) {
        return null;
      }
      return key;
    }

    void rememberRowKey(byte[] cell, int ivAt, SecretKeySpec key, long until) {
      lastVersion = cell[CellFormat.VERSION_OFFSET];
      lastKind = cell[CellFormat.KIND_OFFSET];
      lastKeyPart = Arrays.copyOfRange(cell, CellFormat.KEY_ID_OFFSET, ivAt);
      lastRowKey = key;
      lastUntil = until;
    }
  }

  private static Cipher newGcm() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (java.security.NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
    }
  }

  @Override
  public void close() {
    keyRing.close();
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        System.getLogger(CellCodec.class.getName()).log(System.Logger.Level.WARNING,
            "closing the key provider failed: " + e.getClass().getSimpleName());
      }
    }
  }

  @Override
  public String toString() {
    return "CellCodec[" + wrapping.name().toLowerCase(Locale.ROOT) + " wrapping, " + keyRing
        + "]";
  }

  /** Builds a {@link CellCodec}; defaults follow {@code VeilProperty}. Not thread-safe. */
  public static final class Builder {
    private KeyProvider provider;
    private List<KeyProvider> previousProviders = List.of();
    private BranchKeyStore store;
    private String keyring = "default";
    private Wrapping wrapping = Wrapping.BRANCH;
    private Duration rotateAfter = Duration.ofDays(90);
    private long rotateAfterRows;
    private Duration expireAfter = Duration.ofMinutes(15);
    private Duration refreshAfter = Duration.ofMinutes(10);
    private Duration grace = Duration.ofHours(1);
    private Duration timeout = Duration.ofSeconds(5);
    private long keyMax = 1000;
    private long dekMax = 100_000;
    private Ticker ticker = Ticker.systemTicker();
    private Clock clock = Clock.systemUTC();
    private Executor executor;
    private SecureRandom random;
    private KeyCounters counters;
    private AutoCloseable owned;

    private Builder() {}

    public Builder keyProvider(KeyProvider provider) {
      this.provider = provider;
      return this;
    }

    /** Previous master keys: they unwrap the keys stored under them, and wrap nothing new. */
    public Builder previousKeyProviders(List<KeyProvider> providers) {
      this.previousProviders = List.copyOf(providers);
      return this;
    }

    public Builder keyStore(BranchKeyStore store) {
      this.store = store;
      return this;
    }

    public Builder keyring(String keyring) {
      this.keyring = keyring;
      return this;
    }

    public Builder wrapping(Wrapping wrapping) {
      this.wrapping = wrapping;
      return this;
    }

    public Builder rotateAfter(Duration d) {
      this.rotateAfter = d;
      return this;
    }

    /** Rows sealed under one branch key in this codec before it rotates; 0, no count rule. */
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

    public Builder timeout(Duration d) {
      this.timeout = d;
      return this;
    }

    public Builder keyMax(long max) {
      this.keyMax = max;
      return this;
    }

    public Builder dekMax(long max) {
      this.dekMax = max;
      return this;
    }

    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Where background key refreshes run; tests pass {@code Runnable::run}. */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    public Builder counters(KeyCounters counters) {
      this.counters = counters;
      return this;
    }

    public CellCodec build() {
      Objects.requireNonNull(provider, "keyProvider");
      Objects.requireNonNull(store, "keyStore");
      if (random == null) {
        random = new SecureRandom();
      }
      KeyRing ring = KeyRing.builder().provider(provider).previousProviders(previousProviders)
          .store(store).keyring(keyring)
          .rotateAfter(rotateAfter).rotateAfterRows(rotateAfterRows)
          .expireAfter(expireAfter).refreshAfter(refreshAfter)
          .grace(grace).timeout(timeout).keyMax(keyMax).clock(clock).ticker(ticker)
          .executor(executor).random(random)
          .counters(counters == null ? new KeyCounters() : counters).build();
      return new CellCodec(this, ring);
    }
  }
}
