package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.keys.ManualTicker;
import org.veil.kms.FlakyKeyProvider;

class CellCodecTest {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy NOTES = ColumnPolicy.of("public", "customers", "notes",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);
  static final ColumnPolicy PHONE = ColumnPolicy.of("public", "customers", "phone",
      EncryptionMode.DETERMINISTIC);
  static final String SECRET = "078-05-1120";

  private final FlakyKeyProvider provider;
  private final InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
  private final CellCodec codec;

  CellCodecTest() throws Exception {
    provider = FlakyKeyProvider.withRandomKey();
    codec = codec(Wrapping.BRANCH);
  }

  private CellCodec codec(Wrapping wrapping) {
    return CellCodec.builder().keyProvider(provider).keyStore(store)
        .wrapping(wrapping).ticker(new ManualTicker()).executor(Runnable::run).build();
  }

  @AfterEach
  void close() {
    codec.close();
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
    for (ColumnPolicy column : List.of(SSN, EMAIL)) {
      for (Object[] v : values) {
        ValueType type = (ValueType) v[0];
        byte[] cell = codec.seal(codec.beginRow(), column, type, v[1]);
        Opened opened = codec.open(column, cell);
        assertThat(opened.type()).isEqualTo(type);
        assertThat(opened.value()).as("%s %s", column.mode(), type).isEqualTo(v[1]);
        if (v[1] instanceof BigDecimal) {
          assertThat(((BigDecimal) opened.value()).scale()).isEqualTo(((BigDecimal) v[1]).scale());
        }
      }
    }
  }

