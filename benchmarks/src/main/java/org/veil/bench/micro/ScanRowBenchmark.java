package org.veil.bench.micro;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellColumn;
import org.veil.crypto.RowSeal;
import org.veil.crypto.ValueType;
import org.veil.keys.KeyHierarchy;

/**
 * The crypto of one row of the end-to-end scan, without the database: the row's two randomized
 * cells (the 20 B e-mail and the 200 B note of the benchmark table) opened from {@code byte[]}
 * into {@code String}s, rows taken in turn from {@value #ROWS} sealed in setup, so each row's
 * first cell derives its row key and the second reuses it, as a scan does.
 *
 * <ul>
 *   <li>{@link #veil}: Veil's {@link CellCodec#open}, version 3 cells, branch key cached;</li>
 *   <li>{@link #floor}: the {@code aesgcm} contender's open: one static key, a reused
 *       {@code Cipher}, {@code IV || ciphertext || tag}, then UTF-8 decoding.</li>
 * </ul>
 *
 * Run with JMH's {@code -prof gc} (RunAll does): its {@code gc.alloc.rate.norm} is the bytes
 * allocated per row opened, the unit of the "allocation per scanned row" target.
 * {@code provider} is Veil's per-row AES-GCM provider (as in {@link CellCodecBenchmark}); the
 * floor always uses the JDK's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ScanRowBenchmark {

  static final int ROWS = 1024;
  private static final int EMAIL_BYTES = 20;
  private static final int NOTE_BYTES = 200;
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  @Param({"auto"})
  public String provider;

  private KeyHierarchy keys;
  private CellCodec codec;
  private CellColumn email;
  private CellColumn note;
  private final byte[][] veilEmails = new byte[ROWS][];
  private final byte[][] veilNotes = new byte[ROWS][];

  private SecretKeySpec floorKey;
  private Cipher opener;
  private final byte[][] floorEmails = new byte[ROWS][];
  private final byte[][] floorNotes = new byte[ROWS][];

  private int row;

  @Setup
  public void setUp() throws Exception {
    keys = VeilKeys.newKeys(VeilKeys.gcmProvider(provider));
    codec = keys.codec();
    email = ColumnPolicy.of("public", "bench", "email", EncryptionMode.RANDOMIZED).cellColumn();
    note = ColumnPolicy.of("public", "bench", "note", EncryptionMode.RANDOMIZED).cellColumn();
    SecureRandom random = new SecureRandom();
    byte[] keyBytes = new byte[32];
    random.nextBytes(keyBytes);
    floorKey = new SecretKeySpec(keyBytes, "AES");
    Cipher sealer = Cipher.getInstance("AES/GCM/NoPadding");
    opener = Cipher.getInstance("AES/GCM/NoPadding");
    SplittableRandom words = new SplittableRandom(20240607L);
    for (int i = 0; i < ROWS; i++) {
      String e = String.format("u%07d@example.org", i);
      char[] n = new char[NOTE_BYTES];
      for (int c = 0; c < NOTE_BYTES; c++) {
        int r = words.nextInt(27);
        n[c] = r == 26 ? ' ' : (char) ('a' + r);
      }
      String t = new String(n);
      if (e.length() != EMAIL_BYTES) {
        throw new IllegalStateException("e-mail of " + e.length() + " bytes");
      }
      RowSeal seal = codec.beginRow();
      veilEmails[i] = codec.seal(seal, email, ValueType.TEXT, e, null);
      veilNotes[i] = codec.seal(seal, note, ValueType.TEXT, t, null);
      floorEmails[i] = floorSeal(sealer, random, e);
      floorNotes[i] = floorSeal(sealer, random, t);
    }
    for (int i = 0; i < ROWS; i++) {
      if (!codec.open(email, veilEmails[i], null).value().equals(floorOpen(floorEmails[i]))
          || !codec.open(note, veilNotes[i], null).value().equals(floorOpen(floorNotes[i]))) {
        throw new IllegalStateException("row " + i + " did not open as sealed");
      }
    }
  }

  @TearDown
  public void tearDown() {
    keys.close();
  }

  /** Opens the next row's two Veil cells. */
  @Benchmark
  public void veil(Blackhole sink) throws GeneralSecurityException {
    int i = next();
    sink.consume(codec.open(email, veilEmails[i], null).value());
    sink.consume(codec.open(note, veilNotes[i], null).value());
  }

  /** Opens the next row's two static-key AES-GCM values. */
  @Benchmark
  public void floor(Blackhole sink) throws GeneralSecurityException {
    int i = next();
    sink.consume(floorOpen(floorEmails[i]));
    sink.consume(floorOpen(floorNotes[i]));
  }

  private int next() {
    row = (row + 1) & (ROWS - 1);
    return row;
  }

  private byte[] floorSeal(Cipher sealer, SecureRandom random, String value)
      throws GeneralSecurityException {
    byte[] plaintext = value.getBytes(StandardCharsets.UTF_8);
    byte[] cell = new byte[IV_BYTES + plaintext.length + TAG_BITS / 8];
    random.nextBytes(cell);
    sealer.init(Cipher.ENCRYPT_MODE, floorKey, new GCMParameterSpec(TAG_BITS, cell, 0, IV_BYTES));
    try {
      sealer.doFinal(plaintext, 0, plaintext.length, cell, IV_BYTES);
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    return cell;
  }

  /** As {@code StaticKeyAesGcm.open} in the end-to-end harness. */
  private String floorOpen(byte[] cell) throws GeneralSecurityException {
    opener.init(Cipher.DECRYPT_MODE, floorKey, new GCMParameterSpec(TAG_BITS, cell, 0, IV_BYTES));
    return new String(opener.doFinal(cell, IV_BYTES, cell.length - IV_BYTES),
        StandardCharsets.UTF_8);
  }
}
