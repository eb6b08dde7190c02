package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.veil.sql.Fixtures.ARCHIVE_EMAIL;
import static org.veil.sql.Fixtures.CARD_NUMBER;
import static org.veil.sql.Fixtures.COLUMNS;
import static org.veil.sql.Fixtures.EMAIL;
import static org.veil.sql.Fixtures.PHONE;
import static org.veil.sql.Fixtures.SSN;
import static org.veil.sql.Fixtures.bindings;
import static org.veil.sql.Fixtures.plan;

import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.error.VeilException;

/** Which {@code ?} binds which encrypted column, for each statement shape Veil supports. */
class StatementAnalyzerParameterTest {

  private static ColumnPolicy[] of(ColumnPolicy... columns) {
    return columns;
  }

  @Test
  void statementOnUnrelatedTableIsNeverParsed() throws VeilException {
    StatementAnalyzer analyzer = new StatementAnalyzer(COLUMNS, 10);
    StatementPlan plan = analyzer.analyzePrepared("SELECT * FROM products WHERE price < ?");
    assertThat(plan).isSameAs(StatementPlan.PLAIN);
    assertThat(analyzer.parseCount()).isZero();
  }

  @Test
  void sameSqlTextIsParsedOnce() throws VeilException {
    StatementAnalyzer analyzer = new StatementAnalyzer(COLUMNS, 10);
    String sql = "SELECT id FROM customers WHERE email = ?";
    StatementPlan first = analyzer.analyzePrepared(sql);
    StatementPlan second = analyzer.analyzePrepared(sql);
    assertThat(second).isSameAs(first);
    assertThat(analyzer.parseCount()).isEqualTo(1);
  }

  @Test
  void statementOnEncryptedTableTouchingOnlyPlainColumnsIsPlain() throws VeilException {
    StatementPlan plan = plan("SELECT id FROM customers WHERE id = ? AND name = ?");
    assertThat(plan.isPlain()).isTrue();
    assertThat(plan.parameterCount()).isEqualTo(2);
    assertThat(plan.parameter(1)).isNull();
    assertThat(plan.parameter(2)).isNull();
  }

  @Test
  void insertWithColumnListBindsEachParameterToItsColumn() throws VeilException {
    assertThat(bindings("INSERT INTO customers (id, ssn, name, email) VALUES (?, ?, ?, ?)"))
        .containsExactly(null, SSN, null, EMAIL);
  }

  @Test
  void insertWithMultiRowValuesBindsEveryRow() throws VeilException {
    assertThat(bindings("INSERT INTO customers (ssn, id) VALUES (?, ?), (?, ?), (?, ?)"))
        .containsExactly(SSN, null, SSN, null, SSN, null);
  }

  @Test
  void insertOnConflictDoUpdateWithExcludedSameColumnIsAllowed() throws VeilException {
    assertThat(bindings("INSERT INTO customers (id, email) VALUES (?, ?) "
        + "ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email"))
        .containsExactly(null, EMAIL);
  }

  @Test
  void insertOnConflictDoUpdateSetParameterBindsTheColumn() throws VeilException {
    assertThat(bindings("INSERT INTO customers (id, email) VALUES (?, ?) "
        + "ON CONFLICT (email) DO UPDATE SET ssn = ?, name = ? WHERE customers.phone = ?"))
        .containsExactly(null, EMAIL, SSN, null, PHONE);
  }

  @Test
  void insertWithReturningKeepsTheBindings() throws VeilException {
    assertThat(bindings("INSERT INTO customers (ssn, name) VALUES (?, ?) RETURNING id, ssn"))
        .containsExactly(SSN, null);
  }

  @Test
  void insertWithNullAndDefaultForEncryptedColumnsIsAllowed() throws VeilException {
    assertThat(bindings("INSERT INTO customers (ssn, email, id) VALUES (NULL, DEFAULT, ?)"))
        .containsExactly((ColumnPolicy) null);
  }

  @Test
  void insertIntoSchemaQualifiedTableBindsItsColumn() throws VeilException {
    assertThat(bindings("INSERT INTO billing.cards (id, number) VALUES (?, ?)"))
        .containsExactly(null, CARD_NUMBER);
  }

  @Test
  void parameterCastToAColumnTypeStillBinds() throws VeilException {
    assertThat(bindings("INSERT INTO customers (ssn) VALUES (CAST(? AS bytea))"))
        .containsExactly(SSN);
  }

  @Test
  void updateSetWithAliasBindsColumns() throws VeilException {
    assertThat(bindings("UPDATE customers AS c SET ssn = ?, name = ? WHERE c.id = ?"))
        .containsExactly(SSN, null, null);
  }

  @Test
  void updateOfSchemaQualifiedTableWithMixedCaseNamesFoldsUnquotedNames() throws VeilException {
    assertThat(bindings("UPDATE Billing.Cards SET NUMBER = ? WHERE Id = ?"))
        .containsExactly(CARD_NUMBER, null);
  }

