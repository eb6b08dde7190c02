package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NamedArgumentsTest {

  @Test
  void namedNotationGivesTheIndexOfTheParameterAsPgjdbcNumbersIt() {
    assertThat(NamedArguments.of("{? = call f(p_a => ?, p_b := ?, ?)}"))
        .isEqualTo(Map.of("p_a", 2, "p_b", 3));
    assertThat(NamedArguments.of("CALL p(P_Id=>?, p_ssn =>  ?)"))
        .isEqualTo(Map.of("p_id", 1, "p_ssn", 2));
  }

  @Test
  void quotedNamesKeepTheirCase() {
    assertThat(NamedArguments.of("SELECT f(\"P_Name\" => ?)")).isEqualTo(Map.of("P_Name", 1));
  }

  @Test
  void questionMarksInStringsCommentsDollarQuotesAndPgjdbcEscapesAreNotParameters() {
    assertThat(NamedArguments.of("SELECT f(x => '?', y => ?) -- z => ?\n, g(w => ?)"))
        .isEqualTo(Map.of("y", 1, "w", 2));
    assertThat(NamedArguments.of("SELECT $$ a => ? $$, j ?? 'k', f(p => /* ? */ ?)"))
        .isEqualTo(Map.of("p", 1));
    assertThat(NamedArguments.of("SELECT E'it\\'s ?', f(p => ?)")).isEqualTo(Map.of("p", 1));
  }

  @Test
  void argumentsPassedByPositionOrAsExpressionsHaveNoName() {
    assertThat(NamedArguments.of("{call f(?, ?)}")).isEmpty();
    assertThat(NamedArguments.of("SELECT f(p => lower(?))")).isEmpty();
    assertThat(NamedArguments.of("SELECT * FROM t WHERE a = ?")).isEmpty();
  }
}
