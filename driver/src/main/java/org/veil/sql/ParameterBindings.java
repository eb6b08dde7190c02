package org.veil.sql;

import java.util.HashMap;
import java.util.Map;
import net.sf.jsqlparser.expression.JdbcParameter;
import org.veil.config.ColumnPolicy;

/**
 * The encrypted column each {@code ?} of one SQL text binds, collected while its statements are
 * checked. JSqlParser numbers the placeholders of each statement from 1; {@link #startStatement}
 * shifts them to pgjdbc's numbering over the whole text. Not thread-safe: one per analysis.
 */
final class ParameterBindings {

  private final Map<Integer, ColumnPolicy> byIndex = new HashMap<>();
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
}
