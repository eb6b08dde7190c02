package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.veil.sql.Fixtures.ACCOUNT_EMAIL;
import static org.veil.sql.Fixtures.CARD_NUMBER;
import static org.veil.sql.Fixtures.EMAIL;
import static org.veil.sql.Fixtures.PHONE;
import static org.veil.sql.Fixtures.SSN;
import static org.veil.sql.Fixtures.assertRefused;

import org.junit.jupiter.api.Test;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * SQL Veil refuses: each refusal carries a SQLSTATE, names the encrypted column, and quotes no
 * literal from the SQL.
 */
class StatementAnalyzerRefusalTest {

  private static final VeilError PLAINTEXT = VeilError.PLAINTEXT_REFUSED;
  private static final VeilError UNSUPPORTED = VeilError.OPERATION_REFUSED;

  @Test
  void literalInInsertValuesIsRefused() {
    assertRefused("INSERT INTO customers (id, ssn) VALUES (1, '123-45-6789')", PLAINTEXT, SSN,
        "123-45-6789");
  }

  @Test
  void numericLiteralInInsertValuesIsRefused() {
    assertRefused("INSERT INTO customers (id, ssn) VALUES (?, 987654321)", PLAINTEXT, SSN,
        "987654321");
  }

  @Test
  void literalInOneRowOfMultiRowValuesIsRefused() {
    assertRefused("INSERT INTO customers (ssn) VALUES (?), ('secret-ssn')", PLAINTEXT, SSN,
        "secret-ssn");
  }

  @Test
  void literalInUpdateSetIsRefused() {
    assertRefused("UPDATE customers SET email = 'alice@example.com' WHERE id = 7", PLAINTEXT,
        EMAIL, "alice@example.com");
  }

  @Test
  void literalInWhereComparisonIsRefused() {
    assertRefused("SELECT id FROM customers WHERE email = 'bob@example.com'", PLAINTEXT, EMAIL,
        "bob@example.com");
  }

  @Test
  void literalInsidePreparedSqlIsRefusedToo() {
    VeilException refusal = org.assertj.core.api.Assertions.catchThrowableOfType(
        VeilException.class, () -> Fixtures.analyzer()
            .analyzePrepared("SELECT id FROM customers WHERE phone = '555-0100' AND id = ?"));
    assertThat(refusal.error()).isEqualTo(PLAINTEXT);
    assertThat(refusal.getMessage()).contains(PHONE.qualifiedName()).doesNotContain("555-0100");
  }

  @Test
  void literalInInListIsRefused() {
    assertRefused("SELECT id FROM customers WHERE email IN (?, 'carol@example.com')", PLAINTEXT,
        EMAIL, "carol@example.com");
  }

  @Test
  void typedLiteralForEncryptedColumnIsRefused() {
    assertRefused("UPDATE customers SET phone = CAST('555-0199' AS text)", PLAINTEXT, PHONE,
        "555-0199");
  }

  @Test
  void literalInOnConflictUpdateIsRefused() {
    assertRefused("INSERT INTO customers (id, email) VALUES (?, ?) "
        + "ON CONFLICT (id) DO UPDATE SET ssn = 'conflict-ssn'", PLAINTEXT, SSN, "conflict-ssn");
  }

  @Test
  void literalInOneStatementOfManyIsRefused() {
    assertRefused("SELECT 1; UPDATE customers SET ssn = 'multi-ssn'", PLAINTEXT, SSN,
        "multi-ssn");
  }

  @Test
  void nullLiteralIsNotPlaintext() throws VeilException {
    Fixtures.analyzer().checkUnprepared("UPDATE customers SET ssn = NULL WHERE email IS NULL");
  }

  @Test
  void equalityOnRandomizedColumnIsRefused() {
    VeilException refusal = assertRefused("SELECT id FROM customers WHERE ssn = ?", UNSUPPORTED,
        SSN);
    assertThat(refusal.getMessage()).contains("deterministic").contains("application");
  }

  @Test
  void inOnRandomizedColumnIsRefused() {
    assertRefused("SELECT id FROM customers WHERE ssn IN (?, ?)", UNSUPPORTED, SSN);
  }

  @Test
  void notEqualsOnRandomizedColumnIsRefused() {
    assertRefused("DELETE FROM customers WHERE ssn <> ?", UNSUPPORTED, SSN);
  }

  @Test
  void likeOnEncryptedColumnIsRefused() {
    VeilException refusal = assertRefused("SELECT id FROM customers WHERE email LIKE ?",
        UNSUPPORTED, EMAIL);
    assertThat(refusal.getMessage()).contains("LIKE");
  }

  @Test
  void ilikeOnEncryptedColumnIsRefused() {
    assertRefused("SELECT id FROM customers WHERE email ILIKE '%@example.com'", UNSUPPORTED,
        EMAIL, "@example.com");
  }

