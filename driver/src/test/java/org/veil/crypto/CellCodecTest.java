package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CellCodecTest {

  static final CellColumn SSN = CellColumn.randomized("public.customers.ssn",
      "public.customers.ssn", false);
  static final CellColumn NOTES = CellColumn.randomized("public.customers.notes",
      "public.customers.notes", false);
  static final CellColumn EMAIL = CellColumn.deterministic("public.customers.email",
      "public.customers.email");
  static final CellColumn PHONE = CellColumn.deterministic("public.customers.phone",
      "public.customers.phone");
  static final CellColumn BOUND_SSN = CellColumn.randomized("public.customers.ssn",
      "public.customers.ssn", true);
  static final String SECRET = "078-05-1120";
  static final byte[] ROW_1 = "1".getBytes(StandardCharsets.UTF_8);
  static final byte[] ROW_2 = "2".getBytes(StandardCharsets.UTF_8);

  private final TestKeys keys = TestKeys.random();
  private final CellCodec codec = codec(keys, Wrapping.BRANCH);

  static CellCodec codec(TestKeys keys, Wrapping wrapping) {
    try {
      return CellCodec.builder().keys(keys).directKeys(keys).wrapping(wrapping)
          .executor(Runnable::run).build();
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private byte[] seal(CellColumn column, ValueType type, Object value) throws Exception {
    return codec.seal(codec.beginRow(), column, type, value, null);
  }

  @Test
  void everyValueTypeRoundTripsInBothModes() throws Exception {
    List<Object[]> values = List.of(
        new Object[] {ValueType.TEXT, "héllo wörld ✓"},
        new Object[] {ValueType.TEXT, ""},
        new Object[] {ValueType.BYTES, new byte[0]},
        new Object[] {ValueType.BYTES, new byte[] {0, 1, -1, 127}},
        new Object[] {ValueType.SHORT, (short) -12345},
        new Object[] {ValueType.INT, Integer.MIN_VALUE},
        new Object[] {ValueType.LONG, Long.MAX_VALUE},
        new Object[] {ValueType.NUMERIC, new BigDecimal("-12345678901234567890.0100")},
        new Object[] {ValueType.NUMERIC, new BigDecimal("1E+5")},
        new Object[] {ValueType.BOOLEAN, true},
        new Object[] {ValueType.BOOLEAN, false},
        new Object[] {ValueType.FLOAT, -0.0f},
        new Object[] {ValueType.DOUBLE, Double.NaN},
        new Object[] {ValueType.DATE, LocalDate.of(1969, 12, 31)},
        new Object[] {ValueType.TIME, LocalTime.of(23, 59, 59, 999_999_999)},
        new Object[] {ValueType.TIMESTAMP, LocalDateTime.of(2024, 2, 29, 12, 0, 0, 123_456_000)},
        new Object[] {ValueType.TIMESTAMPTZ,
            OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 1, ZoneOffset.ofHoursMinutes(-9, -30))},
        new Object[] {ValueType.UUID, UUID.randomUUID()},
        new Object[] {ValueType.JSON, "{\"a\": [1, 2]}"});
    for (CellColumn column : List.of(SSN, EMAIL)) {
      for (Object[] v : values) {
        ValueType type = (ValueType) v[0];
        byte[] cell = seal(column, type, v[1]);
        Opened opened = codec.open(column, cell, null);
        assertThat(opened.type()).isEqualTo(type);
        assertThat(opened.value()).as("%s %s", column, type).isEqualTo(v[1]);
        if (v[1] instanceof BigDecimal) {
          assertThat(((BigDecimal) opened.value()).scale()).isEqualTo(((BigDecimal) v[1]).scale());
        }
      }
    }
  }

  @Test
  void deterministicColumnsGiveByteIdenticalCellsForEqualValues() throws Exception {
    byte[] a = seal(EMAIL, ValueType.TEXT, "a@example.com");
    byte[] b = seal(EMAIL, ValueType.TEXT, "a@example.com");
    byte[] other = seal(EMAIL, ValueType.TEXT, "b@example.com");
    byte[] otherColumn = seal(PHONE, ValueType.TEXT, "a@example.com");
    assertThat(a).isEqualTo(b).isNotEqualTo(other);
    assertThat(Arrays.copyOfRange(otherColumn, 21, otherColumn.length))
        .isNotEqualTo(Arrays.copyOfRange(a, 21, a.length));
  }

  @Test
  void randomizedCellsAreV3WithTheRowsNonceAndCountingIvs() throws Exception {
    RowSeal row = codec.beginRow();
    byte[] a = codec.seal(row, SSN, ValueType.TEXT, SECRET, null);
    byte[] b = codec.seal(row, NOTES, ValueType.TEXT, SECRET, null);
    byte[] again = seal(SSN, ValueType.TEXT, SECRET);
    assertThat(Arrays.copyOf(a, 5)).isEqualTo(new byte[] {0x56, 0x4c, 3, 0, 1});
    assertThat(a.length).as("65 + n bytes").isEqualTo(65 + SECRET.length());
    assertThat(CellHeader.keyId(a)).isEqualTo(keys.active().id());
    // One nonce per row, shared by its cells; the IV is the cell's position in the row.
    assertThat(Arrays.copyOfRange(a, 21, 37)).isEqualTo(Arrays.copyOfRange(b, 21, 37));
    assertThat(Arrays.copyOfRange(a, 37, 49)).isEqualTo(new byte[12]);
    assertThat(Arrays.copyOfRange(b, 37, 49)).isEqualTo(HexFormat.of()
        .parseHex("000000000000000000000001"));
    assertThat(Arrays.copyOfRange(again, 21, 37)).isNotEqualTo(Arrays.copyOfRange(a, 21, 37));
    assertThat(Arrays.copyOfRange(again, 49, again.length))
        .as("same value, same position, another row: unrelated ciphertext")
        .isNotEqualTo(Arrays.copyOfRange(a, 49, a.length));
  }

  @Test
  void directAndDeterministicCellsStayV1() throws Exception {
    assertThat(seal(EMAIL, ValueType.TEXT, SECRET)[2]).isEqualTo((byte) 1);
    CellCodec direct = codec(keys, Wrapping.DIRECT);
    byte[] cell = direct.seal(direct.beginRow(), SSN, ValueType.TEXT, SECRET, null);
    assertThat(Arrays.copyOf(cell, 4)).isEqualTo(new byte[] {0x56, 0x4c, 1, 1});
  }

  @Test
  void directWrappingCallsTheProviderOncePerRowWrittenAndOncePerRowReadCold() throws Exception {
    CellCodec direct = codec(keys, Wrapping.DIRECT);
    RowSeal row = direct.beginRow();
    byte[] a = direct.seal(row, SSN, ValueType.TEXT, SECRET, null);
    byte[] b = direct.seal(row, NOTES, ValueType.INT, 42, null);
    byte[] c = direct.seal(direct.beginRow(), SSN, ValueType.TEXT, "other", null);
    assertThat(keys.generated.get()).isEqualTo(2);
    assertThat(direct.open(SSN, a, null).value()).isEqualTo(SECRET);
    assertThat(direct.open(NOTES, b, null).value()).isEqualTo(42);
    assertThat(keys.unwrapped.get()).as("written rows' keys are cached").isZero();
    TestKeys elsewhere = keys.sharingKeys();
    CellCodec cold = codec(elsewhere, Wrapping.DIRECT);
    assertThat(cold.open(SSN, a, null).value()).isEqualTo(SECRET);
    assertThat(cold.open(NOTES, b, null).value()).isEqualTo(42);
    assertThat(cold.open(SSN, c, null).value()).isEqualTo("other");
    assertThat(elsewhere.unwrapped.get()).as("one call per row read cold").isEqualTo(2);
    // The blob is the provider's to authenticate; every bit of the header and payload is Veil's.
    int payloadAt = a.length - SECRET.length() - 16 - 12;
    for (int i = 0; i < a.length; i++) {
      if (i >= 5 && i < payloadAt) {
        continue;
      }
      byte[] flipped = a.clone();
      flipped[i] ^= 1;
      assertThatThrownBy(() -> direct.open(SSN, flipped, null)).as("byte %d", i)
          .isInstanceOf(CellException.class);
    }
  }

  @Test
  void flippingAnySingleBitOfARandomizedCellFailsNamingColumnAndKey() throws Exception {
    assertEveryBitFlipFails(codec, SSN, seal(SSN, ValueType.TEXT, SECRET), null);
  }

  @Test
  void flippingAnySingleBitOfADeterministicCellFailsNamingColumnAndKey() throws Exception {
    assertEveryBitFlipFails(codec, EMAIL, seal(EMAIL, ValueType.TEXT, SECRET), null);
  }

  @Test
  void flippingAnySingleBitOfABoundCellFails() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), BOUND_SSN, ValueType.TEXT, SECRET, ROW_1);
    assertEveryBitFlipFails(codec, BOUND_SSN, cell, ROW_1);
  }

  /** Every single-bit change fails with a CellException naming the column and the key id. */
  static void assertEveryBitFlipFails(CellCodec codec, CellColumn column, byte[] cell,
      byte[] binding) throws Exception {
    String keyId = KeyId.read(cell, 5).toString();
    for (int i = 0; i < cell.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = cell.clone();
        flipped[i] ^= (byte) (1 << bit);
        try {
          Opened opened = codec.open(column, flipped, binding);
          fail("byte " + i + " bit " + bit + " flipped, yet the cell opened as " + opened);
        } catch (CellException e) {
          assertThat(e.getMessage()).contains(column.name()).doesNotContain(SECRET);
          assertThat(e.getMessage()).as("byte %d", i)
              .contains(i < 5 || i >= 21 ? keyId : e.keyId());
        }
      }
    }
  }

  @Test
  void truncatedCellsFailAtEveryLength() throws Exception {
    for (CellColumn column : List.of(SSN, EMAIL)) {
      assertEveryTruncationFails(codec, column, seal(column, ValueType.TEXT, SECRET), null);
    }
    assertEveryTruncationFails(codec, BOUND_SSN,
        codec.seal(codec.beginRow(), BOUND_SSN, ValueType.TEXT, SECRET, ROW_1), ROW_1);
  }

  static void assertEveryTruncationFails(CellCodec codec, CellColumn column, byte[] cell,
      byte[] binding) {
    for (int length = 0; length < cell.length; length++) {
      byte[] cut = Arrays.copyOf(cell, length);
      assertThatThrownBy(() -> codec.open(column, cut, binding))
          .as("cut to %d bytes", length)
          .isInstanceOf(CellException.class)
          .hasMessageContaining(column.name())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }
  }

  @Test
  void aCellMovedToAnotherColumnFailsNamingTheColumnAndKey() throws Exception {
    byte[] cell = seal(SSN, ValueType.TEXT, SECRET);
    String keyId = KeyId.read(cell, 5).toString();
    assertThatThrownBy(() -> codec.open(NOTES, cell, null))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("public.customers.notes")
        .hasMessageContaining(keyId)
        .hasMessageNotContaining(SECRET);
    byte[] det = seal(EMAIL, ValueType.TEXT, SECRET);
    assertThatThrownBy(() -> codec.open(PHONE, det, null))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("public.customers.phone");
    assertThatThrownBy(() -> codec.open(SSN, det, null))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("randomized mode");
  }

  @Test
  void aPayloadMovedToAnotherColumnOfTheSameRowFailsThoughTheRowKeyIsShared() throws Exception {
    RowSeal row = codec.beginRow();
    byte[] ssn = codec.seal(row, SSN, ValueType.TEXT, SECRET, null);
    byte[] notes = codec.seal(row, NOTES, ValueType.TEXT, "a note", null);
    byte[] moved = ssn.clone(); // header, key id and nonce are the row's: only the column differs
    assertThatThrownBy(() -> codec.open(NOTES, moved, null))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("public.customers.notes");
    assertThat(codec.open(NOTES, notes, null).value()).isEqualTo("a note");
  }

  @Test
  void aColumnWithTheSameContextMayOpenACopiedCell() throws Exception {
    CellColumn archive = CellColumn.randomized("archive.customers.ssn", "public.customers.ssn",
        false);
    assertThat(codec.open(archive, seal(SSN, ValueType.TEXT, SECRET), null).value())
        .isEqualTo(SECRET);
  }

  @Test
  void aNonceSwappedInFromAnotherRowFailsToOpen() throws Exception {
    byte[] mine = seal(SSN, ValueType.TEXT, SECRET);
    byte[] theirs = seal(SSN, ValueType.TEXT, "another value");
    byte[] swapped = mine.clone();
    System.arraycopy(theirs, 21, swapped, 21, 16);
    codec.open(SSN, theirs, null); // their row key is this thread's last: it must not matter
    assertThatThrownBy(() -> codec.open(SSN, swapped, null))
        .isInstanceOf(CellException.class)
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void changingTheVersionKindOrTypeByteFails() throws Exception {
    byte[] cell = seal(SSN, ValueType.TEXT, SECRET);
    for (int[] change : new int[][] {{2, 1}, {2, 2}, {3, 1}, {3, 2}, {3, 3},
        {4, ValueType.JSON.code()}, {4, ValueType.BYTES.code()}}) {
      byte[] relabelled = cell.clone();
      relabelled[change[0]] = (byte) change[1];
      CellColumn column = change[0] == 3 && change[1] == 2 ? EMAIL : SSN;
      assertThatThrownBy(() -> codec.open(column, relabelled, null))
          .as("byte %d set to %d", change[0], change[1])
          .isInstanceOf(CellException.class)
          .hasMessageContaining(column.name());
    }
  }

  @Test
  void aCellNamingTheDeterministicKeyAsItsBranchKeyFails() throws Exception {
    byte[] cell = seal(SSN, ValueType.TEXT, SECRET);
    byte[] det = seal(EMAIL, ValueType.TEXT, SECRET);
    System.arraycopy(det, 5, cell, 5, 16);
    assertThatThrownBy(() -> codec.open(SSN, cell, null))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("does not authenticate");
  }

  @Test
  void aCellOfAKeyNotInTheKeyStoreFailsAsACellNotAsAnOutage() throws Exception {
    byte[] cell = seal(SSN, ValueType.TEXT, SECRET);
    KeyId.random(new java.security.SecureRandom()).writeTo(cell, 5);
    assertThatThrownBy(() -> codec.open(SSN, cell, null))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("not in the key store");
  }

  // ---------------------------------------------------------------- row binding

  @Test
  void aBoundCellOpensOnlyInItsOwnRow() throws Exception {
    byte[] one = codec.seal(codec.beginRow(), BOUND_SSN, ValueType.TEXT, SECRET, ROW_1);
    byte[] two = codec.seal(codec.beginRow(), BOUND_SSN, ValueType.TEXT, "other", ROW_2);
    assertThat(codec.open(BOUND_SSN, one, ROW_1).value()).isEqualTo(SECRET);
    assertThat(codec.open(BOUND_SSN, two, ROW_2).value()).isEqualTo("other");
    assertThatThrownBy(() -> codec.open(BOUND_SSN, one, ROW_2))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("copied from another row")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> codec.open(BOUND_SSN, two, ROW_1))
        .isInstanceOf(CellException.class);
    assertThatThrownBy(() -> codec.open(SSN, one, null))
        .as("opened as unbound").isInstanceOf(CellException.class);
    byte[] unbound = seal(SSN, ValueType.TEXT, SECRET);
    assertThatThrownBy(() -> codec.open(BOUND_SSN, unbound, ROW_1))
        .as("an unbound cell in a bound column").isInstanceOf(CellException.class);
  }

  @Test
  void theBindingIsFramedSoThatContextAndBindingCannotTradeBytes() throws Exception {
    CellColumn a = CellColumn.randomized("t.a", "ctx", true);
    CellColumn b = CellColumn.randomized("t.b", "ctx1", true);
    byte[] cell = codec.seal(codec.beginRow(), a, ValueType.TEXT, SECRET,
        "1x".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> codec.open(b, cell, "x".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CellException.class);
    byte[] empty = codec.seal(codec.beginRow(), a, ValueType.TEXT, SECRET, new byte[0]);
    assertThat(codec.open(a, empty, new byte[0]).value()).isEqualTo(SECRET);
    CellColumn unbound = CellColumn.randomized("t.a", "ctx", false);
    assertThatThrownBy(() -> codec.open(unbound, empty, null))
        .as("an empty binding is not the absence of one").isInstanceOf(CellException.class);
  }

  @Test
  void aV2CellInABoundColumnIsRefusedAsCarryingNoBinding() throws Exception {
    CellCodec old = codec(TestKeys.holding(CellFormatVectorsTest.branchKey()), Wrapping.BRANCH);
    byte[] v2 = HexFormat.of().parseHex(CellFormatVectorsTest.vector("v2-randomized-cell"));
    assertThat(old.open(SSN, v2, null).value()).isEqualTo(SECRET);
    assertThatThrownBy(() -> old.open(BOUND_SSN, v2, ROW_1))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("carries no row binding");
  }

  @Test
  void aMissingOrUnexpectedBindingIsRefusedBeforeAnyCryptography() throws Exception {
    assertThatThrownBy(() -> codec.seal(codec.beginRow(), BOUND_SSN, ValueType.TEXT, SECRET,
        null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bound");
    assertThatThrownBy(() -> codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET, ROW_1))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] cell = codec.seal(codec.beginRow(), BOUND_SSN, ValueType.TEXT, SECRET, ROW_1);
    assertThatThrownBy(() -> codec.open(BOUND_SSN, cell, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining(SECRET);
  }

  // ---------------------------------------------------------------- other

  @Test
  void plaintextIsNotACell() {
    byte[] plain = SECRET.getBytes(StandardCharsets.UTF_8);
    assertThat(CellShape.looksLikeCell(plain)).isFalse();
    assertThatThrownBy(() -> codec.open(SSN, plain, null))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("is not a Veil cell")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void textFormRoundTrips() throws Exception {
    byte[] cell = seal(SSN, ValueType.TEXT, SECRET);
    String text = CellShape.toText(cell);
    assertThat(text).startsWith("veil:VkwD");
    assertThat(CellShape.looksLikeCellText(text)).isTrue();
    assertThat(CellShape.fromText(text)).isEqualTo(cell);
    assertThat(CellShape.fromText(SECRET)).isNull();
    assertThat(CellShape.fromText("veil:not base64!")).isNull();
  }

  @Test
  void wrongJavaTypeIsRefusedWithoutTheValue() {
    assertThatThrownBy(() -> seal(SSN, ValueType.INT, SECRET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void toStringsShowNoKeyOrValue() throws Exception {
    RowSeal row = codec.beginRow();
    byte[] cell = codec.seal(row, SSN, ValueType.TEXT, SECRET, null);
    assertThat(row.toString()).doesNotContain(SECRET);
    assertThat(codec.open(SSN, cell, null).toString()).isEqualTo("Opened[TEXT]");
    assertThat(codec.toString()).contains("branch").doesNotContain(SECRET);
    assertThat(codec.threadCiphers().toString()).doesNotContain(HexFormat.of().formatHex(
        keys.active().copyOfKeyBytes()));
  }

  @Test
  void keyProviderDownNamesColumnAndKeyAndCountsAFailure() throws Exception {
    byte[] cell = seal(SSN, ValueType.TEXT, SECRET);
    AtomicInteger failures = new AtomicInteger();
    CellCodec counting = CellCodec.builder().keys(keys).events(new CellEvents() {
      @Override
      public void cellFailed() {
        failures.incrementAndGet();
      }
    }).build();
    keys.down = true;
    assertThatThrownBy(() -> counting.open(SSN, cell, null))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining(SSN.name())
        .hasMessageContaining(KeyId.read(cell, 5).toString())
        .hasMessageNotContaining(SECRET);
    assertThat(failures.get()).isEqualTo(1);
  }

  @Test
  void cellsStartLikeCellsInEachFormPgjdbcHandsThemBackIn() throws Exception {
    for (CellColumn column : List.of(SSN, EMAIL)) {
      byte[] cell = seal(column, ValueType.TEXT, SECRET);
      assertThat(CellShape.looksLikeCell(cell)).isTrue();
      String text = CellShape.toText(cell);
      assertThat(CellShape.startsLikeTextCell(text)).isTrue();
      assertThat(CellShape.startsLikeTextCell(text.getBytes(StandardCharsets.US_ASCII))).isTrue();
      assertThat(CellShape.startsLikeByteaText("\\x" + HexFormat.of().formatHex(cell))).isTrue();
      String escape = String.format("VL\\%03o", cell[2]) + "\\000rest";
      assertThat(CellShape.startsLikeByteaText(escape)).as(escape).isTrue();
    }
  }

  @Test
  void valuesThatAreNotCellsDoNotStartLikeCells() {
    for (String text : new String[] {"hello", "veil:", "veil:AAAA", "VkwB", "", "\\x564c09"}) {
      assertThat(CellShape.startsLikeTextCell(text)).as(text).isFalse();
      assertThat(CellShape.startsLikeByteaText(text)).as(text).isFalse();
    }
    assertThat(CellShape.startsLikeTextCell((String) null)).isFalse();
    assertThat(CellShape.looksLikeCell("VL\u0004 and more bytes than a header"
        .getBytes(StandardCharsets.US_ASCII))).as("unknown version").isFalse();
    assertThat(CellShape.startsLikeTextCell("plain text".getBytes(StandardCharsets.UTF_8)))
        .isFalse();
  }

  @Test
  void openIfSealedForOpensUnderTheCellsOwnContextOnlyAndCountsNoFailure() throws Exception {
    AtomicInteger failures = new AtomicInteger();
    CellCodec counting = CellCodec.builder().keys(keys).events(new CellEvents() {
      @Override
      public void cellFailed() {
        failures.incrementAndGet();
      }
    }).build();
    byte[] randomized = counting.seal(counting.beginRow(), SSN, ValueType.TEXT, SECRET, null);
    byte[] deterministic = counting.seal(counting.beginRow(), EMAIL, ValueType.TEXT, SECRET,
        null);
    assertThat(counting.openIfSealedFor(NOTES, randomized)).as("another context").isNull();
    assertThat(counting.openIfSealedFor(EMAIL, randomized)).as("another mode").isNull();
    assertThat(counting.openIfSealedFor(PHONE, deterministic)).as("another context").isNull();
    assertThat(counting.openIfSealedFor(SSN, deterministic)).as("another mode").isNull();
    assertThat(counting.openIfSealedFor(BOUND_SSN, randomized)).as("bound: never tried")
        .isNull();
    assertThat(failures.get()).isZero();
    assertThat(counting.openIfSealedFor(SSN, randomized).value()).isEqualTo(SECRET);
    assertThat(counting.openIfSealedFor(EMAIL, deterministic).value()).isEqualTo(SECRET);
  }

  @Test
  void openIfSealedForStillRefusesBytesThatAreNoCell() {
    assertThatThrownBy(() -> codec.openIfSealedFor(SSN, "not a cell".getBytes(
        StandardCharsets.US_ASCII))).isInstanceOf(CellException.class);
  }

  @Test
  void manyRowsOnManyThreadsEachOpenAsTheirOwnValue() throws Exception {
    int threads = 4;
    int rows = 2_000;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
        .newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<byte[][]>> written = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        written.add(pool.submit(() -> {
          byte[][] cells = new byte[rows][];
          for (int i = 0; i < rows; i++) {
            cells[i] = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, thread + ":" + i, null);
          }
          return cells;
        }));
      }
      List<java.util.concurrent.Future<Integer>> read = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte[][] cells = written.get(t).get();
        int owner = t;
        read.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < rows; i++) {
            if ((owner + ":" + i).equals(codec.open(SSN, cells[i], null).value())) {
              ok++;
            }
          }
          return ok;
        }));
      }
      for (java.util.concurrent.Future<Integer> f : read) {
        assertThat(f.get()).isEqualTo(rows);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
