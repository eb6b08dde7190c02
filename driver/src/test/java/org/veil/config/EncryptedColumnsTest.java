package org.veil.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EncryptedColumnsTest {

  private final EncryptedColumns columns = EncryptedColumns.of(List.of(
      ColumnPolicy.of("public", "customers", "ssn", EncryptionMode.RANDOMIZED),
      ColumnPolicy.of("billing", "_cards", "number", EncryptionMode.RANDOMIZED)));

  @Test
  void mayMentionFindsATableNameInAnyCaseAndAnywhere() {
    assertThat(columns.mayMention("select ssn from customers where id = ?")).isTrue();
    assertThat(columns.mayMention("SELECT SSN FROM CUSTOMERS")).isTrue();
    assertThat(columns.mayMention("insert into \"CuStOmErS\"(ssn) values (?)")).isTrue();
    assertThat(columns.mayMention("customers")).isTrue();
    assertThat(columns.mayMention("UPDATE billing._Cards SET number = ?")).isTrue();
    // A prefix of the name, or the name cut at the end of the text, is not the name.
    assertThat(columns.mayMention("SELECT * FROM customer")).isFalse();
    assertThat(columns.mayMention("SELECT 1")).isFalse();
    assertThat(columns.mayMention("")).isFalse();
  }

  @Test
  void findLooksColumnsUpByTheirFoldedNamePartsWithPublicAsTheDefaultSchema() {
    ColumnPolicy ssn = columns.find("public", "customers", "ssn");
    assertThat(ssn).isNotNull();
    assertThat(ssn.qualifiedName()).isEqualTo("public.customers.ssn");
    assertThat(columns.find(null, "Customers", "SSN")).isSameAs(ssn);
    assertThat(columns.find("", "customers", "ssn")).isSameAs(ssn);
    assertThat(columns.find("BILLING", "_cards", "number").qualifiedName())
        .isEqualTo("billing._cards.number");
    assertThat(columns.find("public", "customers", "name")).isNull();
    assertThat(columns.find("other", "customers", "ssn")).isNull();
    assertThat(columns.find("public", "orders", "ssn")).isNull();
    assertThat(columns.find("public", null, "ssn")).isNull();
    assertThat(EncryptedColumns.none().find("public", "customers", "ssn")).isNull();
  }

  @Test
  void mayMentionComparesNonAsciiCharactersAsRegionMatchesDoes() {
    // Under String.regionMatches(true, ...) 'ı' (dotless i) matches 'i' and the Kelvin sign
    // matches 'k'. The check may answer "maybe" too often, never too rarely, so these count.
    EncryptedColumns named = EncryptedColumns.of(List.of(
        ColumnPolicy.of("public", "items", "secret", EncryptionMode.RANDOMIZED),
        ColumnPolicy.of("public", "kinds", "secret", EncryptionMode.RANDOMIZED)));
    assertThat(named.mayMention("SELECT * FROM ıtems")).isTrue();
    assertThat(named.mayMention("SELECT * FROM \u212Ainds")).isTrue();
    assertThat(named.mayMention("SELECT * FROM ıtem")).isFalse();
  }
}
