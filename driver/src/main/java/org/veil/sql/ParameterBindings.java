package org.veil.sql;

import java.util.HashMap;
import java.util.Map;
import net.sf.jsqlparser.expression.JdbcParameter;
import org.veil.config.ColumnPolicy;

/**
 * The encrypted column each {@code ?} of one SQL text binds, and for a row-bound column where its
 * binding value is, collected while its statements are checked. JSqlParser numbers the placeholders of each statement from 1; {@link #startStatement}
 * shifts them to pgjdbc's numbering over the whole text. Not thread-safe: one per analysis.
 */
final class ParameterBindings {

  private final Map<Integer, ColumnPolicy> byIndex = new HashMap<>();
  /** Where the binding value of each row-bound parameter is, by parameter. */
  private final Map<Integer, BindingSource> sources = new HashMap<>();
  /** Parameters that hold a binding value, and a row-bound column whose they hold. */
  private final Map<Integer, ColumnPolicy> holdsBindingOf = new HashMap<>();
  private int offset;
  private int statementParameters;
  private boolean boundInStatement;

  void startStatement(int firstIndexOffset, int parameterCount) {
    offset = firstIndexOffset;
    statementParameters = parameterCount;
    boundInStatement = false;
  }

  void bind(JdbcParameter parameter, ColumnPolicy column) {
    int index = parameter.getIndex();
    if (index < 1 || index > statementParameters) {
      throw new UnanalysableStatement("parameter numbering disagrees with pgjdbc's");
    }
    ColumnPolicy previous = byIndex.putIfAbsent(offset + index, column);
    if (previous != null && !previous.equals(column)) {
      throw RefusedStatement.parameterBindsTwoColumns(previous, column);
    }
    boundInStatement = true;
  }

  /**
   * Records where the binding value of row-bound parameter {@code encrypted} is: parameter
   * {@code source} of the same statement.
   */
  void bindRow(JdbcParameter encrypted, JdbcParameter source) {
    int at = absolute(encrypted);
    int from = absolute(source);
    ColumnPolicy column = byIndex.get(at);
    if (column == null || !column.isRowBound()) {
      throw new IllegalStateException("parameter " + at + " binds no row-bound column");
    }
    putSource(at, new BindingSource(from, null));
    ColumnPolicy previous = holdsBindingOf.putIfAbsent(from, column);
    if (previous != null && !previous.qualifiedBindingColumn()
        .equals(column.qualifiedBindingColumn())) {
      throw new UnanalysableStatement("one parameter binds two binding columns");
    }
  }

  /** As {@link #bindRow(JdbcParameter, JdbcParameter)}, the binding value a literal's text. */
  void bindRow(JdbcParameter encrypted, String literal) {
    int at = absolute(encrypted);
    ColumnPolicy column = byIndex.get(at);
    if (column == null || !column.isRowBound()) {
      throw new IllegalStateException("parameter " + at + " binds no row-bound column");
    }
    putSource(at, new BindingSource(0, literal));
  }

  private void putSource(int at, BindingSource source) {
    BindingSource previous = sources.putIfAbsent(at, source);
    if (previous != null && !previous.equals(source)) {
      throw new UnanalysableStatement("two binding values for one parameter");
    }
  }

  private int absolute(JdbcParameter parameter) {
    int index = parameter.getIndex();
    if (index < 1 || index > statementParameters || parameter.isUseFixedIndex()) {
      throw new UnanalysableStatement("parameter numbering disagrees with pgjdbc's");
    }
    return offset + index;
  }

  /** Whether the current statement bound any parameter to an encrypted column. */
  boolean boundInStatement() {
    return boundInStatement;
  }

  /** The first column bound in the current statement (for messages), or null. */
  ColumnPolicy anyBoundInStatement() {
    for (int i = 1; i <= statementParameters; i++) {
      ColumnPolicy column = byIndex.get(offset + i);
      if (column != null) {
        return column;
      }
    }
    return null;
  }

  ColumnPolicy[] toArray(int parameterCount) {
    ColumnPolicy[] columns = new ColumnPolicy[parameterCount];
    byIndex.forEach((index, column) -> columns[index - 1] = column);
    return columns;
  }

  /**
   * Where each parameter's binding value is, by parameter: null for a parameter that binds no
   * row-bound column.
   *
   * @throws RefusedStatement when a parameter binds a row-bound column and the statement says
   *     nowhere what its binding value is: a shape of write that the analysis does not follow
   *     never seals a row-bound value without its row
   */
  BindingSource[] sourcesArray(int parameterCount) {
    BindingSource[] all = new BindingSource[parameterCount];
    for (Map.Entry<Integer, ColumnPolicy> e : byIndex.entrySet()) {
      if (e.getValue().isRowBound()) {
        BindingSource source = sources.get(e.getKey());
        if (source == null) {
          throw RefusedStatement.rowBinding(e.getValue(), "this statement", "Veil cannot tell"
              + " from it which row the value is written to", "Write it as INSERT ... ("
              + e.getValue().bindingColumn() + ", " + e.getValue().column() + ") VALUES (?, ?)"
              + " or UPDATE ... SET " + e.getValue().column() + " = ? WHERE "
              + e.getValue().bindingColumn() + " = ?.");
        }
        all[e.getKey() - 1] = source;
      }
    }
    return all;
  }

  /** For each parameter that holds a binding value, a row-bound column it binds; else null. */
  ColumnPolicy[] bindingValuesArray(int parameterCount) {
    ColumnPolicy[] all = new ColumnPolicy[parameterCount];
    holdsBindingOf.forEach((index, column) -> all[index - 1] = column);
    return all;
  }
}
