package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Counting placeholders and splitting statements as pgjdbc does. */
class StatementSplitterTest {

  private static List<Integer> counts(String sql) {
    return StatementSplitter.split(sql).stream().map(SqlSegment::parameterCount).toList();
  }

  @Test
  void countsPlaceholdersOutsideLiteralsAndComments() {
    assertThat(counts("SELECT '?', \"?\", ? /* ? /* ? */ ? */ FROM t -- ?\n WHERE a = ?"))
        .containsExactly(2);
  }

  @Test
  void doubledQuotesStayInsideTheLiteral() {
    assertThat(counts("SELECT 'it''s ?' , ? FROM t")).containsExactly(1);
  }

  @Test
  void backslashEscapesApplyOnlyToEscapeStrings() {
    assertThat(counts("SELECT E'\\' ?', ? FROM t")).containsExactly(1);
    assertThat(counts("SELECT '\\', ? FROM t")).containsExactly(1);
  }

  @Test
  void dollarQuotedBodiesHoldNoPlaceholders() {
    assertThat(counts("SELECT $$ ? $$, $body$ ?; $body$, ? FROM t")).containsExactly(1);
  }

  @Test
  void doubleQuestionMarkIsAnEscapedOperator() {
    List<SqlSegment> segments = StatementSplitter.split("SELECT a ?? 'k', b ??| c, ? FROM t");
    assertThat(segments).hasSize(1);
    assertThat(segments.get(0).parameterCount()).isEqualTo(1);
    assertThat(segments.get(0).parserText()).doesNotContain("??");
  }

  @Test
  void splitsAtTopLevelSemicolonsOnly() {
    assertThat(counts("UPDATE t SET a = ?; SELECT ';', ? FROM t;; DELETE FROM t WHERE b = ?"))
        .containsExactly(1, 1, 1);
  }

  @Test
  void notesPlaceholderFollowedByDigit() {
    assertThat(StatementSplitter.split("SELECT ?1").get(0).parameterFollowedByDigit()).isTrue();
    assertThat(StatementSplitter.split("SELECT ?").get(0).parameterFollowedByDigit()).isFalse();
  }

  @Test
  void firstKeywordSkipsCommentsAndIsUpperCase() {
    assertThat(StatementSplitter.split("/* load */ copy t from stdin").get(0).firstKeyword())
        .isEqualTo("COPY");
  }
}