  @Test
  void quotedLowerCaseIdentifiersMatchTheColumn() throws VeilException {
    assertThat(bindings("UPDATE \"public\".\"customers\" SET \"ssn\" = ? WHERE \"email\" = ?"))
        .containsExactly(SSN, EMAIL);
  }

  @Test
  void quotedMixedCaseIdentifiersKeepTheirCaseAndNameOtherColumns() throws VeilException {
    assertThat(bindings("UPDATE customers SET \"SSN\" = ? WHERE id = ?"))
        .containsExactly(null, null);
    assertThat(bindings("INSERT INTO \"Customers\" (ssn) VALUES (?)"))
        .containsExactly((ColumnPolicy) null);
  }

  @Test
  void updateWithRowAssignmentBindsByPosition() throws VeilException {
    assertThat(bindings("UPDATE customers SET (name, email) = (?, ?) WHERE id = ?"))
        .containsExactly(null, EMAIL, null);
  }

  @Test
  void updateFromAnotherTableBindsTargetAndWhereColumns() throws VeilException {
    assertThat(bindings("UPDATE customers c SET email = ? FROM orders o "
        + "WHERE o.customer_id = c.id AND o.total = ? AND c.phone = ?"))
        .containsExactly(EMAIL, null, PHONE);
  }

  @Test
  void whereEqualityOnDeterministicColumnBinds() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE email = ?")).containsExactly(EMAIL);
  }

  @Test
  void parameterOnTheLeftOfEqualityBinds() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE ? = email")).containsExactly(EMAIL);
  }

  @Test
  void notEqualsInBothSpellingsBinds() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE email <> ? AND phone != ?"))
        .containsExactly(EMAIL, PHONE);
  }

  @Test
  void inListBindsEveryParameter() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE email IN (?, ?, ?) AND id = ?"))
        .containsExactly(EMAIL, EMAIL, EMAIL, null);
  }

  @Test
  void inListFollowedByOrIsRepairedBeforeBinding() throws VeilException {
    // JSqlParser 5.3 parses "a IN (...) OR b = ?" as "a IN ((...) OR b = ?)".
    assertThat(bindings("SELECT id FROM customers WHERE id IN (?, ?) OR email = ? OR name = ?"))
        .containsExactly(null, null, EMAIL, null);
  }

  @Test
  void notInListBinds() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE email NOT IN (?, ?)"))
        .containsExactly(EMAIL, EMAIL);
  }

  @Test
  void isNullAndIsNotNullOnEncryptedColumnsAreAllowed() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE ssn IS NULL AND email IS NOT NULL "
        + "AND id = ?")).containsExactly((ColumnPolicy) null);
  }

  @Test
  void isDistinctFromBindsLikeEquality() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE email IS NOT DISTINCT FROM ?"))
        .containsExactly(EMAIL);
  }

  @Test
  void joinQualifiedByAliasBindsTheRightTable() throws VeilException {
    assertThat(bindings("SELECT c.id, a.id FROM customers c JOIN accounts a ON a.owner = c.id "
        + "WHERE c.email = ? AND a.email = ? AND a.kind = ?"))
        .containsExactly(EMAIL, Fixtures.ACCOUNT_EMAIL, null);
  }

  @Test
  void unqualifiedColumnResolvesToTheOnlyTableEncryptingThatName() throws VeilException {
    assertThat(bindings("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id "
        + "WHERE phone = ? AND total > ?")).containsExactly(PHONE, null);
  }

  @Test
  void joinOnDeterministicColumnsWithEqualContextsIsAllowed() throws VeilException {
    assertThat(bindings("SELECT c.id FROM customers c JOIN archive a ON a.email = c.email "
        + "WHERE a.id = ?")).containsExactly((ColumnPolicy) null);
  }

  @Test
  void cteBindsThroughToTheBaseColumn() throws VeilException {
    assertThat(bindings("WITH recent AS (SELECT id, email FROM customers WHERE created > ?) "
        + "SELECT id FROM recent WHERE email = ?")).containsExactly(null, EMAIL);
  }

  @Test
  void derivedTableBindsThroughItsAlias() throws VeilException {
    assertThat(bindings("SELECT d.id FROM (SELECT id, phone AS p FROM customers) d "
        + "WHERE d.p = ?")).containsExactly(PHONE);
  }

  @Test
  void inSubqueryBindsInsideTheSubquery() throws VeilException {
    assertThat(bindings("SELECT id FROM orders WHERE customer_id IN "
        + "(SELECT id FROM customers WHERE email = ?) AND total > ?"))
        .containsExactly(EMAIL, null);
  }

  @Test
  void inSubquerySelectingAnEncryptedColumnBindsTheOuterParameter() throws VeilException {
    assertThat(bindings("SELECT 1 FROM customers WHERE ? IN (SELECT email FROM archive)"))
        .containsExactly(ARCHIVE_EMAIL);
  }

  @Test
  void correlatedExistsBindsAgainstTheOuterTable() throws VeilException {
    assertThat(bindings("SELECT c.id FROM customers c WHERE EXISTS "
        + "(SELECT 1 FROM orders o WHERE o.customer_id = c.id AND c.email = ? AND o.total = ?)"))
        .containsExactly(EMAIL, null);
  }

  @Test
  void deleteWhereOnDeterministicColumnBinds() throws VeilException {
    assertThat(bindings("DELETE FROM customers WHERE email = ? AND id = ?"))
        .containsExactly(EMAIL, null);
  }

  @Test
  void deleteUsingAnotherTableBinds() throws VeilException {
    assertThat(bindings("DELETE FROM orders o USING customers c "
        + "WHERE o.customer_id = c.id AND c.phone = ? RETURNING o.id"))
        .containsExactly(PHONE);
  }

  @Test
  void limitAndOffsetParametersStayPlain() throws VeilException {
    assertThat(bindings("SELECT ssn FROM customers WHERE email = ? LIMIT ? OFFSET ?"))
        .containsExactly(EMAIL, null, null);
  }

  @Test
  void selectingEncryptedColumnsWithAliasesAndCountIsAllowed() throws VeilException {
    assertThat(bindings("SELECT ssn AS s, c.email, count(ssn), count(*) FROM customers c "
        + "WHERE c.id = ?")).containsExactly((ColumnPolicy) null);
  }

  @Test
  void questionMarksInLiteralsCommentsAndQuotedNamesAreNotParameters() throws VeilException {
    assertThat(bindings("SELECT '?' AS \"a?\" FROM customers /* ? */ WHERE name = '?' "
        + "-- ?\n AND email = ?")).containsExactly(EMAIL);
  }

  @Test
  void escapedQuestionMarkOperatorIsNotAParameter() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE tags ?? 'vip' AND email = ?"))
        .containsExactly(EMAIL);
  }

  @Test
  void multiStatementTextNumbersParametersAcrossStatements() throws VeilException {
    assertThat(bindings("UPDATE customers SET ssn = ? WHERE id = ?; "
        + "SELECT 1 FROM products WHERE id = ?; DELETE FROM customers WHERE email = ?"))
        .containsExactly(SSN, null, null, EMAIL);
  }

  @Test
  void insertSelectBetweenColumnsOfTheSameContextIsAllowed() throws VeilException {
    assertThat(bindings("INSERT INTO archive (id, email) SELECT id, email FROM customers "
        + "WHERE id = ?")).containsExactly((ColumnPolicy) null);
  }

  @Test
  void insertSelectWithParameterForEncryptedColumnBinds() throws VeilException {
    assertThat(bindings("INSERT INTO customers (id, ssn) SELECT id, ? FROM staging WHERE id = ?"))
        .containsExactly(SSN, null);
  }

  @Test
  void updateSetToTheSameColumnIsAllowed() throws VeilException {
    assertThat(bindings("UPDATE archive a SET email = c.email FROM customers c "
        + "WHERE c.id = a.id AND a.id = ?")).containsExactly((ColumnPolicy) null);
  }

  @Test
  void ddlPassesThroughUntouched() throws VeilException {
    assertThat(plan("CREATE INDEX customers_email ON customers (email)").isPlain()).isTrue();
    assertThat(plan("ALTER TABLE customers ADD COLUMN ssn2 bytea").isPlain()).isTrue();
    assertThat(plan("TRUNCATE customers").isPlain()).isTrue();
    assertThat(plan("DROP TABLE customers").isPlain()).isTrue();
  }
  @Test
  void dataModifyingCteBindsItsParameters() throws VeilException {
    assertThat(bindings("WITH moved AS (DELETE FROM customers WHERE email = ? RETURNING email) "
        + "INSERT INTO archive (email) SELECT email FROM moved")).containsExactly(EMAIL);
  }

  @Test
  void rowComparisonBindsByPosition() throws VeilException {
    assertThat(bindings("SELECT id FROM customers c WHERE (c.email, c.id) IN ((?, ?), (?, ?))"))
        .containsExactly(EMAIL, null, EMAIL, null);
  }

  @Test
  void scalarSubqueryOfSameContextColumnIsAllowed() throws VeilException {
    assertThat(bindings("SELECT id FROM customers WHERE email = "
        + "(SELECT email FROM archive WHERE id = ?)")).containsExactly((ColumnPolicy) null);
  }

  @Test
  void joinUsingColumnsOfSameContextIsAllowed() throws VeilException {
    assertThat(bindings("SELECT 1 FROM customers JOIN archive USING (email) WHERE phone = ?"))
        .containsExactly(PHONE);
  }

  @Test
  void countOfEncryptedColumnAsWindowIsAllowed() throws VeilException {
    assertThat(bindings("SELECT count(ssn) OVER (PARTITION BY id) FROM customers WHERE id = ?"))
        .containsExactly((ColumnPolicy) null);
  }

  @Test
  void explainIsAnalysedLikeItsStatement() throws VeilException {
    assertThat(bindings("EXPLAIN SELECT id FROM customers WHERE email = ?"))
        .containsExactly(EMAIL);
  }
}
