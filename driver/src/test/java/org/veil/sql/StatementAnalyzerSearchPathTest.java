package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.EncryptionMode;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/** Unqualified table names mean the table the session's search path finds. */
class StatementAnalyzerSearchPathTest {

  private static final ColumnPolicy PUBLIC_SEC = ColumnPolicy.of("public", "ledger", "sec",
      EncryptionMode.RANDOMIZED);
  private static final ColumnPolicy PUBLIC_TAG = ColumnPolicy.of("public", "ledger", "tag",
      EncryptionMode.DETERMINISTIC);
  private static final ColumnPolicy OTHER_SEC = ColumnPolicy.of("other", "ledger", "sec",
      EncryptionMode.RANDOMIZED);
  private static final ColumnPolicy OTHER_TAG = ColumnPolicy.of("other", "ledger", "tag",
      EncryptionMode.DETERMINISTIC);
  private static final ColumnPolicy CARD = ColumnPolicy.of("billing", "cards", "number",
      EncryptionMode.DETERMINISTIC);

  private static final EncryptedColumns COLUMNS = EncryptedColumns.of(
      List.of(PUBLIC_SEC, PUBLIC_TAG, OTHER_SEC, OTHER_TAG, CARD));

  private static final String INSERT = "INSERT INTO ledger (id, sec, tag) VALUES (?, ?, ?)";

  private final StatementAnalyzer analyzer = new StatementAnalyzer(COLUMNS, 100);

  /** A session whose path is {@code schemas}, where {@code found} says which relations exist. */
  private static final class Session implements SearchPathSource {
    final SearchPath path;
    int asked;

    Session(List<String> schemas, Map<String, String> found) {
      this.path = SearchPath.of(schemas, found, Set.of("ledger", "cards"));
    }

    @Override
    public SearchPath searchPath(Set<String> names) {
      asked++;
      assertThat(names).contains("ledger", "cards");
      return path;
    }
  }

  private static Session on(String schema) {
    return new Session(List.of("pg_catalog", schema), Map.of("ledger", schema));
  }

  private static final SearchPathSource NO_SESSION = names -> {
    throw new AssertionError("the search path was asked for");
  };

  private static ColumnPolicy[] bindings(StatementPlan plan) {
    ColumnPolicy[] columns = new ColumnPolicy[plan.parameterCount()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = plan.parameter(i + 1);
    }
    return columns;
  }

  @Test
  void unqualifiedNameBindsTheTableOfTheSchemaTheSessionResolvesItTo() throws VeilException {
    assertThat(bindings(analyzer.analyzePrepared(INSERT, on("other"))))
        .containsExactly(null, OTHER_SEC, OTHER_TAG);
    assertThat(bindings(analyzer.analyzePrepared(INSERT, on("public"))))
        .containsExactly(null, PUBLIC_SEC, PUBLIC_TAG);
  }

