package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape the database-side guard admits, against docs/FORMAT.md and the cells Veil writes. */
class CellShapeTest {

  private static final CellColumn RANDOMIZED = CellCodecTest.SSN;
  private static final CellColumn DETERMINISTIC = CellCodecTest.EMAIL;

  private final TestKeys keys = TestKeys.random();

  private CellCodec codec(Wrapping wrapping) {
    return CellCodecTest.codec(keys, wrapping);
  }

  @Test
  void versionsAreTheOnesFormatMdDefines() {
    assertThat(CellShape.versions()).containsExactly(1, 2, 3);
  }

  @Test
  void headerIsTheMagicAndTheVersion() {
    assertThat(CellShape.header(2)).containsExactly(0x56, 0x4c, 0x02);
  }

  @Test
  void minimumLengthIsADeterministicCellOfAnEmptyValueAsFormatMdLaysItOut() throws Exception {
    // docs/FORMAT.md: kind 02 is 37 + n bytes (21 header bytes, the 16-byte synthetic IV).
    assertThat(CellShape.minimumLength()).isEqualTo(21 + 16);
    CellCodec codec = codec(Wrapping.BRANCH);
    assertThat(codec.seal(codec.beginRow(), DETERMINISTIC, ValueType.TEXT, "", null))
        .hasSize(CellShape.minimumLength());
  }

  @Test
  void noCellVeilWritesIsShorterThanTheMinimum() throws Exception {
    for (Wrapping wrapping : Wrapping.values()) {
      CellCodec codec = codec(wrapping);
      for (CellColumn column : List.of(RANDOMIZED, DETERMINISTIC)) {
        for (Object[] v : List.of(new Object[] {ValueType.TEXT, ""},
            new Object[] {ValueType.BYTES, new byte[0]}, new Object[] {ValueType.BOOLEAN, true})) {
          byte[] cell = codec.seal(codec.beginRow(), column, (ValueType) v[0], v[1], null);
          assertThat(cell.length).as("%s %s %s", wrapping, column, v[0])
              .isGreaterThanOrEqualTo(CellShape.minimumLength());
          assertThat(CellShape.versions()).contains((int) cell[2]);
          assertThat(cell[0]).isEqualTo((byte) 'V');
          assertThat(cell[1]).isEqualTo((byte) 'L');
        }
      }
    }
  }

  @Test
  void textPrefixIsWhatTextCellsStartWith() throws Exception {
    CellCodec codec = codec(Wrapping.BRANCH);
    byte[] cell = codec.seal(codec.beginRow(), RANDOMIZED, ValueType.TEXT, "x", null);
    assertThat(CellShape.toText(cell)).startsWith(CellShape.textPrefix()).startsWith("veil:");
  }
}
