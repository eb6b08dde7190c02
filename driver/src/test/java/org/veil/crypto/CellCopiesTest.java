package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What sealing and opening copy, keep and clear, so that a large value costs no more arrays of
 * its size than the cipher needs: the caller's bytes are sealed as they are, a cell decoded from
 * its text form opens over its own bytes, and the text form is made and read without
 * intermediate copies, yet is exactly {@code veil:} and the standard base64 of the cell.
 */
class CellCopiesTest {

  private static final CellColumn RANDOMIZED = CellCodecTest.SSN;
  private static final CellColumn DETERMINISTIC = CellCodecTest.EMAIL;
  private static final String SECRET = CellCodecTest.SECRET;
  private static final List<Object[]> VALUES = List.of(
      new Object[] {ValueType.TEXT, "héllo wörld ✓"},
      new Object[] {ValueType.TEXT, ""},
      new Object[] {ValueType.JSON, "{\"a\": [1, 2]}"},
      new Object[] {ValueType.BYTES, new byte[] {0, 1, -1, 127}},
      new Object[] {ValueType.BYTES, new byte[0]},
      new Object[] {ValueType.INT, Integer.MIN_VALUE},
      new Object[] {ValueType.NUMERIC, new BigDecimal("-12345678901234567890.0100")},
      new Object[] {ValueType.DATE, LocalDate.of(1969, 12, 31)},
      new Object[] {ValueType.UUID, UUID.randomUUID()});

  private final TestKeys keys = TestKeys.random();

  private CellCodec codec(Wrapping wrapping) {
    return CellCodecTest.codec(keys, wrapping);
  }

  @Test
  void sealingBytesLeavesTheCallersArrayAsItWas() throws Exception {
    for (Wrapping wrapping : Wrapping.values()) {
      CellCodec codec = codec(wrapping);
      for (CellColumn column : List.of(RANDOMIZED, DETERMINISTIC)) {
        byte[] value = SECRET.getBytes(StandardCharsets.UTF_8);
        byte[] cell = codec.seal(codec.beginRow(), column, ValueType.BYTES, value, null);
        assertThat(value).as("%s %s", wrapping, column)
            .isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat((byte[]) codec.open(column, cell, null).value()).isEqualTo(value);
      }
    }
  }

  @Test
  void openedBytesAreANewArrayEachTimeSharingNothingWithTheCell() throws Exception {
    CellCodec codec = codec(Wrapping.BRANCH);
    byte[] cell = codec.seal(codec.beginRow(), RANDOMIZED, ValueType.BYTES,
        SECRET.getBytes(StandardCharsets.UTF_8), null);
    byte[] first = (byte[]) codec.open(RANDOMIZED, cell, null).value();
    byte[] second = (byte[]) codec.open(RANDOMIZED, cell, null).value();
    assertThat(first).isNotSameAs(second).isNotSameAs(cell).isEqualTo(second);
    first[0] ^= 1;
    assertThat((byte[]) codec.open(RANDOMIZED, cell, null).value()).isEqualTo(second);
  }

  @Test
  void openInPlaceGivesEveryValueInEveryLayoutAndClearsTheCell() throws Exception {
    for (Wrapping wrapping : Wrapping.values()) {
      CellCodec codec = codec(wrapping);
      for (CellColumn column : List.of(RANDOMIZED, DETERMINISTIC)) {
        for (Object[] v : VALUES) {
          ValueType type = (ValueType) v[0];
          byte[] cell = codec.seal(codec.beginRow(), column, type, v[1], null);
          Opened opened = codec.openInPlace(column, cell, null);
          assertThat(opened.type()).isEqualTo(type);
          assertThat(opened.value()).as("%s %s %s", wrapping, column, type).isEqualTo(v[1]);
          assertThat(cell).as("the cell given up").containsOnly(0);
        }
      }
    }
  }

