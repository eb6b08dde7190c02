package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.EncryptionMode;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/** The encrypted columns the statement analysis tests run against, and assertion helpers. */
final class Fixtures {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);
  static final ColumnPolicy PHONE = ColumnPolicy.of("public", "customers", "phone",
      EncryptionMode.DETERMINISTIC);
  /** Shares its context with customers.email, so cells may move between the two. */
  static final ColumnPolicy ARCHIVE_EMAIL = new ColumnPolicy("public", "archive", "email",
      EncryptionMode.DETERMINISTIC, "public.customers.email");
  /** Same name as customers.email, different context. */
  static final ColumnPolicy ACCOUNT_EMAIL = ColumnPolicy.of("public", "accounts", "email",
      EncryptionMode.DETERMINISTIC);
  static final ColumnPolicy CARD_NUMBER = ColumnPolicy.of("billing", "cards", "number",
      EncryptionMode.DETERMINISTIC);

  static final EncryptedColumns COLUMNS = EncryptedColumns.of(
      List.of(SSN, EMAIL, PHONE, ARCHIVE_EMAIL, ACCOUNT_EMAIL, CARD_NUMBER));

  private Fixtures() {}

  static StatementAnalyzer analyzer() {
    return new StatementAnalyzer(COLUMNS, 100);
  }

  static StatementPlan plan(String sql) throws VeilException {
    return analyzer().analyzePrepared(sql);
  }

  /** The column each parameter binds, 1..parameterCount, null for none. */
  static ColumnPolicy[] bindings(String sql) throws VeilException {
    StatementPlan plan = plan(sql);
    ColumnPolicy[] columns = new ColumnPolicy[plan.parameterCount()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = plan.parameter(i + 1);
    }
    return columns;
  }

  /**
   * Asserts that {@code sql} is refused with {@code error}, naming {@code column} and quoting
   * none of {@code literals}.
   */
  static VeilException assertRefused(String sql, VeilError error, ColumnPolicy column,
      String... literals) {
    VeilException refusal = catchThrowableOfType(VeilException.class,
        () -> analyzer().checkUnprepared(sql));
    assertThat((Throwable) refusal).as("refusal of %s", sql).isNotNull();
    assertThat(refusal.error()).isEqualTo(error);
    assertThat(refusal.getMessage()).contains(column.qualifiedName());
    for (String literal : literals) {
      assertThat(refusal.getMessage()).doesNotContain(literal);
    }
    return refusal;
  }
}
