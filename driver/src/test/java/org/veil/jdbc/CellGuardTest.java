package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The guard's names and comment; what it admits is checked against PostgreSQL in GuardIT. */
class CellGuardTest {

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void aShortColumnsGuardIsVeilGuardAndTheColumnName() {
    assertThat(CellGuard.constraintName("ssn")).isEqualTo("veil_guard_ssn");
  }

  @Test
  void aNameThatFitsExactlyIsKeptWhole() {
    String column = "c".repeat(63 - "veil_guard_".length());
    assertThat(CellGuard.constraintName(column)).isEqualTo("veil_guard_" + column);
  }

  @Test
  void aLongColumnNameIsCutToPostgresqlsLimitWithAHashSoTwoPrefixesDiffer() {
    String a = "a".repeat(60) + "_one";
    String b = "a".repeat(60) + "_two";
    String guardA = CellGuard.constraintName(a);
    String guardB = CellGuard.constraintName(b);
    assertThat(bytes(guardA)).isEqualTo(63);
    assertThat(guardA).startsWith("veil_guard_aaaa").matches(".*_[0-9a-f]{8}");
    assertThat(guardA).isNotEqualTo(guardB);
    assertThat(CellGuard.constraintName(a)).as("the same every time").isEqualTo(guardA);
  }

  @Test
  void aLongNameIsCutAtACharacterBoundaryWithinTheLimit() {
    String column = "ü".repeat(40); // 80 bytes in UTF-8
    String guard = CellGuard.constraintName(column);
    assertThat(bytes(guard)).isLessThanOrEqualTo(63);
    assertThat(guard).startsWith("veil_guard_üü").doesNotContain("\uFFFD");
    assertThat(new String(guard.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        .isEqualTo(guard);
  }

  @Test
  void identifiersAreQuotedWithTheirQuotesDoubled() {
    assertThat(CellGuard.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
  }

  @Test
  void commentNamesTheVersionsAndMinimumLengthsItAdmits() {
    assertThat(CellGuard.comment()).contains("version 1, 2").contains("at least 37 bytes")
        .contains("at least 57 characters");
  }

  @Test
  void theShortestTextCellIsThePrefixAndThePaddedBase64Of37Bytes() {
    assertThat(CellGuard.minimumTextLength()).isEqualTo("veil:".length() + 52);
  }
}
