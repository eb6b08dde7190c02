package org.veil.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/**
 * How {@link CellCodec} opens cells: checks a cell's header against its column, decrypts it by
 * its layout (into a new array, or over the cell's own bytes), decodes the value, clears the
 * plaintext it no longer needs, and turns each failure into the exception users see, naming the
 * column and the key id, never the value.
 *
 * <p>Thread-safe: per-thread state lives in the codec's {@link ThreadCiphers}.
 */
final class CellOpener {

  private final RandomizedCells randomized;
  private final DeterministicCells deterministic;
  /** Null for a codec without direct keys. */
  private final DirectCells direct;
  private final ThreadLocal<ThreadCiphers> ciphers;
  private final CellEvents events;

  CellOpener(RandomizedCells randomized, DeterministicCells deterministic, DirectCells direct,
      ThreadLocal<ThreadCiphers> ciphers, CellEvents events) {
    this.randomized = randomized;
    this.deterministic = deterministic;
    this.direct = direct;
    this.ciphers = ciphers;
    this.events = events;
  }

  /**
   * {@link CellCodec#open}; with {@code inPlace}, decrypted over {@code cell} where the layout
   * allows, which the caller then clears ({@link CellCodec#openInPlace}).
   */
  Opened open(CellColumn column, byte[] cell, byte[] binding, boolean inPlace)
      throws GeneralSecurityException {
    CellHeader header = header(column, cell);
    // Read now: once decrypted in place the header is gone, and the cell is not used past here.
    KeyId keyId = CellHeader.keyId(cell);
    byte[] plaintext = openPlaintext(header, column, cell, binding, keyId, inPlace);
    int length = plaintext == cell ? header.plaintextLength(cell) : plaintext.length;
    Opened opened = decode(column, keyId, header.type(), plaintext, length, plaintext != cell);
    events.cellOpened(kind(header));
    return opened;
  }

  private static CellEvents.Kind kind(CellHeader header) {
    CellHeader.Layout layout = header.layout();
    return layout.isDeterministic() ? CellEvents.Kind.DETERMINISTIC
        : layout == CellHeader.Layout.V1_DIRECT ? CellEvents.Kind.DIRECT
        : CellEvents.Kind.RANDOMIZED;
  }

  /** {@link CellCodec#openIfSealedFor}. */
  Opened openIfSealedFor(CellColumn column, byte[] cell) throws GeneralSecurityException {
    CellHeader parsed = CellHeader.parse(cell);
    if (column.isBound() || (parsed != null
        && column.isDeterministic() != parsed.layout().isDeterministic())) {
      return null;
    }
    CellHeader header = header(column, cell);
    byte[] plaintext;
    try {
      plaintext = plaintext(header, column, cell, null, false);
    } catch (AEADBadTagException | RandomizedCells.CellKeyPurposeException e) {
      return null;
    } catch (KeyNotFoundException e) {
      throw fail(column, cell, "cannot be opened: " + e.getMessage(), e);
    } catch (KeyUnavailableException e) {
      throw unavailable(column, CellHeader.keyId(cell), e);
    } catch (GeneralSecurityException e) {
      return null; // Tink's failed AES-SIV check
    }
    Opened opened = decode(column, CellHeader.keyId(cell), header.type(), plaintext,
        plaintext.length, true);
    events.cellOpened(kind(header));
    return opened;
  }

  /** The header of {@code cell}, checked against {@code column}'s mode and binding. */
  CellHeader header(CellColumn column, byte[] cell) throws CellException {
    CellHeader header = CellHeader.parse(cell);
    if (header == null) {
      throw fail(column, cell, CellFormat.hasMagic(cell)
          ? "is malformed (an unknown kind or value type, or too short): altered or truncated"
          : "is not a Veil cell (format v1, v2 or v3): the column holds a plaintext or foreign"
              + " value; migrate it with the Veil tool, or set veil.plaintextReads=allow for a"
              + " migration window", null);
    }
    if (header.layout().isDeterministic() != column.isDeterministic()) {
      throw fail(column, cell, "does not match the column's " + (column.isDeterministic()
          ? "deterministic" : "randomized") + " mode: altered, copied from another column, or"
          + " the column's mode was changed without re-encrypting", null);
    }
    if (column.isBound() && header.layout() != CellHeader.Layout.V3_DERIVED
        && header.layout() != CellHeader.Layout.V3_REWRAPPED) {
      throw fail(column, cell, "is a format v" + cell[CellFormat.VERSION_OFFSET] + " cell, which"
          + " carries no row binding, in a column bound to its row (:bind): it was written"
          + " before :bind was set, or copied from elsewhere; re-seal the column", null);
    }
    return header;
  }

