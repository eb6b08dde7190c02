package org.veil.bench.micro;

import java.math.BigDecimal;
import java.security.GeneralSecurityException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellColumn;
import org.veil.keys.KeyHierarchy;
import org.veil.crypto.ValueType;

/**
 * Veil's cell codec (format version 3), sealing and opening one value of each type, beside
 * {@link AesGcmFloorBenchmark} (raw AES-256-GCM, reused {@code Cipher}) on the same sizes.
 *
 * <ul>
 *   <li>{@link #seal}: one value as the only cell of a new row, so a randomized seal includes
 *       what every row pays once: drawing its 16-byte nonce and deriving its row key from the
 *       cached branch key (three AES blocks) and the row key's GCM key schedule; what a
 *       one-encrypted-column INSERT pays (a row of two cells pays it once for both);</li>
 *   <li>{@link #open}: a later cell of the row this thread opened last, so its row key is the
 *       thread's memo: no derivation;</li>
 *   <li>{@link #openFirst}: the first cell of a row read: cells of two rows in turn, so every
 *       open derives its row key, as the first encrypted cell of each row of a scan does;</li>
 *   <li>{@link #sealThenOpen}: the unit of the "within 2x of raw at 64 B" target, as a one-cell
 *       row (seal derives the row key, the open of the new cell derives it again);</li>
 *   <li>{@link #sealThenOpenInRow}: the same for a cell of a row whose key already exists (the
 *       second and later cells of a row): the codec's per-cell cost without the per-row key.</li>
 * </ul>
 *
 * <p>{@code size} is the encoded plaintext length for {@code TEXT}, {@code JSON} and
 * {@code BYTES}; fixed-width types ignore it (RunAll runs them once, with size 0).
 * {@code provider} is the per-row AES-GCM provider: {@code auto} (as the driver chooses it:
 * {@code -Dorg.veil.crypto.provider}, else ACCP before JDK 25 when it is healthy), {@code jdk}
 * or {@code accp}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CellCodecBenchmark {

  @Param({"TEXT"})
  public String type;

  @Param({"64"})
  public int size;

  @Param({"randomized", "deterministic"})
  public String mode;

  @Param({"auto"})
  public String provider;

  private KeyHierarchy keys;
  private CellCodec codec;
  private CellColumn column;
  private ValueType valueType;
  private Object value;
  private byte[] cell;
  private org.veil.crypto.RowSeal openRow;
  /** Cells of two rows, opened in turn by {@link #openFirst}. */
  private byte[][] rows;
  private int turn;

  @Setup
  public void setUp() throws Exception {
    keys = VeilKeys.newKeys(VeilKeys.gcmProvider(provider));
    codec = keys.codec();
    column = ColumnPolicy.of("public", "bench", "value",
        mode.equals("deterministic") ? EncryptionMode.DETERMINISTIC : EncryptionMode.RANDOMIZED)
        .cellColumn();
    valueType = ValueType.valueOf(type);
    value = sample(valueType, size);
    cell = codec.seal(codec.beginRow(), column, valueType, value, null);
    openRow = codec.beginRow();
    codec.seal(openRow, column, valueType, value, null);
    rows = new byte[][] {cell, codec.seal(codec.beginRow(), column, valueType, value, null)};
    if (!equal(value, codec.open(column, cell, null).value())) {
      throw new IllegalStateException(type + " did not open as sealed");
    }
  }

  @TearDown
  public void tearDown() {
    keys.close();
  }

  @Benchmark
  public byte[] seal() throws GeneralSecurityException {
    return codec.seal(codec.beginRow(), column, valueType, value, null);
  }

  @Benchmark
  public Object open() throws GeneralSecurityException {
    return codec.open(column, cell, null).value();
  }

  @Benchmark
  public Object openFirst() throws GeneralSecurityException {
    turn ^= 1;
    return codec.open(column, rows[turn], null).value();
  }

  @Benchmark
  public Object sealThenOpen() throws GeneralSecurityException {
    return codec.open(column, codec.seal(codec.beginRow(), column, valueType, value, null), null).value();
  }

  @Benchmark
  public Object sealThenOpenInRow() throws GeneralSecurityException {
    return codec.open(column, codec.seal(openRow, column, valueType, value, null), null).value();
  }

  /** A value of {@code type}; {@code size} bytes encoded where the type has a length. */
  static Object sample(ValueType type, int size) {
    switch (type) {
      case TEXT: {
        char[] c = new char[size];
        for (int i = 0; i < size; i++) {
          c[i] = (char) ('a' + i % 26);
        }
        return new String(c);
      }
      case JSON: {
        StringBuilder b = new StringBuilder("{\"k\":\"");
        while (b.length() < size - 2) {
          b.append((char) ('a' + b.length() % 26));
        }
        return b.append("\"}").substring(0, Math.max(size, 8));
      }
      case BYTES: {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 0x5a);
        return b;
      }
      case SHORT: return (short) 12_345;
      case INT: return 1_234_567_890;
      case LONG: return 1_234_567_890_123L;
      case NUMERIC: return new BigDecimal("12345678.90");
      case BOOLEAN: return Boolean.TRUE;
      case FLOAT: return 3.25f;
      case DOUBLE: return 12_345.678;
      case DATE: return LocalDate.of(2024, 6, 7);
      case TIME: return LocalTime.of(12, 34, 56, 789_000_000);
      case TIMESTAMP: return LocalDateTime.of(2024, 6, 7, 12, 34, 56, 789_000_000);
      case TIMESTAMPTZ:
        return OffsetDateTime.of(2024, 6, 7, 12, 34, 56, 789_000_000, ZoneOffset.ofHours(2));
      case UUID: return new UUID(0x0123456789abcdefL, 0xfedcba9876543210L);
      default: throw new IllegalArgumentException(type.name());
    }
  }

  private static boolean equal(Object a, Object b) {
    return a instanceof byte[] x ? Arrays.equals(x, (byte[]) b) : a.equals(b);
  }

  /** The encoded length of a sample, for the report. */
  static int encodedLength(ValueType type, int size) {
    return type.encode(sample(type, size)).length;
  }
}
