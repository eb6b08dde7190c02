package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.jdbc.RowBinding.Type;

/** The canonical binding bytes: one text form per value, whatever Java type carried it. */
class RowBindingTest {

  private static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED).boundBy("id");

  private static String written(Type type, Object value) throws SQLException {
    return new String(RowBinding.ofWritten(type, value, SSN), StandardCharsets.UTF_8);
  }

  private static SQLException refused(Type type, Object value) {
    SQLException e = catchThrowableOfType(SQLException.class,
        () -> RowBinding.ofWritten(type, value, SSN));
    assertThat((Throwable) e).as("refusal of %s for %s", value, type).isNotNull();
    assertThat(e.getSQLState()).isEqualTo("42804");
    assertThat(e.getMessage()).contains("public.customers.id").contains("public.customers.ssn");
    return e;
  }

  @Test
  void integersAreDecimalWhateverTheJavaType() throws SQLException {
    for (Object v : new Object[] {42, 42L, (short) 42, (byte) 42, BigInteger.valueOf(42),
        new BigDecimal("42.000"), "42", "042", "+42", " 42 "}) {
      assertThat(written(Type.INTEGER, v)).as("%s (%s)", v, v.getClass()).isEqualTo("42");
    }
    assertThat(written(Type.BIGINT, "-0")).isEqualTo("0");
    assertThat(written(Type.BIGINT, Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
    assertThat(written(Type.SMALLINT, "-32768")).isEqualTo("-32768");
  }

  @Test
  void integerValuesThatDoNotParseOrFitAreRefusedWithoutTheValue() {
    assertThat(refused(Type.INTEGER, "4x2").getMessage()).doesNotContain("4x2");
    refused(Type.INTEGER, "");
    refused(Type.INTEGER, "-");
    refused(Type.INTEGER, "0x2A");
    refused(Type.INTEGER, "4 2");
    refused(Type.INTEGER, new BigDecimal("42.5"));
    refused(Type.SMALLINT, 32768);
    refused(Type.INTEGER, 2147483648L);
    refused(Type.BIGINT, "9223372036854775808");
    refused(Type.INTEGER, 42.0);
    refused(Type.INTEGER, true);
    refused(Type.INTEGER, null);
  }

  @Test
  void uuidsAreLowerCaseAndHyphenatedWhateverTheirForm() throws SQLException {
    UUID id = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    for (Object v : new Object[] {id, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
        "a0eebc999c0b4ef8bb6d6bb9bd380a11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
        "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11"}) {
      assertThat(written(Type.UUID_TYPE, v)).as("%s", v)
          .isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    }
  }

  @Test
  void stringsThatAreNotUuidsAreRefused() {
    refused(Type.UUID_TYPE, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1");
    refused(Type.UUID_TYPE, "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    refused(Type.UUID_TYPE, "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11");
    refused(Type.UUID_TYPE, "-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    refused(Type.UUID_TYPE, 42);
  }

  @Test
  void textIsAsItIs() throws SQLException {
    assertThat(written(Type.TEXT, " Ünïcode 042 ")).isEqualTo(" Ünïcode 042 ");
    assertThat(written(Type.VARCHAR, 42L)).isEqualTo("42");
    assertThat(written(Type.TEXT, 'x')).isEqualTo("x");
    refused(Type.TEXT, new byte[] {1});
    refused(Type.TEXT, 1.5);
  }

  @Test
  void readBytesAreTheServersTextOutput() {
    assertThat(RowBinding.ofRead("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        .isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".getBytes(StandardCharsets.UTF_8));
    assertThat(RowBinding.ofRead("Ünïcode")).isEqualTo("Ünïcode".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void onlyTypesWithOneTextFormCanBind() {
    assertThat(RowBinding.typeNamed("int4")).isEqualTo(Type.INTEGER);
    assertThat(RowBinding.typeNamed("varchar")).isEqualTo(Type.VARCHAR);
    assertThat(RowBinding.typeNamed("uuid")).isEqualTo(Type.UUID_TYPE);
    for (String other : new String[] {"numeric", "float8", "bpchar", "timestamptz", "bytea",
        "bool", "jsonb"}) {
      assertThat(RowBinding.typeNamed(other)).as(other).isNull();
    }
  }
}