  /** The plaintext of a cell whose header was checked; failures become exceptions for users. */
  byte[] openPlaintext(CellHeader header, CellColumn column, byte[] cell, byte[] binding)
      throws GeneralSecurityException {
    return openPlaintext(header, column, cell, binding, CellHeader.keyId(cell), false);
  }

  /**
   * As {@link #openPlaintext(CellHeader, CellColumn, byte[], byte[])}; {@code inPlace}: into
   * {@code cell} itself from offset 0, where the cipher allows (then the cell is returned).
   */
  private byte[] openPlaintext(CellHeader header, CellColumn column, byte[] cell, byte[] binding,
      KeyId keyId, boolean inPlace) throws GeneralSecurityException {
    CellCodec.checkBinding(column, binding);
    try {
      return plaintext(header, column, cell, binding, inPlace);
    } catch (KeyNotFoundException e) {
      throw fail(column, keyId, "cannot be opened: " + e.getMessage(), e);
    } catch (KeyUnavailableException e) {
      throw unavailable(column, keyId, e);
    } catch (GeneralSecurityException e) {
      // A failed tag, a key of the other purpose, or Tink's failed AES-SIV check.
      throw fail(column, keyId, "does not authenticate: it was altered, truncated, copied from a"
          + " column with another context than " + column.context()
          + (column.isBound() ? ", or copied from another row" : ""), e);
    }
  }

  private byte[] plaintext(CellHeader header, CellColumn column, byte[] cell, byte[] binding,
      boolean inPlace) throws GeneralSecurityException {
    switch (header.layout()) {
      case V1_DETERMINISTIC:
        return deterministic.open(column, cell);
      case V1_DIRECT:
        if (direct == null) {
          throw new KeyUnavailableException(CellHeader.keyId(cell).toString(), "the cell's row"
              + " key is wrapped by the key provider, and this codec has no direct keys", null);
        }
        return direct.open(header, column, cell, inPlace ? cell : null, ciphers.get());
      default:
        return randomized.open(header, column, cell, binding, inPlace ? cell : null,
            ciphers.get());
    }
  }

  /**
   * The value of {@code plaintext[0, length)}; then the plaintext is cleared if {@code clear}
   * (not when it is the cell, opened in place, which {@link CellCodec#openInPlace} clears),
   * unless it has become the value (bytes).
   */
  private Opened decode(CellColumn column, KeyId keyId, ValueType type, byte[] plaintext,
      int length, boolean clear) throws CellException {
    Object value = null;
    try {
      value = type.decode(plaintext, length);
      return new Opened(type, value);
    } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
      throw fail(column, keyId, "authenticates but does not hold a valid " + type
          + " value; it was written by an incompatible Veil version", null);
    } finally {
      if (clear && value != plaintext) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  private CellException fail(CellColumn column, byte[] cell, String problem, Throwable cause) {
    return fail(column, cell != null && cell.length >= CellFormat.HEADER
        ? CellHeader.keyId(cell) : null, problem, cause);
  }

  private CellException fail(CellColumn column, KeyId keyId, String problem, Throwable cause) {
    events.cellFailed();
    // The cause's message is about tags and lengths, never values; kept for debugging.
    return new CellException(column.name(), keyId == null ? null : keyId.toString(), problem,
        cause);
  }

  private KeyUnavailableException unavailable(CellColumn column, KeyId id,
      KeyUnavailableException e) {
    events.cellFailed();
    String keyId = id.toString();
    return new KeyUnavailableException(keyId, "cannot open a cell in column " + column.name()
        + " (key " + keyId + "): " + e.getMessage(), e);
  }

  @Override
  public String toString() {
    return "CellOpener[" + randomized + "]";
  }
}
