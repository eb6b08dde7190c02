package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.keys.ManualTicker;
import org.veil.kms.FlakyKeyProvider;

/** A binding value in a cell's associated data: the cell opens only with the same binding. */
class CellCodecRowBindingTest {

  private static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED).boundBy("id");
  private static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);

  private final CellCodec codec;

  CellCodecRowBindingTest() throws Exception {
    codec = CellCodec.builder().keyProvider(FlakyKeyProvider.withRandomKey())
        .keyStore(new InMemoryBranchKeyStore()).ticker(new ManualTicker())
        .executor(Runnable::run).build();
  }

  @AfterEach
  void close() {
    codec.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] seal(String value, byte[] binding) throws Exception {
    return codec.seal(codec.beginRow(), SSN, ValueType.TEXT, value, binding);
  }

  @Test
  void boundCellOpensWithItsBinding() throws Exception {
    byte[] cell = seal("078-05-1120", utf8("42"));
    assertThat(codec.open(SSN, cell, utf8("42")).value()).isEqualTo("078-05-1120");
  }

  @Test
  void boundCellFailsWithAnotherRowsBinding() throws Exception {
    byte[] cell = seal("078-05-1120", utf8("42"));
    assertThatThrownBy(() -> codec.open(SSN, cell, utf8("43")))
        .isInstanceOf(CellException.class).hasMessageContaining("public.customers.ssn");
  }

  @Test
  void boundCellFailsWithoutBindingAndAnUnboundCellFailsWithOne() throws Exception {
    byte[] bound = seal("078-05-1120", utf8("42"));
    assertThatThrownBy(() -> codec.open(SSN, bound, null)).isInstanceOf(CellException.class);
    byte[] unbound = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "078-05-1120");
    assertThatThrownBy(() -> codec.open(SSN, unbound, utf8("42")))
        .isInstanceOf(CellException.class);
  }

  @Test
  void anEmptyBindingIsNotTheAbsenceOfOne() throws Exception {
    byte[] cell = seal("x", new byte[0]);
    assertThat(codec.open(SSN, cell, new byte[0]).value()).isEqualTo("x");
    assertThatThrownBy(() -> codec.open(SSN, cell, null)).isInstanceOf(CellException.class);
  }

  @Test
  void bindingBytesCannotShiftIntoTheContext() throws Exception {
    // Concatenated without separator and length, both would read "public.customers.ssn42".
    ColumnPolicy shifted = new ColumnPolicy("public", "customers", "ssn",
        EncryptionMode.RANDOMIZED, "public.customers.ssn4");
    byte[] cell = codec.seal(codec.beginRow(), shifted, ValueType.TEXT, "x", utf8("2"));
    assertThatThrownBy(() -> codec.open(SSN, cell, utf8("42")))
        .isInstanceOf(CellException.class);
  }

  @Test
  void deterministicColumnsTakeNoBinding() {
    assertThatThrownBy(() -> codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, "a",
        utf8("1"))).isInstanceOf(IllegalArgumentException.class);
  }
}
