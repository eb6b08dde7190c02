package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The driver excludes Tink's protobuf-java and gson (driver/pom.xml): the driver's own tests run
 * on the class path an application gets, so here deterministic cells are sealed and opened with
 * neither jar present. If Tink's AES-SIV ever needs one of them, this fails and the exclusion
 * must go.
 */
class DeterministicCellsClassPathTest {

  @Test
  void deterministicCellsSealAndOpenWithoutProtobufOrGsonOnTheClassPath() throws Exception {
    ClassLoader loader = DeterministicCells.class.getClassLoader();
    assertThatThrownBy(() -> Class.forName("com.google.protobuf.MessageLite", false, loader))
        .as("protobuf-java is off the class path").isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("com.google.gson.Gson", false, loader))
        .as("gson is off the class path").isInstanceOf(ClassNotFoundException.class);

    CellCodec codec = CellCodecTest.codec(TestKeys.random(), Wrapping.BRANCH);
    byte[] cell = codec.seal(codec.beginRow(), CellCodecTest.EMAIL, ValueType.TEXT,
        "a@example.com", null);
    byte[] again = codec.seal(codec.beginRow(), CellCodecTest.EMAIL, ValueType.TEXT,
        "a@example.com", null);

    assertThat(cell[3]).as("kind: deterministic").isEqualTo((byte) 2);
    assertThat(again).isEqualTo(cell);
    assertThat(codec.open(CellCodecTest.EMAIL, cell, null).value()).isEqualTo("a@example.com");
  }
}
