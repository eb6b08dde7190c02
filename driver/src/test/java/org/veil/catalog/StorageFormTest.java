package org.veil.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.crypto.CellShape;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/** The two ways a column holds its cells, as the driver and the tools both store and read them. */
class StorageFormTest {

  private static final ColumnPolicy SSN = ColumnPolicy.of("public", "people", "ssn",
      EncryptionMode.RANDOMIZED);

  /** A byte string shaped like a format v3 cell header followed by some payload. */
  private static byte[] cellShaped() {
    byte[] header = CellShape.header(3);
    byte[] cell = new byte[CellShape.minimumLength() + 7];
    System.arraycopy(header, 0, cell, 0, header.length);
    for (int i = header.length; i < cell.length; i++) {
      cell[i] = (byte) (i * 31);
    }
    return cell;
  }

  @Test
  void aBinaryColumnStoresTheCellsBytesAndFindsThemAgain() {
    byte[] cell = cellShaped();
    Object stored = StorageForm.BINARY.store(cell);
    assertThat(stored).isSameAs(cell);
    assertThat(StorageForm.BINARY.cellOf(stored)).isEqualTo(cell);
  }

  @Test
  void aTextColumnStoresVeilBase64AndFindsTheSameBytesAgain() {
    byte[] cell = cellShaped();
    Object stored = StorageForm.TEXT.store(cell);
    assertThat(stored).isEqualTo("veil:" + Base64.getEncoder().encodeToString(cell));
    assertThat(StorageForm.TEXT.cellOf(stored)).isEqualTo(cell);
  }

  @Test
  void aCellIsRecognisedInTheOtherFormsValuesToo() {
    // A conversion between bytea and text hands one form's values to the other's.
    byte[] cell = cellShaped();
    assertThat(StorageForm.TEXT.cellOf(cell)).isEqualTo(cell);
    assertThat(StorageForm.BINARY.cellOf(StorageForm.TEXT.store(cell))).isEqualTo(cell);
  }

  @Test
  void plaintextIsNotACellInEitherForm() {
    assertThat(StorageForm.BINARY.cellOf("123-45-6789".getBytes(StandardCharsets.UTF_8)))
        .isNull();
    assertThat(StorageForm.TEXT.cellOf("123-45-6789")).isNull();
    assertThat(StorageForm.TEXT.cellOf("veil: is a word people write")).isNull();
  }

  @Test
  void byteaAndTextAndUnconstrainedVarcharCanHoldCells() throws VeilException {
    assertThat(StorageForm.of(SSN, "bytea", -1)).isEqualTo(StorageForm.BINARY);
    assertThat(StorageForm.of(SSN, "text", -1)).isEqualTo(StorageForm.TEXT);
    assertThat(StorageForm.of(SSN, "varchar", -1)).isEqualTo(StorageForm.TEXT);
  }

  @Test
  void aBoundedVarcharIsRefusedWithItsLengthAndTheFix() {
    // varchar(11) has typmod 15: the length plus the 4-byte header.
    assertThatThrownBy(() -> StorageForm.of(SSN, "varchar", 15))
        .isInstanceOfSatisfying(VeilException.class,
            e -> assertThat(e.error()).isEqualTo(VeilError.DATATYPE_MISMATCH))
        .hasMessageContaining("public.people.ssn is varchar(11)")
        .hasMessageContaining("ALTER TABLE public.people ALTER COLUMN ssn TYPE text");
  }

  @Test
  void aTypeThatCannotHoldACellIsRefusedNamingTheColumnAndTheFix() {
    assertThatThrownBy(() -> StorageForm.of(SSN, "int4", -1))
        .isInstanceOfSatisfying(VeilException.class,
            e -> assertThat(e.error()).isEqualTo(VeilError.DATATYPE_MISMATCH))
        .hasMessageContaining("public.people.ssn is of type int4")
        .hasMessageContaining("ALTER TABLE public.people ALTER COLUMN ssn TYPE bytea");
  }
}