  @Test
  void openInPlaceOfAnyAlteredCellFailsNamingColumnAndKeyAndClearsTheCell() throws Exception {
    CellCodec codec = codec(Wrapping.BRANCH);
    byte[] cell = codec.seal(codec.beginRow(), RANDOMIZED, ValueType.TEXT, SECRET, null);
    String keyId = KeyId.read(cell, CellFormat.KEY_ID_OFFSET).toString();
    for (int i = 0; i < cell.length; i++) {
      byte[] flipped = cell.clone();
      flipped[i] ^= 1;
      try {
        Opened opened = codec.openInPlace(RANDOMIZED, flipped, null);
        fail("byte " + i + " flipped, yet the cell opened as " + opened);
      } catch (CellException e) {
        assertThat(e.getMessage()).contains(RANDOMIZED.name()).doesNotContain(SECRET);
        if (i < CellFormat.KEY_ID_OFFSET || i >= CellFormat.HEADER) {
          assertThat(e.getMessage()).as("byte %d", i).contains(keyId);
        }
      }
      assertThat(flipped).as("byte %d", i).containsOnly(0);
    }
  }

  @Test
  void openInPlaceFailsForAKeyProviderDownAsOpenDoes() throws Exception {
    CellCodec codec = codec(Wrapping.BRANCH);
    byte[] cell = codec.seal(codec.beginRow(), RANDOMIZED, ValueType.TEXT, SECRET, null);
    String keyId = KeyId.read(cell, CellFormat.KEY_ID_OFFSET).toString();
    keys.down = true;
    assertThatThrownBy(() -> codec(Wrapping.BRANCH).openInPlace(RANDOMIZED, cell, null))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining(RANDOMIZED.name())
        .hasMessageContaining(keyId);
  }

  @Test
  void theTextFormIsTheStandardBase64OfTheCellAtEverySliceBoundary() {
    Random random = new Random(7);
    int slice = 3 * 16 * 1024;
    for (int length : new int[] {21, 22, 23, 24, 100, slice - 1, slice, slice + 1, slice + 2,
        2 * slice, 2 * slice + 1, 5 * slice + 2}) {
      byte[] cell = new byte[length];
      random.nextBytes(cell);
      System.arraycopy(CellShape.header(3), 0, cell, 0, 3);
      String text = CellShape.toText(cell);
      assertThat(text).as("%d bytes", length)
          .isEqualTo("veil:" + Base64.getEncoder().encodeToString(cell));
      assertThat(CellShape.fromText(text)).isEqualTo(cell);
      assertThat(CellShape.fromText(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(cell);
    }
  }

  @Test
  void utf8BytesThatAreNoTextFormGiveNoCell() {
    String notACell = "veil:" + Base64.getEncoder().encodeToString(new byte[30]);
    for (String text : new String[] {"", "veil:", "veil:not base64!", "plain " + SECRET,
        "Veil:VkwD", notACell, "veil:VkwDAAAAAAAAAAAAAAAAAAAAAAAAAA==é"}) {
      assertThat(CellShape.fromText(text.getBytes(StandardCharsets.UTF_8))).as(text).isNull();
      assertThat(CellShape.fromText(text)).as(text).isNull();
    }
    assertThat(CellShape.fromText((byte[]) null)).isNull();
  }

  @Test
  void decodingAPrefixOfTheBytesIsDecodingThoseBytes() {
    byte[] text = "héllo, and what follows".getBytes(StandardCharsets.UTF_8);
    int hello = "héllo".getBytes(StandardCharsets.UTF_8).length;
    assertThat(ValueType.TEXT.decode(text, hello)).isEqualTo("héllo");
    assertThat(ValueType.JSON.decode(text, hello)).isEqualTo("héllo");
    assertThat((byte[]) ValueType.BYTES.decode(text, 2)).containsExactly(text[0], text[1]);
    assertThat(ValueType.BYTES.decode(text, text.length)).isSameAs(text);
    byte[] four = ValueType.INT.encode(-2);
    byte[] longer = java.util.Arrays.copyOf(four, 9);
    assertThat(ValueType.INT.decode(longer, 4)).isEqualTo(-2);
    assertThatThrownBy(() -> ValueType.INT.decode(longer, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
