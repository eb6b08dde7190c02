package org.veil.sql;

import java.util.Arrays;
import org.veil.config.ColumnPolicy;

/**
 * What one SQL text binds: for each JDBC {@code ?} parameter, in textual order, the encrypted
 * column it is written to or compared with, or null when it binds no encrypted column.
 *
 * <p>Immutable and thread-safe, so one plan serves every execution of its SQL text.
 */
public final class StatementPlan {

  /** The plan of a statement that touches no encrypted column: nothing to seal. */
  public static final StatementPlan PLAIN = new StatementPlan(0, new ColumnPolicy[0]);

  private final int parameterCount;
  private final ColumnPolicy[] parameters;

  private StatementPlan(int parameterCount, ColumnPolicy[] parameters) {
    this.parameterCount = parameterCount;
    this.parameters = parameters;
  }

  /**
   * A plan for {@code parameterCount} parameters; {@code policies[i]} is the column of parameter
   * {@code i + 1}. Returns {@link #PLAIN} when no parameter binds an encrypted column.
   */
  static StatementPlan of(int parameterCount, ColumnPolicy[] policies) {
    if (Arrays.stream(policies).allMatch(p -> p == null)) {
      return parameterCount == 0 ? PLAIN : new StatementPlan(parameterCount, new ColumnPolicy[0]);
    }
    return new StatementPlan(parameterCount, Arrays.copyOf(policies, parameterCount));
  }

  /** True when no parameter binds an encrypted column, so the statement can run untouched. */
  public boolean isPlain() {
    return parameters.length == 0;
  }

  /** The number of {@code ?} parameters in the SQL text; 0 when the text was not parsed. */
  public int parameterCount() {
    return parameterCount;
  }

  /**
   * The encrypted column that parameter {@code index} (1-based) binds, or null when it binds none.
   *
   * @throws IndexOutOfBoundsException when {@code index} is not between 1 and the parameter count
   *     of a parsed statement
   */
  public ColumnPolicy parameter(int index) {
    if (index < 1 || (index > parameterCount && parameterCount > 0)) {
      throw new IndexOutOfBoundsException("parameter " + index + " of " + parameterCount);
    }
    return index <= parameters.length ? parameters[index - 1] : null;
  }

  @Override
  public String toString() {
    if (isPlain()) {
      return "StatementPlan[plain, " + parameterCount + " parameters]";
    }
    StringBuilder text = new StringBuilder("StatementPlan[");
    for (int i = 0; i < parameters.length; i++) {
      text.append(i == 0 ? "" : ", ").append(i + 1).append('=')
          .append(parameters[i] == null ? "-" : parameters[i].qualifiedName());
    }
    return text.append(']').toString();
  }
}
