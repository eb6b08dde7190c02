package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.veil.crypto.CellCodecTest.BOUND_SSN;
import static org.veil.crypto.CellCodecTest.EMAIL;
import static org.veil.crypto.CellCodecTest.NOTES;
import static org.veil.crypto.CellCodecTest.ROW_1;
import static org.veil.crypto.CellCodecTest.ROW_2;
import static org.veil.crypto.CellCodecTest.SECRET;
import static org.veil.crypto.CellCodecTest.SSN;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RewrapperTest {

  private final TestKeys keys = TestKeys.random();
  private final CellCodec codec = CellCodecTest.codec(keys, Wrapping.BRANCH);
  private final Rewrapper rewrapper = codec.rewrapper();

  private static byte[] payload(byte[] cell, int from) {
    return Arrays.copyOfRange(cell, from, cell.length);
  }

  @Test
  void rewrapOfV3CellsKeepsThePayloadByteForByteAndTheRowsSharedKey() throws Exception {
    RowSeal row = codec.beginRow();
    byte[] ssn = codec.seal(row, SSN, ValueType.TEXT, SECRET, null);
    byte[] notes = codec.seal(row, NOTES, ValueType.INT, 42, null);
    KeyId old = CellShape.keyIdOf(ssn);
    KeyId next = keys.rotate().id();

    RewrapScope scope = rewrapper.beginRewrap();
    byte[] newSsn = rewrapper.rewrap(scope, SSN, ssn, null);
    byte[] newNotes = rewrapper.rewrap(scope, NOTES, notes, null);

    assertThat(Arrays.copyOf(newSsn, 5)).isEqualTo(new byte[] {0x56, 0x4c, 3, 3, 1});
    assertThat(newSsn.length).isEqualTo(ssn.length + 44);
    assertThat(payload(newSsn, 81)).isEqualTo(payload(ssn, 37));
    assertThat(payload(newNotes, 81)).isEqualTo(payload(notes, 37));
    assertThat(CellShape.keyIdOf(newSsn)).isEqualTo(next).isNotEqualTo(old);
    assertThat(Arrays.copyOfRange(newNotes, 5, 81)).as("the row still shares one row key")
        .isEqualTo(Arrays.copyOfRange(newSsn, 5, 81));
    CellCodec cold = CellCodecTest.codec(TestKeys.holding(keys.active()), Wrapping.BRANCH);
    assertThat(cold.open(SSN, newSsn, null).value()).as("without the retired key").isEqualTo(SECRET);
    assertThat(cold.open(NOTES, newNotes, null).value()).isEqualTo(42);
  }

  @Test
  void aRewrappedCellCanBeRewrappedAgain() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET, null);
    keys.rotate();
    byte[] once = rewrapper.rewrap(rewrapper.beginRewrap(), SSN, cell, null);
    BranchKey third = keys.rotate();
    byte[] twice = rewrapper.rewrap(rewrapper.beginRewrap(), SSN, once, null);
    assertThat(CellShape.keyIdOf(twice)).isEqualTo(third.id());
    assertThat(payload(twice, 81)).isEqualTo(payload(cell, 37));
    assertThat(CellCodecTest.codec(TestKeys.holding(third), Wrapping.BRANCH)
        .open(SSN, twice, null).value()).isEqualTo(SECRET);
  }

  @Test
  void rewrappedCellsStillFailEveryBitFlipAndTruncation() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET, null);
    keys.rotate();
    byte[] rewrapped = rewrapper.rewrap(rewrapper.beginRewrap(), SSN, cell, null);
    CellCodecTest.assertEveryBitFlipFails(codec, SSN, rewrapped, null);
    CellCodecTest.assertEveryTruncationFails(codec, SSN, rewrapped, null);
  }

  @Test
  void aBoundCellRewrapsKeepingItsBinding() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), BOUND_SSN, ValueType.TEXT, SECRET, ROW_1);
    keys.rotate();
    byte[] rewrapped = rewrapper.rewrap(rewrapper.beginRewrap(), BOUND_SSN, cell, ROW_1);
    assertThat(codec.open(BOUND_SSN, rewrapped, ROW_1).value()).isEqualTo(SECRET);
    assertThatThrownBy(() -> codec.open(BOUND_SSN, rewrapped, ROW_2))
        .isInstanceOf(CellException.class);
    assertThatThrownBy(() -> rewrapper.rewrap(rewrapper.beginRewrap(), BOUND_SSN, cell, ROW_2))
        .as("a cell of another row is not moved").isInstanceOf(CellException.class);
  }

  @Test
  void rewrapOfAV1CellReSealsItWholeIntoV3() throws Exception {
    CellCodec old = CellFormatVectorsTest.codec(new byte[0], CellFormatVectorsTest.branchKey(),
        CellFormatVectorsTest.nextBranchKey());
    byte[] v1 = HexFormat.of().parseHex(CellFormatVectorsTest.vector("randomized-cell"));
    Rewrapper r = old.rewrapper();
    byte[] resealed = r.rewrap(r.beginRewrap(), SSN, v1, null);
    assertThat(Arrays.copyOf(resealed, 4)).isEqualTo(new byte[] {0x56, 0x4c, 3, 0});
    assertThat(CellShape.keyIdOf(resealed)).isEqualTo(CellFormatVectorsTest.NEXT_BRANCH_ID);
    assertThat(old.open(SSN, resealed, null).value()).isEqualTo(SECRET);
  }

  @Test
  void rewrapOfACellThatDoesNotOpenFailsNamingTheColumn() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET, null);
    cell[cell.length - 1] ^= 1;
    assertThatThrownBy(() -> rewrapper.rewrap(rewrapper.beginRewrap(), SSN, cell, null))
        .isInstanceOf(CellException.class)
        .hasMessageContaining(SSN.name())
        .hasMessageNotContaining(SECRET);
    byte[] other = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET, null);
    assertThatThrownBy(() -> rewrapper.rewrap(rewrapper.beginRewrap(), NOTES, other, null))
        .isInstanceOf(CellException.class);
  }

  @Test
  void rewrapRefusesCellsWithoutABranchKey() throws Exception {
    byte[] det = codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, SECRET, null);
    assertThatThrownBy(() -> rewrapper.rewrap(rewrapper.beginRewrap(), EMAIL, det, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void resealGivesAFreshRowKeyUnderTheActiveBranchKey() throws Exception {
    byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, SECRET, null);
    BranchKey next = keys.rotate();
    byte[] resealed = rewrapper.reseal(codec.beginRow(), SSN, cell, null);
    assertThat(CellShape.keyIdOf(resealed)).isEqualTo(next.id());
    assertThat(Arrays.copyOfRange(resealed, 21, 37)).isNotEqualTo(Arrays.copyOfRange(cell, 21,
        37));
    assertThat(CellCodecTest.codec(TestKeys.holding(next), Wrapping.BRANCH)
        .open(SSN, resealed, null).value()).isEqualTo(SECRET);
  }
}
