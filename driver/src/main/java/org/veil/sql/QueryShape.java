package org.veil.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.expression.Expression;
import org.veil.config.ColumnPolicy;

/**
 * The output columns of a checked query, as far as encryption cares: for each row source (each
 * branch of a UNION, each row of a VALUES list) the expression that produces each output column.
 *
 * @param rows one list of outputs per branch or VALUES row, in select-list order
 * @param hasStar whether a {@code *} made the positions of the outputs unknown; the outputs then
 *     hold only the encrypted columns that {@code *} expanded to, in no particular position
 */
record QueryShape(List<List<Output>> rows, boolean hasStar) {

  static final QueryShape EMPTY = new QueryShape(List.of(), false);

  /**
   * One output column.
   *
   * @param name its name (alias, column name), or null when PostgreSQL would invent one
   * @param expression the expression producing it; null for a column reached through *
   * @param scope where the expression's names resolve
   * @param column the encrypted column it passes through unchanged, or null
   */
  record Output(String name, Expression expression, Scope scope, ColumnPolicy column) {}

  /** The outputs of a query with one column (and known positions), or null. */
  List<Output> singleColumn() {
    if (hasStar || rows.isEmpty()) {
      return null;
    }
    List<Output> firstColumn = new ArrayList<>();
    for (List<Output> row : rows) {
      if (row.size() != 1) {
        return null;
      }
      firstColumn.add(row.get(0));
    }
    return firstColumn;
  }

  List<ColumnPolicy> encryptedOutputs() {
    List<ColumnPolicy> encrypted = new ArrayList<>();
    for (List<Output> row : rows) {
      for (Output output : row) {
        if (output.column() != null) {
          encrypted.add(output.column());
        }
      }
    }
    return encrypted;
  }

  /**
   * The encrypted output columns by name, as a derived table or CTE exposes them; {@code renames}
   * (an alias column list, possibly empty) renames the outputs by position.
   */
  Map<String, ColumnPolicy> encryptedByName(List<String> renames) {
    Map<String, ColumnPolicy> byName = new LinkedHashMap<>();
    if (rows.isEmpty()) {
      return byName;
    }
    if (!renames.isEmpty() && hasStar && !encryptedOutputs().isEmpty()) {
      throw new UnanalysableStatement("column aliases over *");
    }
    List<Output> first = rows.get(0);
    for (int i = 0; i < first.size(); i++) {
      Output output = first.get(i);
      String name = i < renames.size() ? renames.get(i) : output.name();
      if (output.column() != null && name != null) {
        byName.put(name, output.column());
      }
    }
    return byName;
  }
}
