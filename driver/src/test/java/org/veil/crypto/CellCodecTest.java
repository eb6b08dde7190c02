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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.keys.KeyUnavailableException;
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
  void flippingAnySingleBitOfARandomizedCellFailsNamingColumnAndKey() throws Exception {
    assertEveryBitFlipFails(SSN, codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET));
  }

  @Test
  void flippingAnySingleBitOfADeterministicCellFailsNamingColumnAndKey() throws Exception {
    assertEveryBitFlipFails(EMAIL, codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, SECRET));
  }

  private void assertEveryBitFlipFails(ColumnPolicy column, byte[] cell) throws Exception {
    String keyId = org.veil.keys.KeyId.read(cell, 5).toString();
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
      byte[] cell = codec.seal(codec.beginRow(), column, ValueType.TEXT, SECRET);
      for (int length = 0; length < cell.length; length++) {
        byte[] cut = Arrays.copyOf(cell, length);
        assertThatThrownBy(() -> codec.open(column, cut))
            .isInstanceOf(CellException.class)
            .hasMessageContaining(column.qualifiedName())
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
      }
    }
  }

  @Test
  void aCellMovedToAnotherColumnFailsNamingTheColumnAndKey() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET);
    String keyId = org.veil.keys.KeyId.read(cell, 5).toString();
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
    String keyId = org.veil.keys.KeyId.read(cell, 5).toString();
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
}
