package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VeilRuntimeTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "CREATE VIEW v AS SELECT ssn FROM customers",
      "  create or replace view v as select 1",
      "-- migration 7\nCREATE MATERIALIZED VIEW m AS SELECT 1",
      "/* note */ DROP VIEW v",
      "ALTER VIEW v RENAME COLUMN a TO b",
  })
  void ddlOnViewsIsRecognised(String sql) {
    assertThat(VeilRuntime.mayChangeViews(sql)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT * FROM customer_view",
      "INSERT INTO review (id) VALUES (1)",
      "CREATE TABLE t (id int)",
      "",
  })
  void queriesAndOtherDdlAreNot(String sql) {
    assertThat(VeilRuntime.mayChangeViews(sql)).isFalse();
  }
}
