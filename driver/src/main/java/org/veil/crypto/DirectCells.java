package org.veil.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executor;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Randomized cells whose row key the key provider wraps ({@code veil.keys.wrapping=direct},
 * version 1 kind 1): one provider call per row written; unwrapped row keys are cached (Caffeine,
 * keyed by the wrapped bytes), so a row read again costs no call. Written as version 1: the key id
 * is the provider's encryption context and there is no branch key to retire.
 *
 * <p>Thread-safe.
 */
final class DirectCells {

  private static final int TAG_BITS = CellFormat.TAG * 8;

  private final DirectKeys keys;
  private final Randomness random;
  private final CellEvents events;
  private final Cache<Slot, SecretKeySpec> rowKeys;

  DirectCells(DirectKeys keys, Randomness random, CellEvents events, long maximumSize,
      Duration expireAfter, Ticker ticker, Executor executor) {
    this.keys = keys;
    this.random = random;
    this.events = events;
    this.rowKeys = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(expireAfter)
        .ticker(ticker).executor(executor).build();
  }

  void startRow(RowSeal row) throws GeneralSecurityException {
    KeyId id = KeyId.random(random.source());
    DirectKeys.DirectKey key = keys.generate(id);
    try {
      byte[] blob = key.blob();
      if (blob.length > 0xffff) {
        throw new GeneralSecurityException("the key provider's blob is " + blob.length
            + " bytes; a cell holds at most 65535");
      }
      byte[] part = new byte[KeyId.LENGTH + 2 + blob.length];
      id.writeTo(part, 0);
      part[KeyId.LENGTH] = (byte) (blob.length >>> 8);
      part[KeyId.LENGTH + 1] = (byte) blob.length;
      System.arraycopy(blob, 0, part, KeyId.LENGTH + 2, blob.length);
      row.version = CellFormat.VERSION_1;
      row.kind = CellFormat.KIND_DIRECT;
      row.keyPart = part;
      row.rowKey = new SecretKeySpec(key.plaintext(), "AES");
      rowKeys.put(new Slot(part), row.rowKey);
    } finally {
      Arrays.fill(key.plaintext(), (byte) 0);
    }
  }

  /** Seals into a version 1 kind 1 cell: a random IV, associated data = cell head + context. */
  byte[] seal(RowSeal row, CellColumn column, ValueType type, byte[] plaintext,
      ThreadCiphers t) throws GeneralSecurityException {
    int ivAt = CellFormat.KEY_ID_OFFSET + row.keyPart.length;
    byte[] cell = new byte[ivAt + CellFormat.IV + plaintext.length + CellFormat.TAG];
    cell[0] = CellFormat.MAGIC_0;
    cell[1] = CellFormat.MAGIC_1;
    cell[CellFormat.VERSION_OFFSET] = CellFormat.VERSION_1;
    cell[CellFormat.KIND_OFFSET] = CellFormat.KIND_DIRECT;
    cell[CellFormat.TYPE_OFFSET] = (byte) type.code();
    System.arraycopy(row.keyPart, 0, cell, CellFormat.KEY_ID_OFFSET, row.keyPart.length);
    random.nextBytes(cell, ivAt, CellFormat.IV);
    Cipher gcm = t.gcm;
    gcm.init(Cipher.ENCRYPT_MODE, row.rowKey, new GCMParameterSpec(TAG_BITS, cell, ivAt,
        CellFormat.IV));
    gcm.updateAAD(cell, 0, ivAt);
    gcm.updateAAD(column.contextBytes());
    try {
      gcm.doFinal(plaintext, 0, plaintext.length, cell, ivAt + CellFormat.IV);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    row.cells++;
    return cell;
  }

  /**
   * The plaintext of a directly wrapped cell: in {@code into} from offset 0 when given (it may be
   * {@code cell} itself: AES-GCM is copy-safe), else in a new array.
   */
  byte[] open(CellHeader header, CellColumn column, byte[] cell, byte[] into, ThreadCiphers t)
      throws GeneralSecurityException {
    int ivAt = header.payloadIvAt();
    Slot slot = new Slot(Arrays.copyOfRange(cell, CellFormat.KEY_ID_OFFSET, ivAt));
    SecretKeySpec rowKey = rowKeys.getIfPresent(slot);
    events.directKeyLookup(rowKey != null);
    if (rowKey == null) {
      byte[] dek = keys.unwrap(CellHeader.keyId(cell),
          Arrays.copyOfRange(cell, CellHeader.blobAt(), ivAt));
      try {
        if (dek.length != CellFormat.DEK) {
          throw new javax.crypto.AEADBadTagException("the row key is not 32 bytes");
        }
        rowKey = new SecretKeySpec(dek, "AES");
      } finally {
        Arrays.fill(dek, (byte) 0);
      }
      rowKeys.put(slot, rowKey);
    }
    Cipher gcm = t.gcm;
    gcm.init(Cipher.DECRYPT_MODE, rowKey, new GCMParameterSpec(TAG_BITS, cell, ivAt,
        CellFormat.IV));
    gcm.updateAAD(cell, 0, ivAt);
    gcm.updateAAD(column.contextBytes());
    byte[] plaintext = into != null ? into : new byte[header.plaintextLength(cell)];
    try {
      gcm.doFinal(cell, header.ciphertextAt(), cell.length - header.ciphertextAt(), plaintext, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    return plaintext;
  }

  void clear() {
    rowKeys.invalidateAll();
  }

  /** A cache key: the key part's bytes (key id, blob length, blob). */
  private static final class Slot {
    private final byte[] bytes;
    private final int hash;

    Slot(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slot other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }
  }

  @Override
  public String toString() {
    return "DirectCells[" + rowKeys.estimatedSize() + " row keys cached]";
  }
}