  @Test
  void sameTextUnderTwoSearchPathsIsParsedOncePerResolution() throws VeilException {
    List<StatementPlan> plans = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      plans.add(analyzer.analyzePrepared(INSERT, on("public")));
      plans.add(analyzer.analyzePrepared(INSERT, on("other")));
    }
    assertThat(analyzer.parseCount()).isEqualTo(2);
    assertThat(plans.get(2)).isSameAs(plans.get(0));
    assertThat(plans.get(3)).isSameAs(plans.get(1));
    assertThat(plans.get(0).bindsLike(plans.get(1))).isFalse();
    assertThat(plans.get(0).dependsOnSearchPath()).isTrue();
  }

  @Test
  void whereClauseOnDeterministicColumnBindsTheResolvedTablesColumn() throws VeilException {
    StatementPlan plan = analyzer.analyzePrepared("UPDATE ledger SET sec = ? WHERE tag = ?",
        on("other"));
    assertThat(bindings(plan)).containsExactly(OTHER_SEC, OTHER_TAG);
  }

  @Test
  void plainTableEarlierOnThePathShadowsTheEncryptedOne() throws VeilException {
    Session shadowed = new Session(List.of("pg_catalog", "app", "other"),
        Map.of("ledger", "app"));
    StatementPlan plan = analyzer.analyzePrepared(INSERT, shadowed);
    assertThat(plan.isPlain()).isTrue();
    assertThat(plan.dependsOnSearchPath()).isTrue();
  }

  @Test
  void temporaryTableShadowsTheEncryptedOne() throws VeilException {
    Session temp = new Session(List.of("pg_temp_3", "pg_catalog", "public"),
        Map.of("ledger", "pg_temp_3"));
    assertThat(analyzer.analyzePrepared(INSERT, temp).isPlain()).isTrue();
  }

  @Test
  void nameThatResolvesToNoTableIsSealedForTheFirstConfiguredTableOnThePath()
      throws VeilException {
    Session none = new Session(List.of("pg_catalog", "app", "other", "public"), Map.of());
    assertThat(bindings(analyzer.analyzePrepared(INSERT, none)))
        .containsExactly(null, OTHER_SEC, OTHER_TAG);
  }

  @Test
  void nameThatResolvesToNoTableOffThePathIsSealedForTheConfiguredTable() throws VeilException {
    Session none = new Session(List.of("pg_catalog", "public"), Map.of());
    StatementPlan plan = analyzer.analyzePrepared(
        "SELECT id FROM cards WHERE number = ?", none);
    assertThat(bindings(plan)).containsExactly(CARD);
  }

  @Test
  void qualifiedNamesNeedNoSearchPath() throws VeilException {
    StatementPlan plan = analyzer.analyzePrepared(
        "INSERT INTO other.ledger (id, sec) VALUES (?, ?)", NO_SESSION);
    assertThat(bindings(plan)).containsExactly(null, OTHER_SEC);
    assertThat(plan.dependsOnSearchPath()).isFalse();
  }

  @Test
  void textNamingNoEncryptedTableNeedsNoSearchPathAndIsNotParsed() throws VeilException {
    StatementPlan plan = analyzer.analyzePrepared("SELECT id FROM products WHERE id = ?",
        NO_SESSION);
    assertThat(plan).isSameAs(StatementPlan.PLAIN);
    assertThat(analyzer.parseCount()).isZero();
  }

  @Test
  void cteOfTheSameNameNeedsNoSearchPath() throws VeilException {
    StatementPlan plan = analyzer.analyzePrepared(
        "WITH ledger AS (SELECT 1 AS sec) SELECT sec FROM ledger WHERE sec = ?", NO_SESSION);
    assertThat(plan.dependsOnSearchPath()).isFalse();
  }

  @Test
  void cachedPlanAsksTheSessionOncePerLookup() throws VeilException {
    Session other = on("other");
    analyzer.analyzePrepared(INSERT, other);
    analyzer.analyzePrepared(INSERT, other);
    analyzer.analyzePrepared("SELECT sec FROM ledger WHERE tag = ?", other);
    assertThat(other.asked).isEqualTo(3);
  }

  @Test
  void refreshGivesThePlanForThePathNow() throws VeilException {
    StatementPlan onPublic = analyzer.analyzePrepared(INSERT, on("public"));
    assertThat(analyzer.refresh(onPublic, on("public"))).isSameAs(onPublic);
    assertThat(bindings(analyzer.refresh(onPublic, on("other"))))
        .containsExactly(null, OTHER_SEC, OTHER_TAG);
    StatementPlan qualified = analyzer.analyzePrepared(
        "INSERT INTO other.ledger (id, sec) VALUES (?, ?)", NO_SESSION);
    assertThat(analyzer.refresh(qualified, NO_SESSION)).isSameAs(qualified);
  }

  @Test
  void literalIsRefusedForTheTableTheNameResolvesTo() throws VeilException {
    String sql = "INSERT INTO ledger (id, sec) VALUES (1, 'secret-value')";
    VeilException refusal = catchThrowableOfType(VeilException.class,
        () -> analyzer.checkUnprepared(sql, on("other")));
    assertThat(refusal.error()).isEqualTo(VeilError.PLAINTEXT_REFUSED);
    assertThat(refusal.getMessage()).contains("other.ledger.sec")
        .doesNotContain("secret-value");
    Session shadowed = new Session(List.of("pg_catalog", "app", "other"),
        Map.of("ledger", "app"));
    assertThat(analyzer.checkUnprepared(sql, shadowed).isPlain()).isTrue();
  }

  @Test
  void copyOfUnqualifiedNameIsRefusedForTheResolvedTable() {
    VeilException refusal = catchThrowableOfType(VeilException.class,
        () -> analyzer.analyzePrepared("COPY ledger FROM STDIN", on("other")));
    assertThat(refusal.getMessage()).contains("other.ledger.sec")
        .doesNotContain("public.ledger");
  }

  @Test
  void nameAfterAStatementThatSetsTheSearchPathInTheSameTextIsRefused() {
    for (String sql : List.of(
        "SET search_path = other; INSERT INTO ledger (id, sec) VALUES (?, ?)",
        "SELECT set_config('search_path', 'other', false); SELECT sec FROM ledger",
        "DROP TABLE app.ledger; INSERT INTO ledger (id) VALUES (?)",
        "COMMIT; INSERT INTO ledger (id) VALUES (?)")) {
      VeilException refusal = catchThrowableOfType(VeilException.class,
          () -> analyzer.analyzePrepared(sql, on("public")));
      assertThat((Throwable) refusal).as(sql).isNotNull();
      assertThat(refusal.error()).isEqualTo(VeilError.SEARCH_PATH_CHANGED);
      assertThat(refusal.getMessage()).contains("public.ledger.sec", "other.ledger.sec");
    }
  }

  @Test
  void qualifiedNameAfterAStatementThatSetsTheSearchPathIsAllowed() throws VeilException {
    StatementPlan plan = analyzer.analyzePrepared(
        "SET search_path = other; INSERT INTO other.ledger (id, sec) VALUES (?, ?)",
        on("public"));
    assertThat(bindings(plan)).containsExactly(null, OTHER_SEC);
    assertThat(plan.sessionEffects() & SessionEffects.SEARCH_PATH).isNotZero();
  }

  @Test
  void searchPathTheSessionCannotTellRefusesWithItsStateNamingTheColumns() {
    SearchPathSource failed = names -> {
      throw new SQLException("the transaction has failed", "25P02");
    };
    VeilException refusal = catchThrowableOfType(VeilException.class,
        () -> analyzer.analyzePrepared(INSERT, failed));
    assertThat(refusal.error()).isEqualTo(VeilError.SEARCH_PATH_UNREADABLE);
    assertThat(((SQLException) refusal.getCause()).getSQLState()).isEqualTo("25P02");
    assertThat(refusal.getMessage()).contains("public.ledger.sec", "other.ledger.sec",
        "the transaction has failed");
  }

  @Test
  void plainTextCarriesItsSessionEffectsWithoutBeingParsed() throws VeilException {
    assertThat(analyzer.analyzePrepared("SET search_path = other", NO_SESSION).sessionEffects())
        .isEqualTo(SessionEffects.SEARCH_PATH);
    assertThat(analyzer.analyzePrepared("COMMIT", NO_SESSION).sessionEffects())
        .isEqualTo(SessionEffects.TRANSACTION_END);
    assertThat(analyzer.parseCount()).isZero();
  }

  @Test
  void ddlOnAnEncryptedTableCarriesItsEffect() throws VeilException {
    StatementPlan plan = analyzer.analyzePrepared("CREATE TABLE app.ledger (id int)",
        NO_SESSION);
    assertThat(plan.sessionEffects()).isEqualTo(SessionEffects.CATALOG);
  }
}
