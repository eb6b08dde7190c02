package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.EncryptionMode;

/** Which configured table an unqualified name means under a search path. */
class TableNamesTest {

  private final TableNames names = new TableNames(EncryptedColumns.of(List.of(
      ColumnPolicy.of("archive", "t", "sec", EncryptionMode.RANDOMIZED),
      ColumnPolicy.of("other", "t", "sec", EncryptionMode.RANDOMIZED),
      ColumnPolicy.of("public", "u", "sec", EncryptionMode.RANDOMIZED))));

  private static SearchPath path(List<String> schemas, Map<String, String> found) {
    return SearchPath.of(schemas, found, Set.of("t", "u"));
  }

  @Test
  void theSchemaWhereTheServerFoundTheNameWins() {
    assertThat(names.resolve("t", path(List.of("other", "archive"), Map.of("t", "archive"))))
        .isEqualTo("archive");
    assertThat(names.resolve("t", path(List.of("app", "other"), Map.of("t", "app"))))
        .isEqualTo("app");
  }

  @Test
  void aNameFoundNowhereMeansTheFirstConfiguredTableOnThePath() {
    assertThat(names.resolve("t", path(List.of("pg_catalog", "other", "archive"), Map.of())))
        .isEqualTo("other");
  }

  @Test
  void aNameFoundNowhereWithNoConfiguredSchemaOnThePathMeansTheFirstConfigured() {
    assertThat(names.resolve("t", path(List.of("pg_catalog", "public"), Map.of())))
        .isEqualTo("archive");
  }

  @Test
  void onlyConfiguredTableNamesNeedResolving() {
    assertThat(names.names()).containsExactlyInAnyOrder("t", "u");
    assertThat(names.isConfigured("v")).isFalse();
    assertThat(names.columnsNamed("t")).hasSize(2);
  }
}
