package org.veil.sql;

import java.util.Arrays;
import org.veil.config.ColumnPolicy;

/**
 * What one SQL text binds: for each JDBC {@code ?} parameter, in textual order, the encrypted
 * column it is written to or compared with, or null when it binds no encrypted column; for a
 * parameter of a row-bound column ({@code :bind=}), where in the same statement the binding
 * value is ({@link BindingSource}), and which parameters hold binding values; and what running
 * it may do to the session's name resolution ({@link SessionEffects}).
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
  public static final StatementPlan PLAIN = new StatementPlan(0, new ColumnPolicy[0], null, 0,
      null, null);

  /** Plain plans by their session effects, so that a plain text costs no allocation. */
  private static final StatementPlan[] PLAIN_WITH_EFFECTS = new StatementPlan[8];

  static {
    PLAIN_WITH_EFFECTS[0] = PLAIN;
    for (int effects = 1; effects < PLAIN_WITH_EFFECTS.length; effects++) {
      PLAIN_WITH_EFFECTS[effects] = new StatementPlan(0, new ColumnPolicy[0], null, effects,
          null, null);
    }
  }

  private final int parameterCount;
  private final ColumnPolicy[] parameters;
  /** The SQL text, kept when the plan depends on the search path so it can be made again. */
  private final String sql;
  private final int sessionEffects;
  /** By parameter, where a row-bound one's binding value is; null when none is row-bound. */
  private final BindingSource[] bindingSources;
  /** By parameter, the row-bound column whose binding value it holds; null when none does. */
  private final ColumnPolicy[] bindingValues;

  private StatementPlan(int parameterCount, ColumnPolicy[] parameters, String sql,
      int sessionEffects, BindingSource[] bindingSources, ColumnPolicy[] bindingValues) {
    this.parameterCount = parameterCount;
    this.parameters = parameters;
    this.sql = sql;
    this.sessionEffects = sessionEffects;
    this.bindingSources = bindingSources;
    this.bindingValues = bindingValues;
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
    return of(parameterCount, policies, sql, sessionEffects, new BindingSource[0],
        new ColumnPolicy[0]);
  }

  /**
   * As {@link #of(int, ColumnPolicy[], String, int)}; {@code sources[i]} is where the binding
   * value of parameter {@code i + 1} is when it binds a row-bound column, and
   * {@code bindingValues[i]} the row-bound column whose binding value parameter {@code i + 1}
   * holds, if any.
   */
  static StatementPlan of(int parameterCount, ColumnPolicy[] policies, String sql,
      int sessionEffects, BindingSource[] sources, ColumnPolicy[] bindingValues) {
    if (Arrays.stream(policies).allMatch(p -> p == null)) {
      return parameterCount == 0 && sql == null ? plain(sessionEffects)
          : new StatementPlan(parameterCount, new ColumnPolicy[0], sql, sessionEffects, null,
              null);
    }
    boolean rowBound = Arrays.stream(sources).anyMatch(s -> s != null);
    return new StatementPlan(parameterCount, Arrays.copyOf(policies, parameterCount), sql,
        sessionEffects, rowBound ? Arrays.copyOf(sources, parameterCount) : null,
        rowBound ? Arrays.copyOf(bindingValues, parameterCount) : null);
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

  /** Whether some parameter binds a row-bound column, so binding values must be followed. */
  public boolean bindsRows() {
    return bindingSources != null;
  }

  /**
   * Where the binding value of parameter {@code index} (1-based) is, when it binds a row-bound
   * column; null otherwise.
   */
  public BindingSource bindingSource(int index) {
    return bindingSources == null || index < 1 || index > bindingSources.length ? null
        : bindingSources[index - 1];
  }

  /**
   * The row-bound column whose binding value parameter {@code index} (1-based) holds (its
   * {@link ColumnPolicy#bindingColumn()} is the column the parameter is written to or compared
   * with); null when it holds none.
   */
  public ColumnPolicy bindingValueFor(int index) {
    return bindingValues == null || index < 1 || index > bindingValues.length ? null
        : bindingValues[index - 1];
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

  /**
   * Whether each parameter binds the same encrypted column (or none) in both plans, and takes
   * or holds the same binding values.
   */
  public boolean bindsLike(StatementPlan other) {
    return parameterCount == other.parameterCount
        && Arrays.equals(parameters, other.parameters)
        && Arrays.equals(bindingSources, other.bindingSources)
        && Arrays.equals(bindingValues, other.bindingValues);
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
      BindingSource source = bindingSource(i + 1);
      if (source != null) {
        text.append(" bound by ").append(source.isLiteral() ? "a literal"
            : "parameter " + source.parameter());
      }
    }
    return text.append(']').toString();
  }
}
