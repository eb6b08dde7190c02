package org.veil.sql;

import java.util.Arrays;
import org.veil.config.ColumnPolicy;

/**
 * What one SQL text binds: for each JDBC {@code ?} parameter, in textual order, the encrypted
 * column it is written to or compared with, or null when it binds no encrypted column; and what
 * running it may do to the session's name resolution ({@link SessionEffects}).
 *
 * <p>A plan that {@link #dependsOnSearchPath() depends on the search path} (the text names a
 * configured table without a schema) holds for the search path it was made under; the
 * connection asks for it again when that path may have changed.
 *
 * <p>Immutable and thread-safe, so one plan serves every execution of its SQL text under the
 * same resolution of its table names.
 */
public final class StatementPlan {

  /** The plan of a statement that touches no encrypted column: nothing to seal. */
  public static final StatementPlan PLAIN = new StatementPlan(0, new ColumnPolicy[0], null, 0);

  /** Plain plans by their session effects, so that a plain text costs no allocation. */
  private static final StatementPlan[] PLAIN_WITH_EFFECTS = new StatementPlan[8];

  static {
    PLAIN_WITH_EFFECTS[0] = PLAIN;
    for (int effects = 1; effects < PLAIN_WITH_EFFECTS.length; effects++) {
      PLAIN_WITH_EFFECTS[effects] = new StatementPlan(0, new ColumnPolicy[0], null, effects);
    }
  }

  private final int parameterCount;
  private final ColumnPolicy[] parameters;
  /** The SQL text, kept when the plan depends on the search path so it can be made again. */
  private final String sql;
  private final int sessionEffects;

  private StatementPlan(int parameterCount, ColumnPolicy[] parameters, String sql,
      int sessionEffects) {
    this.parameterCount = parameterCount;
    this.parameters = parameters;
    this.sql = sql;
    this.sessionEffects = sessionEffects;
  }

  /** The plan of a text that names no encrypted table, with the effects of running it. */
  static StatementPlan plain(int sessionEffects) {
    return PLAIN_WITH_EFFECTS[sessionEffects];
  }

  /**
   * A plan for {@code parameterCount} parameters; {@code policies[i]} is the column of parameter
   * {@code i + 1}.
   *
   * @param sql the text, when its plan depends on the search path; else null
   */
  static StatementPlan of(int parameterCount, ColumnPolicy[] policies, String sql,
      int sessionEffects) {
    if (Arrays.stream(policies).allMatch(p -> p == null)) {
      return parameterCount == 0 && sql == null ? plain(sessionEffects)
          : new StatementPlan(parameterCount, new ColumnPolicy[0], sql, sessionEffects);
    }
    return new StatementPlan(parameterCount, Arrays.copyOf(policies, parameterCount), sql,
        sessionEffects);
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

  /**
   * Whether the text names a configured table without a schema, so that which columns its
   * parameters bind follows the search path.
   */
  public boolean dependsOnSearchPath() {
    return sql != null;
  }

  /** What running the text may change: a combination of {@link SessionEffects} flags. */
  public int sessionEffects() {
    return sessionEffects;
  }

  /** Whether each parameter binds the same encrypted column (or none) in both plans. */
  public boolean bindsLike(StatementPlan other) {
    return parameterCount == other.parameterCount
        && Arrays.equals(parameters, other.parameters);
  }

  String sql() {
    return sql;
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
