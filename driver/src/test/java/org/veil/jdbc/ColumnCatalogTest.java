package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.EncryptionMode;
import org.veil.catalog.StorageForm;

/**
 * How the catalog forgets a cached storage form when a column has been converted from text to
 * bytea. The catalog's one query is answered from a table of column types held here.
 */
class ColumnCatalogTest {

  private static final ColumnPolicy SSN = ColumnPolicy.of("public", "people", "ssn",
      EncryptionMode.RANDOMIZED);
  private static final ColumnPolicy NAME = ColumnPolicy.of("public", "people", "name",
      EncryptionMode.RANDOMIZED);
  private static final ColumnPolicy CARD = ColumnPolicy.of("public", "orders", "card",
      EncryptionMode.RANDOMIZED);

  /** schema.table.column → type name, as the database has it now. */
  private final Map<String, String> types = new ConcurrentHashMap<>(Map.of(
      "public.people.ssn", "text", "public.people.name", "text", "public.orders.card", "text"));
  private final List<List<String>> tablesAsked = new ArrayList<>();
  private final ColumnCatalog catalog = new ColumnCatalog(EncryptedColumns.of(
      List.of(SSN, NAME, CARD)));

  @Test
  void aCachedFormIsServedWithoutAskingTheDatabaseAgain() throws SQLException {
    assertThat(catalog.form(SSN, database())).isEqualTo(StorageForm.TEXT);
    types.put("public.people.ssn", "bytea");
    assertThat(catalog.form(SSN, database())).isEqualTo(StorageForm.TEXT);
    assertThat(tablesAsked).hasSize(1);
  }

  @Test
  void rereadReplacesTheCachedTextFormAndReportsTheColumnsNowBytea() throws SQLException {
    catalog.check(database());
    types.put("public.people.ssn", "bytea");

    assertThat(catalog.reread(List.of(SSN), database())).containsExactly(SSN);
    assertThat(catalog.form(SSN, database())).isEqualTo(StorageForm.BINARY);
  }

  @Test
  void rereadAlsoRefreshesTheOtherConfiguredColumnsOfTheSameTable() throws SQLException {
    catalog.check(database());
    types.put("public.people.ssn", "bytea");
    types.put("public.people.name", "bytea");

    assertThat(catalog.reread(List.of(SSN), database())).containsExactly(SSN);
    int asked = tablesAsked.size();
    assertThat(catalog.form(NAME, database())).isEqualTo(StorageForm.BINARY);
    assertThat(tablesAsked).as("no further query").hasSize(asked);
  }

  @Test
  void rereadAsksOnlyForTheTablesOfTheColumnsAndLeavesOthersCached() throws SQLException {
    catalog.check(database());
    types.put("public.people.ssn", "bytea");
    types.put("public.orders.card", "bytea");

    catalog.reread(List.of(SSN), database());

    assertThat(tablesAsked.get(tablesAsked.size() - 1)).containsExactly("people");
    assertThat(catalog.form(CARD, database())).isEqualTo(StorageForm.TEXT);
  }

  @Test
  void aColumnThatIsStillTextIsNotReportedConverted() throws SQLException {
    catalog.check(database());
    assertThat(catalog.reread(List.of(SSN, NAME), database())).isEmpty();
    assertThat(catalog.form(SSN, database())).isEqualTo(StorageForm.TEXT);
  }

  @Test
  void aTableMissingAtConnectIsMissingUntilTheCatalogShowsIt() throws SQLException {
    types.remove("public.orders.card");
    catalog.check(database());
    assertThat(catalog.missingTables()).containsExactly("public.orders");
    assertThat(catalog.stillMissing("public.orders", database())).isTrue();

    types.put("public.orders.card", "bytea");
    assertThat(catalog.stillMissing("public.orders", database())).isFalse();
    assertThat(catalog.missingTables()).isEmpty();
    int asked = tablesAsked.size();
    assertThat(catalog.form(CARD, database())).isEqualTo(StorageForm.BINARY);
    assertThat(tablesAsked).as("checked when found, no further query").hasSize(asked);
  }

  @Test
  void noTableIsMissingWhenAllExist() throws SQLException {
    catalog.check(database());
    assertThat(catalog.missingTables()).isEmpty();
  }

  /**
   * A connection that answers the catalog's column query from {@link #types}, filtered by the
   * schema and table arrays bound to it, and records the tables asked for; there are no views.
   */
  private Connection database() {
    return proxy(Connection.class, (name, args) -> switch (name) {
      case "prepareStatement" -> ((String) args[0]).contains("pg_depend")
          ? proxy(PreparedStatement.class, (query, unused) -> "executeQuery".equals(query)
              ? rows(java.util.Collections.emptyIterator()) : null)
          : statement();
      case "createArrayOf" -> array((Object[]) args[1]);
      default -> null;
    });
  }

  private PreparedStatement statement() {
    List<List<String>> bound = new ArrayList<>();
    return proxy(PreparedStatement.class, (name, args) -> switch (name) {
      case "setArray" -> {
        bound.add(Arrays.stream((Object[]) ((Array) args[1]).getArray())
            .map(String::valueOf).toList());
        yield null;
      }
      case "executeQuery" -> {
        tablesAsked.add(bound.get(1));
        List<String[]> rows = new ArrayList<>();
        types.forEach((column, type) -> {
          String[] parts = column.split("\\.");
          if (bound.get(0).contains(parts[0]) && bound.get(1).contains(parts[1])) {
            rows.add(new String[] {parts[0], parts[1], parts[2], type, "-1", "false", null, "0"});
          }
        });
        yield rows(rows.iterator());
      }
      default -> null;
    });
  }

  private static ResultSet rows(Iterator<String[]> rows) {
    String[][] current = new String[1][];
    return proxy(ResultSet.class, (name, args) -> switch (name) {
      case "next" -> {
        current[0] = rows.hasNext() ? rows.next() : null;
        yield current[0] != null;
      }
      case "getString" -> current[0][(Integer) args[0] - 1];
      case "getInt" -> Integer.parseInt(current[0][(Integer) args[0] - 1]);
      case "getBoolean" -> Boolean.parseBoolean(current[0][(Integer) args[0] - 1]);
      case "getLong" -> Long.parseLong(current[0][(Integer) args[0] - 1]);
      default -> null;
    });
  }

  private static Array array(Object[] elements) {
    return proxy(Array.class, (name, args) -> "getArray".equals(name) ? elements : null);
  }

  private interface Answer {
    Object answer(String method, Object[] args) throws Exception;
  }

  private static <T> T proxy(Class<T> type, Answer answer) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (self, method, args) -> answer.answer(method.getName(), args)));
  }
}