  @Test
  void deterministicColumnsGiveByteIdenticalCellsForEqualValues() throws Exception {
    byte[] a = codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, "a@example.com");
    byte[] b = codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, "a@example.com");
    byte[] other = codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, "b@example.com");
    byte[] otherColumn = codec.seal(codec.beginRow(), PHONE, ValueType.TEXT, "a@example.com");
    assertThat(a).isEqualTo(b).isNotEqualTo(other);
    assertThat(Arrays.copyOfRange(otherColumn, 21, otherColumn.length))
        .isNotEqualTo(Arrays.copyOfRange(a, 21, a.length));
  }

  @Test
  void randomizedCellsOfOneRowShareTheRowKeyButNotTheIv() throws Exception {
    RowSeal row = codec.beginRow();
    byte[] a = codec.seal(row, SSN, ValueType.TEXT, SECRET);
    byte[] b = codec.seal(row, NOTES, ValueType.TEXT, SECRET);
    byte[] again = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    assertThat(Arrays.copyOfRange(a, 5, 81)).isEqualTo(Arrays.copyOfRange(b, 5, 81));
    assertThat(Arrays.copyOfRange(a, 81, 93)).isNotEqualTo(Arrays.copyOfRange(b, 81, 93));
    assertThat(Arrays.copyOfRange(a, 5, 81)).isNotEqualTo(Arrays.copyOfRange(again, 5, 81));
    assertThat(a.length).isEqualTo(109 + SECRET.length());
  }

  @Test
  void aRowsNextCellReusesItsUnwrappedRowKeyForAtMostASecond() throws Exception {
    ManualTicker ticker = new ManualTicker();
    try (CellCodec c = CellCodec.builder().keyProvider(provider).keyStore(store)
        .ticker(ticker).executor(Runnable::run).build()) {
      RowSeal row = c.beginRow();
      byte[] a = c.seal(row, SSN, ValueType.TEXT, SECRET);
      byte[] b = c.seal(row, NOTES, ValueType.TEXT, "other");
      byte[] otherRow = c.seal(c.beginRow(), NOTES, ValueType.TEXT, "third");
      assertThat(c.open(SSN, a).value()).isEqualTo(SECRET);
      assertThat(c.counters().rowKeyMisses()).isEqualTo(1);
      assertThat(c.open(NOTES, b).value()).isEqualTo("other");
      assertThat(c.counters().rowKeyMisses()).isEqualTo(1);
      assertThat(c.open(NOTES, otherRow).value()).isEqualTo("third");
      assertThat(c.counters().rowKeyMisses()).isEqualTo(2);
      assertThat(c.open(NOTES, otherRow).value()).isEqualTo("third");
      assertThat(c.counters().rowKeyMisses()).isEqualTo(2);
      // A row key leaves the thread's hands a second after it was unwrapped.
      ticker.advance(Duration.ofSeconds(1));
      assertThat(c.open(NOTES, otherRow).value()).isEqualTo("third");
      assertThat(c.counters().rowKeyMisses()).isEqualTo(3);
    }
  }

  @Test
  void flippingAnySingleBitOfARandomizedCellFailsNamingColumnAndKey() throws Exception {
    assertEveryBitFlipFails(SSN, codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET));
  }

  @Test
  void flippingAnySingleBitOfADeterministicCellFailsNamingColumnAndKey() throws Exception {
    assertEveryBitFlipFails(EMAIL, codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, SECRET));
  }

  private void assertEveryBitFlipFails(ColumnPolicy column, byte[] cell) throws Exception {
    assertEveryBitFlipFails(codec, column, cell);
  }

  private static void assertEveryBitFlipFails(CellCodec codec, ColumnPolicy column, byte[] cell)
      throws Exception {
    String keyId = org.veil.crypto.KeyId.read(cell, 5).toString();
    for (int i = 0; i < cell.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = cell.clone();
        flipped[i] ^= (byte) (1 << bit);
        try {
          Opened opened = codec.open(column, flipped);
          fail("byte " + i + " bit " + bit + " flipped, yet the cell opened as " + opened);
        } catch (CellException e) {
          assertThat(e.getMessage()).contains(column.qualifiedName()).doesNotContain(SECRET);
          if (i < 5 || i >= 21) {
            assertThat(e.getMessage()).as("byte %d", i).contains(keyId);
          } else {
            assertThat(e.getMessage()).contains(e.keyId()); // the altered id, as the cell names it
          }
        }
      }
    }
  }

  @Test
  void truncatedCellsFailAtEveryLength() throws Exception {
    for (ColumnPolicy column : List.of(SSN, EMAIL)) {
      assertEveryTruncationFails(codec, column,
          codec.seal(codec.beginRow(), column, ValueType.TEXT, SECRET));
    }
  }

  private static void assertEveryTruncationFails(CellCodec codec, ColumnPolicy column,
      byte[] cell) {
    for (int length = 0; length < cell.length; length++) {
      byte[] cut = Arrays.copyOf(cell, length);
      assertThatThrownBy(() -> codec.open(column, cut))
          .isInstanceOf(CellException.class)
          .hasMessageContaining(column.qualifiedName())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }
  }

  @Test
  void aCellMovedToAnotherColumnFailsNamingTheColumnAndKey() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    String keyId = org.veil.crypto.KeyId.read(cell, 5).toString();
    assertThatThrownBy(() -> codec.open(NOTES, cell))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("public.customers.notes")
        .hasMessageContaining(keyId)
        .hasMessageNotContaining(SECRET);
    byte[] det = codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, SECRET);
    assertThatThrownBy(() -> codec.open(PHONE, det))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("public.customers.phone");
    assertThatThrownBy(() -> codec.open(SSN, det))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("randomized mode");
  }

  @Test
  void aColumnWithTheSameContextMayOpenACopiedCell() throws Exception {
    ColumnPolicy archive = new ColumnPolicy("archive", "customers", "ssn",
        EncryptionMode.RANDOMIZED, "public.customers.ssn");
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    assertThat(codec.open(archive, cell).value()).isEqualTo(SECRET);
  }

  @Test
  void plaintextIsNotACell() throws Exception {
    byte[] plain = SECRET.getBytes(StandardCharsets.UTF_8);
    assertThat(codec.looksLikeCell(plain)).isFalse();
    assertThatThrownBy(() -> codec.open(SSN, plain))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("is not a Veil cell")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void textFormRoundTrips() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    String text = codec.toText(cell);
    assertThat(text).startsWith("veil:");
    assertThat(codec.looksLikeCell(cell)).isTrue();
    assertThat(codec.looksLikeCellText(text)).isTrue();
    assertThat(codec.fromText(text)).isEqualTo(cell);
    assertThat(codec.fromText(SECRET)).isNull();
    assertThat(codec.fromText("veil:not base64!")).isNull();
  }

  @Test
  void directWrappingCallsTheProviderOncePerRowWrittenAndOncePerRowReadCold() throws Exception {
    try (CellCodec direct = codec(Wrapping.DIRECT)) {
      int before = provider.calls();
      RowSeal row = direct.beginRow();
      byte[] a = direct.seal(row, SSN, ValueType.TEXT, SECRET);
      byte[] b = direct.seal(row, NOTES, ValueType.INT, 42);
      byte[] c = direct.seal(direct.beginRow(), SSN, ValueType.TEXT, "other");
      assertThat(provider.generated.get()).isEqualTo(2);
      assertThat(a[3]).isEqualTo((byte) 1);
      assertThat(direct.open(SSN, a).value()).isEqualTo(SECRET);
      assertThat(direct.open(NOTES, b).value()).isEqualTo(42);
      assertThat(provider.calls() - before).isEqualTo(2); // written rows' keys are cached
      try (CellCodec cold = codec(Wrapping.DIRECT)) {
        assertThat(cold.open(SSN, a).value()).isEqualTo(SECRET);
        assertThat(cold.open(NOTES, b).value()).isEqualTo(42);
        assertThat(cold.open(SSN, c).value()).isEqualTo("other");
        assertThat(provider.unwrapped.get()).isEqualTo(2);
      }
      byte[] flipped = a.clone();
      flipped[a.length - 1] ^= 1;
      assertThatThrownBy(() -> direct.open(SSN, flipped)).isInstanceOf(CellException.class);
    }
  }

  @Test
  void wrongJavaTypeIsRefusedWithoutTheValue() {
    assertThatThrownBy(() -> codec.seal(codec.beginRow(), SSN, ValueType.INT, SECRET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void toStringsShowNoKeyOrValue() throws Exception {
    RowSeal row = codec.beginRow();
    byte[] cell = codec.seal(row, SSN, ValueType.TEXT, SECRET);
    assertThat(row.toString()).doesNotContain(SECRET);
    assertThat(codec.open(SSN, cell).toString()).isEqualTo("Opened[TEXT]");
    assertThat(codec.toString()).contains("branch");
  }

  @Test
  void keyProviderDownOnColdCacheNamesColumnAndKey() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    provider.down(true);
    String keyId = org.veil.crypto.KeyId.read(cell, 5).toString();
    try (CellCodec cold = CellCodec.builder().keyProvider(provider).keyStore(store)
        .timeout(Duration.ofMillis(500)).build()) {
      assertThatThrownBy(() -> cold.open(SSN, cell))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining(SSN.qualifiedName())
          .hasMessageContaining(keyId)
          .hasMessageNotContaining(SECRET);
    }
    provider.down(false);
  }

  // ---------------------------------------------------------------- format versions

  private static byte[] v1Cell() throws Exception {
    return HexFormat.of().parseHex(CellFormatVectorsTest.vector("randomized-cell"));
  }

  private static byte[] payload(byte[] cell) {
    return Arrays.copyOfRange(cell, 81, cell.length);
  }

  private static byte[] wrap(byte[] cell) {
    return Arrays.copyOfRange(cell, 5, 81);
  }

  @Test
  void branchCellsAreWrittenAsV2DirectAndDeterministicCellsAsV1() throws Exception {
    assertThat(codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET)[2]).isEqualTo((byte) 2);
    assertThat(codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, SECRET)[2])
        .isEqualTo((byte) 1);
    try (CellCodec direct = codec(Wrapping.DIRECT)) {
      assertThat(direct.seal(direct.beginRow(), SSN, ValueType.TEXT, SECRET)[2])
          .isEqualTo((byte) 1);
    }
  }

  @Test
  void v1CellsStillOpenAndLookLikeCells() throws Exception {
    try (CellCodec old = CellFormatVectorsTest.codecHolding(CellFormatVectorsTest.branchKey())) {
      byte[] cell = v1Cell();
      assertThat(old.looksLikeCell(cell)).isTrue();
      assertThat(old.looksLikeCellText(old.toText(cell))).isTrue();
      assertThat(old.open(SSN, cell).value()).isEqualTo("078-05-1120");
    }
  }

  @Test
  void flippingAnySingleBitOfAV1CellFails() throws Exception {
    try (CellCodec old = CellFormatVectorsTest.codecHolding(CellFormatVectorsTest.branchKey())) {
      assertEveryBitFlipFails(old, SSN, v1Cell());
    }
  }

  @Test
  void truncatedV1CellsFailAtEveryLength() throws Exception {
    try (CellCodec old = CellFormatVectorsTest.codecHolding(CellFormatVectorsTest.branchKey())) {
      assertEveryTruncationFails(old, SSN, v1Cell());
    }
  }

  @Test
  void aV1CellMovedToAnotherColumnFails() throws Exception {
    try (CellCodec old = CellFormatVectorsTest.codecHolding(CellFormatVectorsTest.branchKey())) {
      assertThatThrownBy(() -> old.open(NOTES, v1Cell()))
          .isInstanceOf(CellException.class)
          .hasMessageContaining("public.customers.notes");
    }
  }

  @Test
  void changingTheVersionByteFailsInBothDirections() throws Exception {
    byte[] v2 = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    byte[] downgraded = v2.clone();
    downgraded[2] = 1;
    assertThatThrownBy(() -> codec.open(SSN, downgraded)).isInstanceOf(CellException.class);
    try (CellCodec old = CellFormatVectorsTest.codecHolding(CellFormatVectorsTest.branchKey())) {
      byte[] upgraded = v1Cell();
      old.open(SSN, upgraded); // its row key is now cached: the outcome must not depend on it
      upgraded[2] = 2;
      assertThatThrownBy(() -> old.open(SSN, upgraded)).isInstanceOf(CellException.class);
    }
  }

  @Test
  void aV2CellOfAnotherKindIsRefused() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    for (byte kind : new byte[] {1, 2}) {
      byte[] relabelled = cell.clone();
      relabelled[3] = kind;
      ColumnPolicy column = kind == 2 ? EMAIL : SSN;
      assertThatThrownBy(() -> codec.open(column, relabelled))
          .isInstanceOf(CellException.class)
          .hasMessageContaining(column.qualifiedName());
    }
  }

  @Test
  void aWrapSwappedInFromAnotherRowFailsToOpen() throws Exception {
    byte[] mine = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    byte[] theirs = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "another value");
    byte[] swapped = mine.clone();
    System.arraycopy(wrap(theirs), 0, swapped, 5, 76);
    assertThatThrownBy(() -> codec.open(SSN, swapped))
        .isInstanceOf(CellException.class)
        .hasMessageNotContaining(SECRET);
    try (CellCodec cold = codec(Wrapping.BRANCH)) {
      assertThatThrownBy(() -> cold.open(SSN, swapped)).isInstanceOf(CellException.class);
    }
  }

  @Test
  void aPayloadMovedToAnotherColumnOfTheSameRowFailsThoughTheRowKeyIsShared() throws Exception {
    RowSeal row = codec.beginRow();
    byte[] ssn = codec.seal(row, SSN, ValueType.TEXT, SECRET);
    byte[] notes = codec.seal(row, NOTES, ValueType.TEXT, "a note");
    assertThat(wrap(notes)).isEqualTo(wrap(ssn));
    byte[] cell = Arrays.copyOf(Arrays.copyOf(notes, 81), 81 + payload(ssn).length);
    System.arraycopy(payload(ssn), 0, cell, 81, payload(ssn).length);
    assertThatThrownBy(() -> codec.open(NOTES, cell))
        .isInstanceOf(CellException.class)
        .hasMessageContaining("public.customers.notes");
  }

  @Test
  void changingTheValueTypeOfAV2CellFails() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    byte[] retyped = cell.clone();
    retyped[4] = (byte) ValueType.JSON.code();
    assertThatThrownBy(() -> codec.open(SSN, retyped)).isInstanceOf(CellException.class);
  }

  // ---------------------------------------------------------------- re-wrapping

  @Test
  void rewrapKeepsThePayloadByteForByteAndMovesTheWrapToTheActiveBranchKey() throws Exception {
    RowSeal row = codec.beginRow();
    byte[] ssn = codec.seal(row, SSN, ValueType.TEXT, SECRET);
    byte[] notes = codec.seal(row, NOTES, ValueType.INT, 42);
    org.veil.crypto.KeyId old = codec.keyIdOf(ssn);
    org.veil.crypto.KeyId next = codec.keyRing().rotateBranchKey().id();

    RewrapScope scope = codec.beginRewrap();
    byte[] newSsn = codec.rewrap(scope, SSN, ssn);
    byte[] newNotes = codec.rewrap(scope, NOTES, notes);

    assertThat(payload(newSsn)).isEqualTo(payload(ssn));
    assertThat(payload(newNotes)).isEqualTo(payload(notes));
    assertThat(Arrays.copyOf(newSsn, 5)).isEqualTo(Arrays.copyOf(ssn, 5));
    assertThat(codec.keyIdOf(newSsn)).isEqualTo(next).isNotEqualTo(old);
    assertThat(Arrays.copyOfRange(newSsn, 21, 33)).isNotEqualTo(Arrays.copyOfRange(ssn, 21, 33));
    assertThat(wrap(newNotes)).as("the row still shares one row key").isEqualTo(wrap(newSsn));
    try (CellCodec cold = codec(Wrapping.BRANCH)) {
      assertThat(cold.open(SSN, newSsn).value()).isEqualTo(SECRET);
      assertThat(cold.open(NOTES, newNotes).value()).isEqualTo(42);
    }
  }

  @Test
  void rewrappedCellsStillFailEveryBitFlipAndTruncation() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    codec.keyRing().rotateBranchKey();
    byte[] rewrapped = codec.rewrap(codec.beginRewrap(), SSN, cell);
    assertEveryBitFlipFails(SSN, rewrapped);
    assertEveryTruncationFails(codec, SSN, rewrapped);
  }

  @Test
  void rewrapOfAV1CellReSealsItWholeIntoV2() throws Exception {
    try (CellCodec old = CellFormatVectorsTest.codecHolding(CellFormatVectorsTest.branchKey(),
        CellFormatVectorsTest.nextBranchKey())) {
      byte[] v1 = v1Cell();
      byte[] resealed = old.rewrap(old.beginRewrap(), SSN, v1);
      assertThat(resealed[2]).isEqualTo((byte) 2);
      assertThat(old.keyIdOf(resealed)).isEqualTo(CellFormatVectorsTest.NEXT_BRANCH_ID);
      assertThat(payload(resealed)).isNotEqualTo(payload(v1));
      assertThat(old.open(SSN, resealed).value()).isEqualTo("078-05-1120");
    }
  }

  @Test
  void rewrapOfACellThatDoesNotOpenFailsNamingTheColumn() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    cell[cell.length - 1] ^= 1;
    assertThatThrownBy(() -> codec.rewrap(codec.beginRewrap(), SSN, cell))
        .isInstanceOf(CellException.class)
        .hasMessageContaining(SSN.qualifiedName())
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> codec.rewrap(codec.beginRewrap(), NOTES,
        codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET)))
        .isInstanceOf(CellException.class);
  }

  @Test
  void rewrapRefusesCellsWithoutABranchWrap() throws Exception {
    byte[] det = codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, SECRET);
    assertThatThrownBy(() -> codec.rewrap(codec.beginRewrap(), EMAIL, det))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void cellsStartLikeCellsInEachFormPgjdbcHandsThemBackIn() throws Exception {
    for (ColumnPolicy column : List.of(SSN, EMAIL)) {
      byte[] cell = codec.seal(codec.beginRow(), column, ValueType.TEXT, SECRET);
      assertThat(CellCodec.startsLikeCell(cell)).isTrue();
      String text = codec.toText(cell);
      assertThat(CellCodec.startsLikeTextCell(text)).isTrue();
      assertThat(CellCodec.startsLikeTextCell(text.getBytes(StandardCharsets.US_ASCII))).isTrue();
      assertThat(CellCodec.startsLikeByteaText("\\x" + HexFormat.of().formatHex(cell))).isTrue();
      String escape = String.format("VL\\%03o", cell[2]) + "\\000rest";
      assertThat(CellCodec.startsLikeByteaText(escape)).as(escape).isTrue();
    }
  }

  @Test
  void valuesThatAreNotCellsDoNotStartLikeCells() {
    for (String text : new String[] {"hello", "veil:", "veil:AAAA", "VkwB", "", "\\x564c09"}) {
      assertThat(CellCodec.startsLikeTextCell(text)).as(text).isFalse();
      assertThat(CellCodec.startsLikeByteaText(text)).as(text).isFalse();
    }
    assertThat(CellCodec.startsLikeTextCell((String) null)).isFalse();
    assertThat(CellCodec.startsLikeCell("VL\u0003 and more bytes than a header"
        .getBytes(StandardCharsets.US_ASCII))).as("unknown version").isFalse();
    assertThat(CellCodec.startsLikeTextCell("plain text".getBytes(StandardCharsets.UTF_8)))
        .isFalse();
  }

  @Test
  void openIfSealedForOpensUnderTheCellsOwnContextOnlyAndCountsNoFailure() throws Exception {
    byte[] randomized = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    byte[] deterministic = codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, SECRET);
    long failures = codec.counters().cellFailures();

    assertThat(codec.openIfSealedFor(NOTES, randomized)).as("another context").isNull();
    assertThat(codec.openIfSealedFor(EMAIL, randomized)).as("another mode").isNull();
    assertThat(codec.openIfSealedFor(PHONE, deterministic)).as("another context").isNull();
    assertThat(codec.openIfSealedFor(SSN, deterministic)).as("another mode").isNull();
    assertThat(codec.counters().cellFailures()).isEqualTo(failures);

    assertThat(codec.openIfSealedFor(SSN, randomized).value()).isEqualTo(SECRET);
    assertThat(codec.openIfSealedFor(EMAIL, deterministic).value()).isEqualTo(SECRET);
  }

  @Test
  void openIfSealedForStillRefusesBytesThatAreNoCell() {
    assertThatThrownBy(() -> codec.openIfSealedFor(SSN, "not a cell".getBytes(
        StandardCharsets.US_ASCII))).isInstanceOf(CellException.class);
  }
}
