package org.veil.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Seals values into cells and opens cells back into values: the one object the JDBC layer and
 * the tools ask to encrypt or decrypt, one per configuration and database. The layouts are
 * {@link CellFormat} (docs/FORMAT.md); the keys come from a {@link CellKeys} port.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Randomized columns: AES-256-GCM under a row key of its own per row (shared by that row's
 *       cells, each with its own IV), derived from the active branch key and a fresh 128-bit row
 *       nonce (format v3, {@link RowKeyKdf}), or wrapped by the key provider (direct wrapping).
 *       Equal values give unrelated cells.</li>
 *   <li>Deterministic columns: AES-SIV ({@link DeterministicCells}). Equal values in one column
 *       give identical cells: equality, and so frequencies, are visible.</li>
 *   <li>Every cell is authenticated with its header and the column's context
 *       ({@link CellColumn#context()}); a bound column's cells also with the row's binding value.
 *       A changed bit, a truncation, a cell moved to a column with another context (or, bound,
 *       to another row) fails with {@link CellException}.</li>
 * </ul>
 *
 * <h2>Warning</h2>
 * The length of a value is visible (ciphertext length = value length + a fixed overhead), and
 * SQL {@code NULL} is stored as {@code NULL}. Keys and values never appear in messages, logs or
 * {@code toString}.
 *
 * <p>Memory: sealing reads the plaintext where it lies (a caller's bytes are not copied) and
 * writes one array the size of the value, the cell; opening writes one, the plaintext, or none
 * ({@link #openInPlace}). Plaintexts that Veil made itself are cleared once used.
 *
 * <p>Thread-safe. Ciphers are kept per thread; a row costs one key derivation and one GCM key
 * schedule, and no provider call, reflection, logging or clock read.
 */
public final class CellCodec {

  private final CellKeys keys;
  private final Wrapping wrapping;
  private final CellEvents events;
  private final GcmProvider provider;
  private final RandomizedCells randomized;
  private final DeterministicCells deterministic;
  private final DirectCells direct;
  private final ThreadLocal<ThreadCiphers> ciphers;
  private final CellOpener opener;

  CellCodec(CellCodecBuilder b) {
    this.keys = Objects.requireNonNull(b.keys, "keys");
    this.wrapping = b.wrapping;
    this.events = b.events;
    this.provider = b.provider;
    Randomness random = new Randomness(b.random != null ? b.random : new SecureRandom());
    this.randomized = new RandomizedCells(keys, random, b.cellVersion);
    this.deterministic = new DeterministicCells(keys);
    this.direct = b.directKeys == null ? null : new DirectCells(b.directKeys, random, events,
        b.directCacheSize, b.directCacheExpiry, b.ticker, b.executor);
    if (wrapping == Wrapping.DIRECT && direct == null) {
      throw new IllegalArgumentException("direct wrapping needs directKeys");
    }
    GcmProvider chosen = provider;
    this.ciphers = ThreadLocal.withInitial(() -> new ThreadCiphers(chosen));
    this.opener = new CellOpener(randomized, deterministic, direct, ciphers, events);
  }

  public static CellCodecBuilder builder() {
    return new CellCodecBuilder();
  }

  // ---------------------------------------------------------------- sealing

  /** A row key holder for the cells of one row; cheap until a randomized cell uses it. */
  public RowSeal beginRow() {
    return new RowSeal();
  }

  /**
   * Seals {@code value} (of {@code type}'s Java class) for {@code column}.
   *
   * @param binding the row's binding value when {@code column} is bound, else null
   * @throws IllegalArgumentException when {@code value} is not of {@code type}'s class, or the
   *     binding is missing for a bound column (or given for an unbound one)
   * @throws KeyUnavailableException when the key that should seal it cannot be obtained
   */
  public byte[] seal(RowSeal row, CellColumn column, ValueType type, Object value,
      byte[] binding) throws GeneralSecurityException {
    if (type == ValueType.BYTES && value instanceof byte[] bytes) {
      // Sealing only reads its plaintext: the caller's bytes serve as they are, not copied
      // (a large value would be held twice) and not cleared (they are the caller's).
      return sealEncoded(row, column, type, bytes, binding);
    }
    byte[] plaintext = type.encode(value);
    try {
      return sealEncoded(row, column, type, plaintext, binding);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Seals plaintext bytes already encoded by {@link ValueType#encode}; reads them, never keeps or
   * changes them.
   */
  public byte[] sealEncoded(RowSeal row, CellColumn column, ValueType type, byte[] plaintext,
      byte[] binding) throws GeneralSecurityException {
    Objects.requireNonNull(plaintext, "plaintext");
    checkBinding(column, binding);
    if (column.isDeterministic()) {
      byte[] cell = deterministic.seal(column, type, plaintext);
      events.cellSealed(CellEvents.Kind.DETERMINISTIC);
      return cell;
    }
    ThreadCiphers t = ciphers.get();
    if (!row.isStarted()) {
      if (wrapping == Wrapping.DIRECT) {
        direct.startRow(row);
      } else {
        randomized.startRow(row, t);
      }
    }
    if (row.kind == CellFormat.KIND_DIRECT) {
      if (binding != null) {
        throw new IllegalArgumentException("column " + column.name() + " is bound to its row,"
            + " which direct wrapping (veil.keys.wrapping=direct) does not support");
      }
      byte[] cell = direct.seal(row, column, type, plaintext, t);
      events.cellSealed(CellEvents.Kind.DIRECT);
      return cell;
    }
    byte[] cell = randomized.seal(row, column, type, plaintext, binding, t);
    events.cellSealed(CellEvents.Kind.RANDOMIZED);
    return cell;
  }

  static void checkBinding(CellColumn column, byte[] binding) {
    if (column.isBound() != (binding != null)) {
      throw new IllegalArgumentException(column.isBound()
          ? "column " + column.name() + " is bound to its row: its binding value is needed"
          : "column " + column.name() + " is not bound to its row: no binding value is taken");
    }
  }

  // ---------------------------------------------------------------- opening

  /**
   * Opens a cell read from {@code column}.
   *
   * @param binding the row's binding value when {@code column} is bound, else null
   * @throws CellException when the bytes are not a cell, or do not authenticate for this column
   *     (and row)
   * @throws KeyUnavailableException when the cell's key cannot be obtained (provider or key store
   *     down, access denied); the message names the column and key id
   */
  public Opened open(CellColumn column, byte[] cell, byte[] binding)
      throws GeneralSecurityException {
    return opener.open(column, cell, binding, false);
  }

  /**
   * Opens a cell as {@link #open} does, decrypting it over its own bytes: for a cell that the
   * caller made itself and reads no more (one decoded from its text form), so that opening a
   * large value takes no second array of its size. The cell is given up: when this returns or
   * throws, its bytes are cleared. An AES-SIV (deterministic) cell is opened into an array of
   * its own, then cleared likewise.
   *
   * @throws CellException as {@link #open}
   * @throws KeyUnavailableException as {@link #open}
   */
  public Opened openInPlace(CellColumn column, byte[] cell, byte[] binding)
      throws GeneralSecurityException {
    try {
      return opener.open(column, cell, binding, true);
    } finally {
      Arrays.fill(cell, (byte) 0);
    }
  }

  /**
   * Opens a cell that reached the application where no column names it (a function's result, an
   * OUT parameter) if it was sealed for {@code column}: as {@link #open}, except that a cell of
   * the other mode, or one that does not authenticate under this column's context, gives null and
   * does not count as a failure, so that a caller can try each configured column in turn. A bound
   * column is never tried: its binding value is not known here.
   *
   * @return the opened value, or null when the cell was not sealed for {@code column}
   * @throws CellException when the bytes are not a cell, or are malformed for any column
   * @throws KeyUnavailableException when the cell's key cannot be obtained
   */
  public Opened openIfSealedFor(CellColumn column, byte[] cell)
      throws GeneralSecurityException {
    return opener.openIfSealedFor(column, cell);
  }

  /** The header of {@code cell}, checked against {@code column}'s mode and binding. */
  CellHeader header(CellColumn column, byte[] cell) throws CellException {
    return opener.header(column, cell);
  }

  /** The plaintext of a cell whose header was checked; failures become exceptions for users. */
  byte[] openPlaintext(CellHeader header, CellColumn column, byte[] cell, byte[] binding)
      throws GeneralSecurityException {
    return opener.openPlaintext(header, column, cell, binding);
  }

  /** Re-wraps and re-seals stored cells, for the tools. */
  public Rewrapper rewrapper() {
    return new Rewrapper(this);
  }

  public Wrapping wrapping() {
    return wrapping;
  }

  /** The provider of the per-row AES operations. */
  public GcmProvider provider() {
    return provider;
  }

  CellKeys keys() {
    return keys;
  }

  RandomizedCells randomized() {
    return randomized;
  }

  ThreadCiphers threadCiphers() {
    return ciphers.get();
  }

  /**
   * Drops what the codec derived from keys (column AES-SIV keys, cached direct row keys, this
   * thread's row key memo); the key ring's keys are the key ring's to release.
   */
  public void clear() {
    deterministic.clear();
    if (direct != null) {
      direct.clear();
    }
    ciphers.get().forget();
  }

  @Override
  public String toString() {
    return "CellCodec[" + wrapping.name().toLowerCase(Locale.ROOT) + " wrapping, "
        + provider.name() + "]";
  }
}
