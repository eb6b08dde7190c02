package org.veil.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The frozen layouts of v1, v2 and v3 cells; docs/FORMAT.md is the reference and its test
 * vectors are checked byte for byte by {@code CellFormatVectorsTest}. {@link CellHeader} reads
 * these offsets; nothing else does arithmetic on them.
 *
 * <p>Version 2 has the same offsets as version 1 and defines kind 0 only; what differs is the
 * value's associated data: {@code magic, version, kind, type} and the column context, not the key
 * id and the wrapped row key, so that retiring a branch key can re-wrap the row key and keep the
 * payload. Version 3 derives the row key from the branch key and a per-row nonce (kind 0), or
 * carries it wrapped after a branch key was retired (kind 3). Direct-wrapping and deterministic
 * cells are still written as version 1.
 *
 * <pre>
 * offset  size  field
 * 0       2     magic "VL" (0x56 0x4c)
 * 2       1     format version, 0x01 or 0x02
 * 3       1     kind: 0 randomized + branch wrap, 1 randomized + direct wrap, 2 deterministic
 * 4       1     value type ({@link ValueType#code()})
 * 5       16    key id: branch key (kind 0), row key (kind 1), deterministic key (kind 2)
 * kind 0: 21 12 wrap IV | 33 48 row key under the branch key, AES-256-GCM (32 + tag 16)
 *         81 12 IV      | 93 n+16 value under the row key, AES-256-GCM
 * kind 1: 21 2 blob length L | 23 L key provider blob | 23+L 12 IV | 35+L n+16 ciphertext+tag
 * kind 2: 21 16+n AES-SIV (RFC 5297) output: synthetic IV, then ciphertext
 *
 * version 3:
 * kind 0: 21 16 row nonce  | 37 12 IV | 49 n+16 value under KDF(branch key, nonce), AES-256-GCM
 * kind 3: 21 12 wrap IV | 33 48 row key under the branch key | 81 12 IV | 93 n+16 value
 * </pre>
 */
final class CellFormat {

  static final byte MAGIC_0 = 0x56; // 'V'
  static final byte MAGIC_1 = 0x4c; // 'L'
  static final byte VERSION_1 = 1;
  static final byte VERSION_2 = 2;
  static final byte VERSION_3 = 3;
  /**
   * Every format version Veil reads, and so every version a stored cell may carry: the one list
   * that {@link #hasMagic} and the database-side guard ({@link CellShape}) admit. A new version
   * is added here, and nowhere else for those two.
   */
  static final byte[] VERSIONS = {VERSION_1, VERSION_2, VERSION_3};
  static final int VERSION_OFFSET = 2;
  static final int KIND_BRANCH = 0;
  static final int KIND_DIRECT = 1;
  static final int KIND_DETERMINISTIC = 2;
  /** Version 3: the row key is derived from the branch key and the row's nonce. */
  static final int KIND_DERIVED = 0;
  /** Version 3: a derived row key re-wrapped under another branch key, the payload unchanged. */
  static final int KIND_REWRAPPED = 3;

  static final int KIND_OFFSET = 3;
  static final int TYPE_OFFSET = 4;
  static final int KEY_ID_OFFSET = 5;
  static final int HEADER = 21;
  /** Version 2: the value's associated data starts with these bytes (magic to value type). */
  static final int V2_AAD_HEADER = 5;
  static final int IV = 12;
  static final int TAG = 16;
  static final int DEK = 32;
  static final int WRAPPED_DEK = IV + DEK + TAG; // 60
  static final int BRANCH_PAYLOAD_IV = HEADER + WRAPPED_DEK; // 81
  static final int BRANCH_MIN = BRANCH_PAYLOAD_IV + IV + TAG; // 109
  static final int DIRECT_BLOB = HEADER + 2; // 23
  /** Kind 1 with an empty key provider blob and an empty value: a lower bound, never written. */
  static final int DIRECT_MIN = DIRECT_BLOB + IV + TAG; // 51
  static final int NONCE = 16;
  /** Version 3 kind 0: the row nonce, then the payload. */
  static final int DERIVED_PAYLOAD_IV = HEADER + NONCE; // 37
  static final int DERIVED_MIN = DERIVED_PAYLOAD_IV + IV + TAG; // 65
  static final int SIV = 16;
  /** Kind 2 of an empty value: the header and the synthetic IV. */
  static final int DETERMINISTIC_MIN = HEADER + SIV; // 37
  /** The shortest cell of any version and kind: a deterministic cell of an empty value. */
  static final int MIN_CELL = Math.min(Math.min(BRANCH_MIN, DERIVED_MIN),
      Math.min(DIRECT_MIN, DETERMINISTIC_MIN));

  static final String TEXT_PREFIX = "veil:";
  private static final byte[] TEXT_PREFIX_BYTES = TEXT_PREFIX.getBytes(StandardCharsets.US_ASCII);
  /** How much of a cell {@link #toText} encodes at a time: a multiple of 3 bytes, unpadded. */
  private static final int TEXT_SLICE = 3 * 16 * 1024;
  static final byte[] SIV_INFO = "veil-siv-v1|".getBytes(StandardCharsets.US_ASCII);

  private CellFormat() {}

  /** Magic and a known version ({@link #VERSIONS}); does not look at the kind or authenticate. */
  static boolean hasMagic(byte[] cell) {
    return cell != null && cell.length >= HEADER && cell[0] == MAGIC_0 && cell[1] == MAGIC_1
        && isVersion(cell[VERSION_OFFSET]);
  }

  static boolean isVersion(byte version) {
    for (byte v : VERSIONS) {
      if (v == version) {
        return true;
      }
    }
    return false;
  }

  /**
   * How a text cell starts: {@code veil:} and the base64 of the magic and version (three bytes,
   * so exactly four characters whatever follows), per known version.
   */
  private static final String[] TEXT_STARTS = new String[VERSIONS.length];
  private static final byte[][] TEXT_START_BYTES = new byte[VERSIONS.length][];
  /** How PostgreSQL's text output of a bytea cell starts: hex ({@code \x564c01}), or escape. */
  private static final String[] BYTEA_TEXT_STARTS = new String[2 * VERSIONS.length];

  static {
    for (int i = 0; i < VERSIONS.length; i++) {
      TEXT_STARTS[i] = TEXT_PREFIX + Base64.getEncoder().encodeToString(
          new byte[] {MAGIC_0, MAGIC_1, VERSIONS[i]});
      TEXT_START_BYTES[i] = TEXT_STARTS[i].getBytes(StandardCharsets.US_ASCII);
      BYTEA_TEXT_STARTS[2 * i] = String.format("\\x564c%02x", VERSIONS[i]);
      BYTEA_TEXT_STARTS[2 * i + 1] = String.format("VL\\%03o", VERSIONS[i]);
    }
  }

  /** Whether {@code text} starts as a text cell does; a few character comparisons, no decoding. */
  static boolean startsLikeTextCell(CharSequence text) {
    if (text == null) {
      return false;
    }
    for (String start : TEXT_STARTS) {
      if (startsWith(text, start)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code utf8} (a text value's bytes) starts as a text cell does. */
  static boolean startsLikeTextCell(byte[] utf8) {
    if (utf8 == null) {
      return false;
    }
    for (byte[] start : TEXT_START_BYTES) {
      if (startsWith(utf8, start)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code text}, a bytea value in PostgreSQL's text output, starts as a cell does. */
  static boolean startsLikeByteaText(CharSequence text) {
    if (text == null || text.length() < 6) {
      return false;
    }
    for (String start : BYTEA_TEXT_STARTS) {
      if (startsWith(text, start)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWith(CharSequence text, String start) {
    if (text.length() < start.length()) {
      return false;
    }
    for (int i = 0; i < start.length(); i++) {
      if (text.charAt(i) != start.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] bytes, byte[] start) {
    if (bytes.length < start.length) {
      return false;
    }
    for (int i = 0; i < start.length; i++) {
      if (bytes[i] != start[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code veil:} and the base64 of {@code cell}, encoded a slice at a time into the text's own
   * bytes: besides the cell and the string, only those bytes are the size of the value (the
   * string copies them), where encoding, then prefixing, would make two more.
   */
  static String toText(byte[] cell) {
    byte[] text = new byte[TEXT_PREFIX_BYTES.length + 4 * ((cell.length + 2) / 3)];
    System.arraycopy(TEXT_PREFIX_BYTES, 0, text, 0, TEXT_PREFIX_BYTES.length);
    Base64.Encoder base64 = Base64.getEncoder();
    int at = TEXT_PREFIX_BYTES.length;
    for (int from = 0; from < cell.length; from += TEXT_SLICE) {
      ByteBuffer slice = base64.encode(ByteBuffer.wrap(cell, from,
          Math.min(TEXT_SLICE, cell.length - from)));
      int n = slice.remaining();
      slice.get(text, at, n);
      at += n;
    }
    return new String(text, StandardCharsets.ISO_8859_1);
  }

  static byte[] fromText(String text) {
    if (text == null || !text.startsWith(TEXT_PREFIX)) {
      return null;
    }
    // Characters past U+00FF become '?', which is not base64: refused as a malformed text form.
    return fromText(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * The cell in a text form given as its UTF-8 bytes (as PostgreSQL sends a text value), decoded
   * from those bytes in place; null when they are not one.
   */
  static byte[] fromText(byte[] utf8) {
    if (utf8 == null || !startsWith(utf8, TEXT_PREFIX_BYTES)) {
      return null;
    }
    try {
      ByteBuffer decoded = Base64.getDecoder().decode(ByteBuffer.wrap(utf8,
          TEXT_PREFIX_BYTES.length, utf8.length - TEXT_PREFIX_BYTES.length));
      byte[] cell = decoded.remaining() == decoded.capacity() ? decoded.array()
          : Arrays.copyOf(decoded.array(), decoded.remaining());
      return hasMagic(cell) ? cell : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