  @Test
  void orderingComparisonsOnEncryptedColumnAreRefused() {
    assertRefused("SELECT id FROM customers WHERE phone < ?", UNSUPPORTED, PHONE);
    assertRefused("SELECT id FROM customers WHERE phone > ?", UNSUPPORTED, PHONE);
    assertRefused("SELECT id FROM customers WHERE phone <= ?", UNSUPPORTED, PHONE);
    assertRefused("SELECT id FROM customers WHERE ? >= phone", UNSUPPORTED, PHONE);
  }

  @Test
  void betweenOnEncryptedColumnIsRefused() {
    assertRefused("SELECT id FROM customers WHERE phone BETWEEN ? AND ?", UNSUPPORTED, PHONE);
  }

  @Test
  void orderByEncryptedColumnIsRefused() {
    assertRefused("SELECT id FROM customers ORDER BY email", UNSUPPORTED, EMAIL);
  }

  @Test
  void orderByOutputPositionOrAliasOfEncryptedColumnIsRefused() {
    assertRefused("SELECT email FROM customers ORDER BY 1", UNSUPPORTED, EMAIL);
    assertRefused("SELECT email AS e FROM customers ORDER BY e DESC", UNSUPPORTED, EMAIL);
  }

  @Test
  void groupByEncryptedColumnIsRefused() {
    assertRefused("SELECT phone, count(*) FROM customers GROUP BY phone", UNSUPPORTED, PHONE);
  }

  @Test
  void distinctOnEncryptedColumnIsRefused() {
    assertRefused("SELECT DISTINCT ON (email) id FROM customers", UNSUPPORTED, EMAIL);
  }

  @Test
  void functionOnEncryptedColumnIsRefusedInWhere() {
    VeilException refusal = assertRefused("SELECT id FROM customers WHERE lower(email) = ?",
        UNSUPPORTED, EMAIL);
    assertThat(refusal.getMessage()).contains("lower");
  }

  @Test
  void functionOnEncryptedColumnIsRefusedInSelectList() {
    assertRefused("SELECT upper(ssn) FROM customers", UNSUPPORTED, SSN);
  }

  @Test
  void castOfEncryptedColumnIsRefused() {
    assertRefused("SELECT id FROM customers WHERE email::text = ?", UNSUPPORTED, EMAIL);
  }

  @Test
  void arithmeticOnEncryptedColumnIsRefused() {
    assertRefused("SELECT number + 1 FROM billing.cards", UNSUPPORTED, CARD_NUMBER);
  }

  @Test
  void concatenationWithEncryptedColumnIsRefused() {
    assertRefused("SELECT ssn || '-x' FROM customers", UNSUPPORTED, SSN);
  }

  @Test
  void aggregateOtherThanCountIsRefused() {
    assertRefused("SELECT max(email) FROM customers", UNSUPPORTED, EMAIL);
  }

  @Test
  void parameterCompareToComputedValueIsRefused() {
    assertRefused("UPDATE customers SET email = lower(?)", UNSUPPORTED, EMAIL);
  }

  @Test
  void anyArrayParameterOnEncryptedColumnIsRefused() {
    assertRefused("SELECT id FROM customers WHERE email = ANY(?)", UNSUPPORTED, EMAIL);
  }

  @Test
  void positionalParameterOnEncryptedColumnIsRefused() {
    assertRefused("SELECT id FROM customers WHERE email = $1", UNSUPPORTED, EMAIL);
  }

  @Test
  void comparingDeterministicColumnsWithDifferentContextsIsRefused() {
    assertRefused("SELECT c.id FROM customers c JOIN accounts a ON a.email = c.email",
        UNSUPPORTED, EMAIL);
  }

  @Test
  void comparingEncryptedColumnWithPlainColumnIsRefused() {
    assertRefused("SELECT c.id FROM customers c JOIN orders o ON o.contact = c.email",
        UNSUPPORTED, EMAIL);
  }

  @Test
  void ambiguousUnqualifiedEncryptedColumnIsRefused() {
    VeilException refusal = assertRefused("SELECT c.id FROM customers c, accounts a "
        + "WHERE email = ?", UNSUPPORTED, EMAIL);
    assertThat(refusal.getMessage()).contains(ACCOUNT_EMAIL.qualifiedName()).contains("Qualify");
  }

  @Test
  void insertSelectFromColumnWithDifferentContextIsRefused() {
    assertRefused("INSERT INTO accounts (email) SELECT email FROM customers", UNSUPPORTED,
        ACCOUNT_EMAIL);
  }

  @Test
  void insertSelectFromEncryptedIntoPlainColumnIsRefused() {
    assertRefused("INSERT INTO contacts (address) SELECT email FROM customers", UNSUPPORTED,
        EMAIL);
  }

  @Test
  void insertSelectFromPlainIntoEncryptedColumnIsRefused() {
    assertRefused("INSERT INTO customers (ssn) SELECT tax_id FROM staging", UNSUPPORTED, SSN);
  }

