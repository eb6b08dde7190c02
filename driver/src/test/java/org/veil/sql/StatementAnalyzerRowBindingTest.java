package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.EncryptionMode;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Where the plan finds the binding value of each parameter of a row-bound column
 * ({@code :bind=id}), and the writes it refuses because the statement does not give one.
 */
class StatementAnalyzerRowBindingTest {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "people", "ssn",
      EncryptionMode.RANDOMIZED).boundBy("id");
  static final ColumnPolicy NOTES = ColumnPolicy.of("public", "people", "notes",
      EncryptionMode.RANDOMIZED).boundBy("id");
  static final ColumnPolicy PHONE = ColumnPolicy.of("public", "people", "phone",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "people", "email",
      EncryptionMode.DETERMINISTIC);
  /** Same context as people.ssn, and bound too: a copy of a cell could open there. */
  static final ColumnPolicy ARCHIVE_SSN = new ColumnPolicy("public", "archive", "ssn",
      EncryptionMode.RANDOMIZED, "public.people.ssn", "id");
  /** Same context as people.ssn, unbound. */
  static final ColumnPolicy LOOSE_SSN = new ColumnPolicy("public", "loose", "ssn",
      EncryptionMode.RANDOMIZED, "public.people.ssn");

  private static StatementPlan plan(String sql) throws VeilException {
    return new StatementAnalyzer(EncryptedColumns.of(
        List.of(SSN, NOTES, PHONE, EMAIL, ARCHIVE_SSN, LOOSE_SSN)), 100).analyzePrepared(sql);
  }

  private static VeilException refused(String sql, String... fragments) {
    return refusedFor(SSN, sql, fragments);
  }

  /** Asserts that {@code sql} is refused (42000) naming {@code column} and each fragment. */
  private static VeilException refusedFor(ColumnPolicy column, String sql, String... fragments) {
    VeilException e = catchThrowableOfType(VeilException.class, () -> plan(sql));
    assertThat((Throwable) e).as("refusal of %s", sql).isNotNull();
    assertThat(e.error()).as(sql).isEqualTo(VeilError.OPERATION_REFUSED);
    assertThat(e.getMessage()).as(sql).contains(column.qualifiedName());
    for (String fragment : fragments) {
      assertThat(e.getMessage()).as(sql).contains(fragment);
    }
    return e;
  }

  private static BindingSource parameter(int index) {
    return new BindingSource(index, null);
  }

  private static BindingSource literal(String text) {
    return new BindingSource(0, text);
  }

  @Test
  void insertTakesTheBindingValueFromTheBindingColumnsParameter() throws VeilException {
    StatementPlan plan = plan("INSERT INTO people (ssn, id, phone) VALUES (?, ?, ?)");
    assertThat(plan.bindsRows()).isTrue();
    assertThat(plan.parameter(1)).isEqualTo(SSN);
    assertThat(plan.bindingSource(1)).isEqualTo(parameter(2));
    assertThat(plan.bindingSource(2)).isNull();
    assertThat(plan.bindingSource(3)).isNull();
    assertThat(plan.bindingValueFor(2)).isEqualTo(SSN);
    assertThat(plan.bindingValueFor(1)).isNull();
    assertThat(plan.bindingValueFor(3)).isNull();
  }

  @Test
  void insertTakesALiteralBindingValue() throws VeilException {
    assertThat(plan("INSERT INTO people (id, ssn) VALUES (42, ?)").bindingSource(1))
        .isEqualTo(literal("42"));
    assertThat(plan("INSERT INTO people (id, ssn) VALUES (-7, ?)").bindingSource(1))
        .isEqualTo(literal("-7"));
    assertThat(plan("INSERT INTO people (id, ssn) VALUES ('O''Neil', ?)").bindingSource(1))
        .isEqualTo(literal("O'Neil"));
    assertThat(plan("INSERT INTO people (id, ssn) VALUES (?::int, ?)").bindingSource(2))
        .isEqualTo(parameter(1));
  }

  @Test
  void multiRowValuesBindEachRowToItsOwnBindingValue() throws VeilException {
    StatementPlan plan = plan("INSERT INTO people (id, ssn, notes) VALUES (?, ?, ?), (?, ?, ?)");
    assertThat(plan.bindingSource(2)).isEqualTo(parameter(1));
    assertThat(plan.bindingSource(3)).isEqualTo(parameter(1));
    assertThat(plan.bindingSource(5)).isEqualTo(parameter(4));
    assertThat(plan.bindingSource(6)).isEqualTo(parameter(4));
  }

  @Test
  void insertOfNullNeedsNoBindingValue() throws VeilException {
    StatementPlan plan = plan("INSERT INTO people (ssn, phone) VALUES (NULL, ?)");
    assertThat(plan.bindsRows()).isFalse();
    assertThat(plan.parameter(1)).isEqualTo(PHONE);
  }

  @Test
  void unboundColumnsOfTheSameTableNeedNoBindingValue() throws VeilException {
    StatementPlan plan = plan("INSERT INTO people (phone, email) VALUES (?, ?)");
    assertThat(plan.bindsRows()).isFalse();
    assertThat(plan.bindingSource(1)).isNull();
  }

  @Test
  void updateTakesTheBindingValueFromATopLevelWhereEquality() throws VeilException {
    assertThat(plan("UPDATE people SET ssn = ? WHERE id = ?").bindingSource(1))
        .isEqualTo(parameter(2));
    assertThat(plan("UPDATE people p SET ssn = ?, phone = ? WHERE p.name = ? AND ? = p.id"
        + " AND p.email = ?").bindingSource(1)).isEqualTo(parameter(4));
    assertThat(plan("UPDATE people SET ssn = ? WHERE (id = 42 AND name = ?)").bindingSource(1))
        .isEqualTo(literal("42"));
    assertThat(plan("UPDATE public.people SET ssn = ? WHERE people.id = ?").bindingSource(1))
        .isEqualTo(parameter(2));
  }

  @Test
  void updateThatSetsTheBindingColumnTakesTheNewValue() throws VeilException {
    StatementPlan plan = plan("UPDATE people SET id = ?, ssn = ?, notes = NULL WHERE id = ?");
    assertThat(plan.bindingSource(2)).isEqualTo(parameter(1));
    assertThat(plan.bindingValueFor(1)).isEqualTo(SSN);
    assertThat(plan.bindingValueFor(3)).isNull();
    StatementPlan both = plan("UPDATE people SET (ssn, id, notes) = (?, ?, ?) WHERE id = ?");
    assertThat(both.bindingSource(1)).isEqualTo(parameter(2));
    assertThat(both.bindingSource(3)).isEqualTo(parameter(2));
  }

  @Test
  void upsertKeepingTheInsertedBindingValueIsBound() throws VeilException {
    StatementPlan plan = plan("INSERT INTO people (id, ssn) VALUES (?, ?)"
        + " ON CONFLICT (id) DO UPDATE SET ssn = EXCLUDED.ssn");
    assertThat(plan.bindingSource(2)).isEqualTo(parameter(1));
    assertThat(plan("INSERT INTO people (id, ssn, email) VALUES (?, ?, ?) ON CONFLICT (email)"
        + " DO UPDATE SET id = EXCLUDED.id, ssn = EXCLUDED.ssn, notes = EXCLUDED.notes")
        .bindingSource(2)).isEqualTo(parameter(1));
    StatementPlan parameterInUpdate = plan("INSERT INTO people (id, ssn) VALUES (?, ?)"
        + " ON CONFLICT (id) DO UPDATE SET ssn = ?");
    assertThat(parameterInUpdate.bindingSource(2)).isEqualTo(parameter(1));
    assertThat(parameterInUpdate.bindingSource(3)).isEqualTo(parameter(1));
  }

  @Test
  void writesThroughCtesAreBoundToo() throws VeilException {
    StatementPlan plan = plan("WITH u AS (UPDATE people SET ssn = ? WHERE id = ? RETURNING id)"
        + " SELECT id FROM u");
    assertThat(plan.bindingSource(1)).isEqualTo(parameter(2));
  }

  @Test
  void planOfAnUnboundStatementHasNoBindings() throws VeilException {
    StatementPlan plan = plan("SELECT ssn, id FROM people WHERE id = ?");
    assertThat(plan.bindsRows()).isFalse();
    assertThat(plan.bindingValueFor(1)).isNull();
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void insertWithoutTheBindingColumnIsRefusedSayingWhatToAdd() {
    refused("INSERT INTO people (ssn, phone) VALUES (?, ?)", "public.people.id",
        "does not include id", "Add id to the column list");
  }

  @Test
  void bindingValueFromDefaultOrASequenceOrAnExpressionIsRefused() {
    refused("INSERT INTO people (id, ssn) VALUES (DEFAULT, ?)", "DEFAULT");
    refused("INSERT INTO people (id, ssn) VALUES (nextval('people_id_seq'), ?)",
        "a value the server computes");
    refused("INSERT INTO people (id, ssn) VALUES (? + 1, ?)", "a value the server computes");
    refused("INSERT INTO people (id, ssn) VALUES (NULL, ?)", "NULL binding value");
  }

  @Test
  void insertSelectOfARowBoundColumnIsRefused() {
    refused("INSERT INTO people (id, ssn) SELECT ?, ?", "INSERT ... SELECT", "from a query");
    refusedFor(ARCHIVE_SSN, "INSERT INTO archive (id, ssn) SELECT id, ssn FROM people",
        "INSERT ... SELECT");
  }

  @Test
  void updateWithoutEqualityOnTheBindingColumnIsRefused() {
    refused("UPDATE people SET ssn = ?", "no top-level condition id = ?",
        "Update one row at a time");
    refused("UPDATE people SET ssn = ? WHERE name = ?", "no top-level condition id = ?");
    refused("UPDATE people SET ssn = ? WHERE id > ?", "no top-level condition id = ?");
    refused("UPDATE people SET ssn = ? WHERE id = other_id", "compares id with");
  }

  @Test
  void updateWithInOnTheBindingColumnIsRefused() {
    refused("UPDATE people SET ssn = ? WHERE id IN (?, ?)", "id IN (...)");
  }

  @Test
  void updateWithTheBindingColumnUnderOrIsRefused() {
    refused("UPDATE people SET ssn = ? WHERE id = ? OR id = ?", "under OR");
    refused("UPDATE people SET ssn = ? WHERE name = ? AND (id = ? OR name = ?)", "under OR");
  }

  @Test
  void updateSettingTheBindingColumnToAnExpressionIsRefused() {
    refused("UPDATE people SET id = id + 1, ssn = ? WHERE id = ?", "it sets id");
    refused("UPDATE people SET id = DEFAULT, ssn = ? WHERE id = ?", "DEFAULT");
  }

  @Test
  void updateOfTheBindingColumnAloneIsRefusedSinceItsCellsWouldNoLongerOpen() {
    refused("UPDATE people SET id = ?, notes = ? WHERE id = ?", "without writing ssn",
        "SET id = ?, ssn = ?");
    refused("INSERT INTO people (id, ssn, email) VALUES (?, ?, ?) ON CONFLICT (email)"
        + " DO UPDATE SET id = EXCLUDED.id, notes = EXCLUDED.notes", "without writing ssn");
  }

  @Test
  void upsertSettingTheBindingColumnToItsOwnConflictValueChangesNothing() throws VeilException {
    StatementPlan plan = plan("INSERT INTO people (id, phone) VALUES (?, ?)"
        + " ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id, phone = EXCLUDED.phone");
    assertThat(plan.bindsRows()).isFalse();
  }

  @Test
  void updateCopyingACellFromAnotherRowIsRefused() {
    refused("UPDATE people SET ssn = (SELECT p.ssn FROM people p WHERE p.id = 1) WHERE id = 2",
        "cell of another row");
    refusedFor(ARCHIVE_SSN, "UPDATE archive a SET ssn = p.ssn FROM people p WHERE a.id = p.id",
        "cell of another row");
  }

  @Test
  void upsertThatMayUpdateARowWithAnotherBindingValueIsRefused() {
    refused("INSERT INTO people (id, ssn, email) VALUES (?, ?, ?) ON CONFLICT (email)"
        + " DO UPDATE SET ssn = EXCLUDED.ssn", "ON CONFLICT", "EXCLUDED.ssn",
        "ON CONFLICT (id)");
    refused("INSERT INTO people (id, ssn, email) VALUES (?, ?, ?) ON CONFLICT ON CONSTRAINT"
        + " people_email_key DO UPDATE SET ssn = EXCLUDED.ssn", "EXCLUDED.ssn");
    refused("INSERT INTO people (id, ssn, email) VALUES (?, ?, ?) ON CONFLICT (email)"
        + " DO UPDATE SET ssn = ?", "found by another column than id");
    refused("INSERT INTO people (id, ssn) VALUES (?, ?), (?, ?) ON CONFLICT (id)"
        + " DO UPDATE SET ssn = ?", "several rows");
  }

  @Test
  void cellOfABoundColumnCannotMoveToAnUnboundOneWithTheSameContext() {
    refusedFor(LOOSE_SSN, "UPDATE loose SET ssn = p.ssn FROM people p WHERE loose.id = p.id",
        "bound to its row by id");
  }

  @Test
  void aRowBoundParameterWhoseBindingValueNoRuleFoundIsRefusedNotPlannedUnbound() {
    ParameterBindings bindings = new ParameterBindings();
    bindings.startStatement(0, 1);
    bindings.bind(new net.sf.jsqlparser.expression.JdbcParameter(1, false, "?"), SSN);
    RefusedStatement refused = catchThrowableOfType(RefusedStatement.class,
        () -> bindings.sourcesArray(1));
    assertThat(refused.toVeilException().error()).isEqualTo(VeilError.OPERATION_REFUSED);
    assertThat(refused.getMessage()).contains("public.people.ssn").contains("public.people.id");
  }

  @Test
  void refusalsQuoteNoValueOfTheStatement() {
    VeilException e = refused("INSERT INTO people (id, ssn) VALUES (nextval('secret_seq'), ?)");
    assertThat(e.getMessage()).doesNotContain("secret_seq");
  }
}