  @Test
  void insertSelectStarIntoEncryptedTableIsRefused() {
    assertRefused("INSERT INTO archive (id, email) SELECT * FROM staging", UNSUPPORTED,
        Fixtures.ARCHIVE_EMAIL);
  }

  @Test
  void updateSetFromPlainColumnIsRefused() {
    assertRefused("UPDATE customers SET ssn = name", UNSUPPORTED, SSN);
  }

  @Test
  void updateSetFromEncryptedIntoPlainColumnIsRefused() {
    assertRefused("UPDATE customers SET name = email", UNSUPPORTED, EMAIL);
  }

  @Test
  void updateSetBetweenDifferentContextsIsRefused() {
    assertRefused("UPDATE customers SET email = phone", UNSUPPORTED, EMAIL);
  }

  @Test
  void onConflictExcludedOfAnotherColumnIsRefused() {
    assertRefused("INSERT INTO customers (id, email, phone) VALUES (?, ?, ?) "
        + "ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.phone", UNSUPPORTED, EMAIL);
  }

  @Test
  void insertWithoutColumnListIntoEncryptedTableIsRefused() {
    VeilException refusal = assertRefused("INSERT INTO customers VALUES (?, ?, ?)", UNSUPPORTED,
        SSN);
    assertThat(refusal.getMessage()).contains("column list");
  }

  @Test
  void copyIntoEncryptedTableIsRefused() {
    assertRefused("COPY customers FROM STDIN", UNSUPPORTED, SSN);
  }

  @Test
  void copyOutOfEncryptedColumnIsRefused() {
    assertRefused("COPY public.customers (id, email) TO STDOUT", UNSUPPORTED, EMAIL);
  }

  @Test
  void copyOfQueryOverEncryptedTableIsRefused() {
    assertRefused("COPY (SELECT * FROM customers) TO STDOUT", UNSUPPORTED, SSN);
  }

  @Test
  void copyOfOnlyPlainColumnsIsAllowed() throws VeilException {
    Fixtures.analyzer().checkUnprepared("COPY customers (id, name) TO STDOUT");
  }

  @Test
  void unparseableSqlNamingEncryptedColumnIsRefused() {
    VeilException refusal = assertRefused("SELECT id FROM customers WHERE email = ? "
        + "AND name = E'it\\'s'", UNSUPPORTED, EMAIL);
    assertThat(refusal.getMessage()).contains("could not analyse");
  }

  @Test
  void unparseableSqlNotNamingEncryptedColumnPasses() throws VeilException {
    StatementPlan plan = Fixtures.plan("SELECT id FROM customers WHERE name = E'it\\'s'");
    assertThat(plan.isPlain()).isTrue();
  }

  @Test
  void mergeIntoEncryptedTableIsRefusedAsUnanalysable() {
    assertRefused("MERGE INTO customers c USING staging s ON c.id = s.id "
        + "WHEN MATCHED THEN UPDATE SET email = s.email", UNSUPPORTED, EMAIL);
  }

  @Test
  void oneParameterComparedWithTwoDifferentColumnsIsRefused() {
    assertRefused("SELECT id FROM customers WHERE ? IN (email, phone)", UNSUPPORTED, EMAIL);
  }

  @Test
  void functionOnEncryptedColumnInsideSubqueryIsRefused() {
    assertRefused("SELECT id FROM orders WHERE customer_id IN "
        + "(SELECT id FROM customers WHERE length(ssn) > 3)", UNSUPPORTED, SSN);
  }

  @Test
  void literalInCteIsRefused() {
    assertRefused("WITH x AS (SELECT id FROM customers WHERE email = 'cte@example.com') "
        + "SELECT * FROM x", PLAINTEXT, EMAIL, "cte@example.com");
  }
  @Test
  void windowOrderByOrPartitionByEncryptedColumnIsRefused() {
    assertRefused("SELECT row_number() OVER (ORDER BY email) FROM customers", UNSUPPORTED, EMAIL);
    assertRefused("SELECT count(*) OVER (PARTITION BY phone) FROM customers", UNSUPPORTED, PHONE);
  }

  @Test
  void aggregateOrderByEncryptedColumnIsRefused() {
    assertRefused("SELECT string_agg(name, ',' ORDER BY email) FROM customers", UNSUPPORTED,
        EMAIL);
  }

  @Test
  void copyAfterAnotherStatementInTheSameTextIsRefused() {
    assertRefused("SELECT id FROM customers WHERE email = ?; COPY customers TO STDOUT",
        UNSUPPORTED, SSN);
  }

  @Test
  void dollarQuotedTextJSqlParserCannotReadIsRefusedWhenItNamesEncryptedColumn() {
    assertRefused("SELECT id FROM customers WHERE email = ? AND name = $tag$ secret $tag$",
        UNSUPPORTED, EMAIL, "secret");
  }
}
