package org.veil.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Calendar;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.veil.config.ColumnPolicy;
import org.veil.crypto.RowSeal;
import org.veil.crypto.ValueType;
import org.veil.error.VeilError;
import org.veil.sql.StatementPlan;

/**
 * A prepared statement seen through Veil: a parameter that binds an encrypted column is sealed
 * before pgjdbc sees it; every other parameter goes to pgjdbc untouched.
 *
 * <p>Which parameter binds which column was decided once for the SQL text
 * ({@link StatementPlan}); a statement whose plan is plain pays one field read per setter.
 * The encrypted values that one execution (or one {@code addBatch} row) writes share a row data
 * key. Not thread-safe, like the statement it wraps.
 *
 * <p>A value for a row-bound column ({@code :bind=}) is held until the statement runs or a row is
 * added to its batch, and sealed then with its row's binding value, which the plan says where to
 * find in the same statement ({@link RowBoundParameters}); a parameter that holds a binding value
 * is normalised by the binding column's type when it is set, and refused if it does not parse.
 *
 * <p>When the server refuses cells bound in text form because their column has been converted
 * to bytea since the catalog was read ({@code veil encrypt-existing --convert-to-bytea}), the
 * statement is bound again as bytes and run once more outside a transaction, where the failed
 * run changed nothing; inside one, it fails with SQLSTATE 40001, asking for a retry.
 *
 * <p>When the text names a configured table without a schema, its plan holds for the search path
 * it was made under. A setter, {@code addBatch} and each execution first check (one int
 * comparison) that the path may not have changed since, and otherwise take the plan for the path
 * now. If that binds other columns, what was bound for the old ones is dropped (bound as SQL
 * NULL; rows added to the batch are cleared) and execution is refused with SQLSTATE 55000 until
 * those parameters (or rows) are bound again: a value sealed for one table, or sent as
 * plaintext, never reaches another.
 *
 * @param <D> the pgjdbc statement type
 */
class VeilPreparedStatement<D extends PreparedStatement> extends ForwardingPreparedStatement<D> {

  private StatementPlan plan;
  /** The connection's search path generation the plan was made under. */
  private int planGeneration;
  private final VeilRuntime runtime;
  /** Parameters bound for the columns of an earlier plan, to bind again; null when none. */
  private BitSet mustRebind;
  /** Why {@link #mustRebind} or {@link #batchDropped} is set: the columns that changed. */
  private String planChange;
  /** Whether rows have been added to the batch since it last ran or was cleared. */
  private boolean batchRows;
  /** Whether rows added to the batch were dropped because the plan changed. */
  private boolean batchDropped;
  private RowSeal row;
  /** Cells bound in text form, by parameter; null until the first. */
  private TextBindings textCells;
  /** The columns that the rows added to the batch bound in text form; null when none. */
  private Set<ColumnPolicy> batchTextColumns;
  /** Row-bound values and binding values, sealed at execution; null until the first. */
  private RowBoundParameters rowBound;
  private final RowBoundParameters.Sealer sealer = this::sealRowBound;
  private final RowBoundParameters.Literals literals = this::literalBinding;

  VeilPreparedStatement(D delegate, VeilConnection connection, StatementPlan plan) {
    super(delegate, connection);
    this.plan = plan;
    this.planGeneration = connection.searchPathGeneration();
    this.runtime = connection.runtime();
  }

  /** The encrypted column parameter {@code index} binds, or null. */
  final ColumnPolicy encrypted(int index) throws SQLException {
    if (plan.dependsOnSearchPath()) {
      refreshPlan();
      if (mustRebind != null) {
        mustRebind.clear(index);
      }
    }
    return columnOf(plan, index);
  }

  private static ColumnPolicy columnOf(StatementPlan plan, int index) {
    return plan.isPlain() || index < 1 || index > plan.parameterCount() ? null
        : plan.parameter(index);
  }

  /**
   * Takes the plan for the search path now, if it may have changed since the plan was made. A
   * parameter that binds another column under the new plan is bound as SQL NULL (whatever it
   * held was sealed for, or meant as plaintext for, another column) and must be bound again;
   * rows added to the batch are dropped.
   */
  private void refreshPlan() throws SQLException {
    if (planGeneration == connection.searchPathGeneration()) {
      return;
    }
    StatementPlan fresh = runtime.refresh(plan, connection.searchPath());
    int generation = connection.searchPathGeneration();
    if (fresh.bindsLike(plan)) {
      plan = fresh;
      planGeneration = generation;
      return;
    }
    StringBuilder change = new StringBuilder();
    for (int i = 1; i <= Math.max(plan.parameterCount(), fresh.parameterCount()); i++) {
      ColumnPolicy before = columnOf(plan, i);
      ColumnPolicy now = columnOf(fresh, i);
      if (!Objects.equals(before, now)
          || !Objects.equals(plan.bindingSource(i), fresh.bindingSource(i))
          || !Objects.equals(plan.bindingValueFor(i), fresh.bindingValueFor(i))) {
        delegate.setNull(i, java.sql.Types.NULL);
        if (textCells != null) {
          textCells.unbound(i);
        }
        if (rowBound != null) {
          rowBound.forget(i);
        }
        if (mustRebind == null) {
          mustRebind = new BitSet();
        }
        mustRebind.set(i);
        change.append(change.length() == 0 ? "" : ", ").append("parameter ").append(i)
            .append(" from ").append(describe(before)).append(" to ").append(describe(now));
      }
    }
    planChange = change.toString();
    if (batchRows) {
      delegate.clearBatch();
      batchRows = false;
      batchTextColumns = null;
      batchDropped = true;
    }
    endRow();
    if (rowBound != null) {
      rowBound.planChanged();
    }
    plan = fresh;
    planGeneration = generation;
  }

  private static String describe(ColumnPolicy column) {
    return column == null ? "a column without encryption" : column.qualifiedName();
  }

  /** Refuses to run with parameters bound for the columns of an earlier plan. */
  private void requireCurrentBindings() throws SQLException {
    if (plan.dependsOnSearchPath()) {
      refreshPlan();
    }
    if (mustRebind != null && !mustRebind.isEmpty()) {
      throw runtime.refusal(VeilError.SEARCH_PATH_CHANGED,
          "The search path changed after the parameters of this statement"
          + " were bound, and its unqualified table names now mean other tables (" + planChange
          + "). Bind parameter(s) " + mustRebind.stream().mapToObj(Integer::toString)
              .collect(Collectors.joining(", "))
          + " again, then execute.");
    }
  }

  private void bind(int index, ColumnPolicy column, ValueType type, Object value,
      Calendar calendar) throws SQLException {
    if (column.isRowBound()) {
      // Sealed when the statement runs, when its row's binding value is bound too.
      rowBound().hold(index, type, ParameterValues.coerce(value, type, calendar, column));
      return;
    }
    if (row == null) {
      row = runtime.newRow();
    }
    noteForm(index, runtime.bind(delegate, connection.delegate, index, column, type, value,
        calendar, row, null), false);
  }

  private void bindNull(int index, ColumnPolicy column) throws SQLException {
    if (rowBound != null) {
      rowBound.release(index);
    }
    noteForm(index, null, runtime.bindNull(delegate, connection.delegate, index, column));
  }

  private RowBoundParameters rowBound() {
    if (rowBound == null) {
      rowBound = new RowBoundParameters();
    }
    return rowBound;
  }

  /**
   * Notes {@code value}, bound to parameter {@code i} that binds no encrypted column, when the
   * plan says it holds the binding value of a row-bound column: normalised now, so a value that
   * does not parse for the binding column's type is refused at once.
   */
  private void noteBinding(int i, Object value) throws SQLException {
    if (plan.bindsRows()) {
      ColumnPolicy bound = plan.bindingValueFor(i);
      if (bound != null) {
        rowBound().bindingValue(i,
            value == null ? null : runtime.bindingOf(bound, value, connection.delegate));
      }
    }
  }

  private void refuseIfBindingValue(int i, String setter) throws SQLException {
    ColumnPolicy bound = plan.bindsRows() ? plan.bindingValueFor(i) : null;
    if (bound != null) {
      throw runtime.refusal(VeilError.OPERATION_REFUSED, setter + " cannot bind "
          + bound.qualifiedBindingColumn() + ", whose value binds encrypted column "
          + bound.qualifiedName() + " to its row; use setInt, setLong, setString or setObject");
    }
  }

  /** Seals the held row-bound values with their binding values, before the statement runs. */
  private void sealHeld() throws SQLException {
    if (rowBound != null && rowBound.holdsValues()) {
      rowBound.sealAll(plan, literals, sealer);
    }
  }

  private void sealRowBound(int index, ColumnPolicy column, ValueType type, Object value,
      byte[] binding) throws SQLException {
    if (row == null) {
      row = runtime.newRow();
    }
    noteForm(index, runtime.bind(delegate, connection.delegate, index, column, type, value,
        null, row, binding), false);
  }

  private byte[] literalBinding(ColumnPolicy column, String literal) throws SQLException {
    return runtime.bindingOf(column, literal, connection.delegate);
  }

  /** Keeps a cell bound in text form ({@code textCell}, or SQL NULL when {@code textNull}). */
  private void noteForm(int index, String textCell, boolean textNull) {
    if (textCell != null || textNull) {
      if (textCells == null) {
        textCells = new TextBindings();
      }
      textCells.bound(index, textCell);
    } else if (textCells != null) {
      textCells.unbound(index);
    }
  }

  private void bindObject(int index, ColumnPolicy column, Object value) throws SQLException {
    if (value == null) {
      setNull(index, java.sql.Types.NULL);
    } else {
      bind(index, column, ParameterValues.typeOf(value, column), value, null);
    }
  }

  /** Ends the current row: the next encrypted value gets a new row data key. */
  private void endRow() {
    row = null;
  }

  private interface Execution<T> {
    T run() throws SQLException;
  }

  /** Runs the statement, once more if its text cells were refused by converted columns. */
  private <T> T perform(Execution<T> execution) throws SQLException {
    requireCurrentBindings();
    sealHeld();
    endRow();
    return connection.run(plan.sessionEffects(), () -> performOnce(execution));
  }

  private <T> T performOnce(Execution<T> execution) throws SQLException {
    try {
      return execution.run();
    } catch (SQLException failure) {
      if (textCells == null || textCells.isEmpty()) {
        throw failure;
      }
      boolean inTransaction = connection.inTransaction();
      Set<ColumnPolicy> converted = convertedColumns(failure, textCells.columns(plan),
          inTransaction);
      if (inTransaction) {
        throw TextBindings.converted(converted, failure, false);
      }
      textCells.rebindAsBytes(delegate, plan, converted);
      return execution.run();
    }
  }

  /**
   * Those of {@code boundAsText} that have been converted to bytea, when {@code failure} is the
   * server refusing their text cells; otherwise throws {@code failure}.
   */
  private Set<ColumnPolicy> convertedColumns(SQLException failure,
      Set<ColumnPolicy> boundAsText, boolean inTransaction) throws SQLException {
    if (boundAsText.isEmpty() || !TextBindings.mayBeRefusedText(failure)) {
      throw failure;
    }
    Set<ColumnPolicy> converted;
    try {
      converted = runtime.convertedToBytea(boundAsText, connection.delegate, inTransaction);
    } catch (SQLException e) {
      failure.addSuppressed(e);
      throw failure;
    }
    if (converted.isEmpty()) {
      throw failure;
    }
    return converted;
  }

  // Overridden java.sql.PreparedStatement methods

  @Override
  public ResultSet executeQuery() throws SQLException {
    return wrap(perform(delegate::executeQuery));
  }

  @Override
  public int executeUpdate() throws SQLException {
    return perform(delegate::executeUpdate);
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return perform(delegate::executeLargeUpdate);
  }

  @Override
  public boolean execute() throws SQLException {
    return perform(delegate::execute);
  }

  /** For encrypted columns, the type their values have for the application. */
  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    ResultSetMetaData md = delegate.getMetaData();
    if (!runtime.encryptsAnything()) {
      return md;
    }
    ResultColumns columns = runtime.resultColumns(md);
    return columns.first() == null ? md
        : new VeilResultSetMetaData(md, columns, runtime.config());
  }

  @Override
  public void addBatch() throws SQLException {
    requireCurrentBindings();
    sealHeld();
    endRow();
    delegate.addBatch();
    batchRows = true;
    if (textCells != null && !textCells.isEmpty()) {
      if (batchTextColumns == null) {
        batchTextColumns = new HashSet<>();
      }
      batchTextColumns.addAll(textCells.columns(plan));
    }
  }

  @Override
  public int[] executeBatch() throws SQLException {
    return performBatch(delegate::executeBatch);
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    return performBatch(delegate::executeLargeBatch);
  }

  /**
   * Runs the batch. One whose text cells converted columns refused is not run again, in
   * auto-commit mode either: pgjdbc may have committed some of its statements already.
   */
  private <T> T performBatch(Execution<T> execution) throws SQLException {
    if (plan.dependsOnSearchPath()) {
      refreshPlan();
    }
    if (batchDropped) {
      batchDropped = false;
      throw runtime.refusal(VeilError.SEARCH_PATH_CHANGED, "The search path changed while this"
          + " batch was built, and the statement's unqualified table names now mean other tables ("
          + planChange + "); the rows added before the change were dropped. Add them again, then"
          + " execute the batch.");
    }
    return connection.run(plan.sessionEffects(), () -> {
      try {
        return execution.run();
      } catch (SQLException failure) {
        throw TextBindings.converted(convertedColumns(failure,
            batchTextColumns == null ? Set.of() : batchTextColumns, connection.inTransaction()),
            failure, true);
      } finally {
        batchTextColumns = null;
        batchRows = false;
      }
    });
  }

  @Override
  public void clearBatch() throws SQLException {
    batchTextColumns = null;
    batchRows = false;
    batchDropped = false;
    delegate.clearBatch();
  }

  @Override
  public void clearParameters() throws SQLException {
    mustRebind = null;
    endRow();
    if (rowBound != null) {
      rowBound.clear();
    }
    if (textCells != null) {
      textCells.clear();
    }
    delegate.clearParameters();
  }

  @Override
  public void setNull(int i, int sqlType) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, null);
      delegate.setNull(i, sqlType);
    } else {
      bindNull(i, p);
    }
  }

  @Override
  public void setNull(int i, int sqlType, String typeName) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, null);
      delegate.setNull(i, sqlType, typeName);
    } else {
      bindNull(i, p);
    }
  }

  @Override
  public void setObject(int i, Object x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setObject(i, x);
    } else {
      bindObject(i, p, x);
    }
  }

  @Override
  public void setObject(int i, Object x, int targetSqlType) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setObject(i, x, targetSqlType);
    } else if (x == null) {
      setNull(i, targetSqlType);
    } else {
      bind(i, p, ParameterValues.typeOf(x, targetSqlType, p), x, null);
    }
  }

  @Override
  public void setObject(int i, Object x, int targetSqlType, int scaleOrLength)
      throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setObject(i, x, targetSqlType, scaleOrLength);
    } else {
      setObject(i, x, targetSqlType);
    }
  }

  @Override
  public void setObject(int i, Object x, SQLType targetSqlType) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setObject(i, x, targetSqlType);
    } else if (targetSqlType.getVendorTypeNumber() == null) {
      bindObject(i, p, x);
    } else {
      setObject(i, x, targetSqlType.getVendorTypeNumber().intValue());
    }
  }

  @Override
  public void setObject(int i, Object x, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setObject(i, x, targetSqlType, scaleOrLength);
    } else {
      setObject(i, x, targetSqlType);
    }
  }

  @Override
  public void setString(int i, String x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setString(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.TEXT, p), x, null);
    }
  }

  @Override
  public void setNString(int i, String x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setNString(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.TEXT, p), x, null);
    }
  }

  @Override
  public void setBoolean(int i, boolean x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      if (plan.bindsRows()) {
        noteBinding(i, x);
      }
      delegate.setBoolean(i, x);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.BOOLEAN, p), x, null);
    }
  }

  @Override
  public void setByte(int i, byte x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      if (plan.bindsRows()) {
        noteBinding(i, x);
      }
      delegate.setByte(i, x);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.SHORT, p), x, null);
    }
  }

  @Override
  public void setShort(int i, short x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      if (plan.bindsRows()) {
        noteBinding(i, x);
      }
      delegate.setShort(i, x);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.SHORT, p), x, null);
    }
  }

  @Override
  public void setInt(int i, int x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      if (plan.bindsRows()) {
        noteBinding(i, x);
      }
      delegate.setInt(i, x);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.INT, p), x, null);
    }
  }

  @Override
  public void setLong(int i, long x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      if (plan.bindsRows()) {
        noteBinding(i, x);
      }
      delegate.setLong(i, x);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.LONG, p), x, null);
    }
  }

  @Override
  public void setFloat(int i, float x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      if (plan.bindsRows()) {
        noteBinding(i, x);
      }
      delegate.setFloat(i, x);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.FLOAT, p), x, null);
    }
  }

  @Override
  public void setDouble(int i, double x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      if (plan.bindsRows()) {
        noteBinding(i, x);
      }
      delegate.setDouble(i, x);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.DOUBLE, p), x, null);
    }
  }

  @Override
  public void setBigDecimal(int i, BigDecimal x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setBigDecimal(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.NUMERIC, p), x, null);
    }
  }

  @Override
  public void setBytes(int i, byte[] x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setBytes(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.BYTES, p), x, null);
    }
  }

  @Override
  public void setDate(int i, Date x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setDate(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.DATE, p), x, null);
    }
  }

  @Override
  public void setTime(int i, Time x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setTime(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.TIME, p), x, null);
    }
  }

  @Override
  public void setTimestamp(int i, Timestamp x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setTimestamp(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ParameterValues.canonical(ValueType.TIMESTAMP, p), x, null);
    }
  }

  @Override
  public void setDate(int i, Date x, Calendar cal) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setDate(i, x, cal);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.DATE, x, cal);
    }
  }

  @Override
  public void setTime(int i, Time x, Calendar cal) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setTime(i, x, cal);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TIME, x, cal);
    }
  }

  @Override
  public void setTimestamp(int i, Timestamp x, Calendar cal) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      noteBinding(i, x);
      delegate.setTimestamp(i, x, cal);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TIMESTAMP, x, cal);
    }
  }

  @Override
  public void setCharacterStream(int i, Reader x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setCharacterStream");
      delegate.setCharacterStream(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TEXT, readText(x, -1, p), null);
    }
  }

  @Override
  public void setCharacterStream(int i, Reader x, int length) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setCharacterStream");
      delegate.setCharacterStream(i, x, length);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TEXT, readText(x, length, p), null);
    }
  }

  @Override
  public void setCharacterStream(int i, Reader x, long length) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setCharacterStream");
      delegate.setCharacterStream(i, x, length);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TEXT, readText(x, length, p), null);
    }
  }

  @Override
  public void setNCharacterStream(int i, Reader x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setNCharacterStream");
      delegate.setNCharacterStream(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TEXT, readText(x, -1, p), null);
    }
  }

  @Override
  public void setNCharacterStream(int i, Reader x, long length) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setNCharacterStream");
      delegate.setNCharacterStream(i, x, length);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TEXT, readText(x, length, p), null);
    }
  }

  @Override
  public void setBinaryStream(int i, InputStream x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setBinaryStream");
      delegate.setBinaryStream(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bindStream(i, p, x, -1);
    }
  }

  @Override
  public void setBinaryStream(int i, InputStream x, int length) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setBinaryStream");
      delegate.setBinaryStream(i, x, length);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bindStream(i, p, x, length);
    }
  }

  @Override
  public void setBinaryStream(int i, InputStream x, long length) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setBinaryStream");
      delegate.setBinaryStream(i, x, length);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bindStream(i, p, x, length);
    }
  }

  @Override
  public void setAsciiStream(int i, InputStream x) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setAsciiStream");
      delegate.setAsciiStream(i, x);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TEXT, readAscii(x, -1, p), null);
    }
  }

  @Override
  public void setAsciiStream(int i, InputStream x, int length) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setAsciiStream");
      delegate.setAsciiStream(i, x, length);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TEXT, readAscii(x, length, p), null);
    }
  }

  @Override
  public void setAsciiStream(int i, InputStream x, long length) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      refuseIfBindingValue(i, "setAsciiStream");
      delegate.setAsciiStream(i, x, length);
    } else if (x == null) {
      bindNull(i, p);
    } else {
      bind(i, p, ValueType.TEXT, readAscii(x, length, p), null);
    }
  }

  @Override
  public void setBlob(int i, java.sql.Blob x) throws SQLException {
    refuseIfEncrypted(i, "setBlob");
    delegate.setBlob(i, x);
  }

  @Override
  public void setClob(int i, java.sql.Clob x) throws SQLException {
    refuseIfEncrypted(i, "setClob");
    delegate.setClob(i, x);
  }

  @Override
  public void setNClob(int i, java.sql.NClob x) throws SQLException {
    refuseIfEncrypted(i, "setNClob");
    delegate.setNClob(i, x);
  }

  @Override
  public void setArray(int i, java.sql.Array x) throws SQLException {
    refuseIfEncrypted(i, "setArray");
    delegate.setArray(i, x);
  }

  @Override
  public void setRef(int i, java.sql.Ref x) throws SQLException {
    refuseIfEncrypted(i, "setRef");
    delegate.setRef(i, x);
  }

  @Override
  public void setRowId(int i, java.sql.RowId x) throws SQLException {
    refuseIfEncrypted(i, "setRowId");
    delegate.setRowId(i, x);
  }

  @Override
  public void setSQLXML(int i, java.sql.SQLXML x) throws SQLException {
    refuseIfEncrypted(i, "setSQLXML");
    delegate.setSQLXML(i, x);
  }

  @Override
  public void setURL(int i, java.net.URL x) throws SQLException {
    refuseIfEncrypted(i, "setURL");
    delegate.setURL(i, x);
  }

  @Override
  public void setBlob(int i, InputStream x) throws SQLException {
    refuseIfEncrypted(i, "setBlob");
    delegate.setBlob(i, x);
  }

  @Override
  public void setBlob(int i, InputStream x, long length) throws SQLException {
    refuseIfEncrypted(i, "setBlob");
    delegate.setBlob(i, x, length);
  }

  @Override
  public void setClob(int i, Reader x) throws SQLException {
    refuseIfEncrypted(i, "setClob");
    delegate.setClob(i, x);
  }

  @Override
  public void setClob(int i, Reader x, long length) throws SQLException {
    refuseIfEncrypted(i, "setClob");
    delegate.setClob(i, x, length);
  }

  @Override
  public void setNClob(int i, Reader x) throws SQLException {
    refuseIfEncrypted(i, "setNClob");
    delegate.setNClob(i, x);
  }

  @Override
  public void setNClob(int i, Reader x, long length) throws SQLException {
    refuseIfEncrypted(i, "setNClob");
    delegate.setNClob(i, x, length);
  }

  @Deprecated
  @Override
  public void setUnicodeStream(int i, InputStream x, int length) throws SQLException {
    refuseIfEncrypted(i, "setUnicodeStream");
    delegate.setUnicodeStream(i, x, length);
  }

  private void refuseIfEncrypted(int i, String setter) throws SQLException {
    ColumnPolicy p = encrypted(i);
    refuseIfBindingValue(i, setter);
    if (p != null) {
      throw runtime.refusal(VeilError.OPERATION_REFUSED,
          setter + " cannot bind encrypted column " + p.qualifiedName()
          + "; use setString, setBytes, setObject or a typed setter");
    }
  }

  /** The characters of {@code in}, sized by {@code length} when it is given (no regrowing). */
  private static String readText(Reader in, long length, ColumnPolicy p) throws SQLException {
    try {
      StringBuilder sb = new StringBuilder(length < 0 ? 16
          : (int) Math.min(length, Integer.MAX_VALUE - 8));
      char[] buffer = new char[8192];
      long left = length < 0 ? Long.MAX_VALUE : length;
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        sb.append(buffer, 0, n);
        left -= n;
      }
      return sb.toString();
    } catch (IOException e) {
      throw SqlErrors.of(VeilError.STREAM_UNREADABLE,
          "cannot read the stream bound to encrypted column "
          + p.qualifiedName(), e);
    }
  }

  /**
   * Binds the bytes of a stream to encrypted column {@code p}: read into one array, sealed, and
   * cleared, since nothing else holds them.
   */
  private void bindStream(int i, ColumnPolicy p, InputStream x, long length)
      throws SQLException {
    byte[] plaintext = readBytes(x, length, p);
    try {
      bind(i, p, ValueType.BYTES, plaintext, null);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * The bytes of {@code in}: all of them for a negative {@code length}, else at most
   * {@code length}, read into an array of that length, which JDBC defines as the stream's (as
   * pgjdbc does, which sends that many): {@code readNBytes(int)} would gather them in pieces
   * first and copy them into the array it returns, holding them twice.
   */
  private static byte[] readBytes(InputStream in, long length, ColumnPolicy p)
      throws SQLException {
    try {
      if (length < 0) {
        return in.readAllBytes();
      }
      byte[] bytes = new byte[(int) Math.min(length, Integer.MAX_VALUE - 8)];
      int n = in.readNBytes(bytes, 0, bytes.length);
      if (n == bytes.length) {
        return bytes;
      }
      byte[] shorter = Arrays.copyOf(bytes, n); // the stream ended before its length
      Arrays.fill(bytes, (byte) 0);
      return shorter;
    } catch (IOException e) {
      throw SqlErrors.of(VeilError.STREAM_UNREADABLE,
          "cannot read the stream bound to encrypted column "
          + p.qualifiedName(), e);
    }
  }

  private static String readAscii(InputStream in, long length, ColumnPolicy p)
      throws SQLException {
    byte[] ascii = readBytes(in, length, p);
    try {
      return new String(ascii, java.nio.charset.StandardCharsets.US_ASCII);
    } finally {
      Arrays.fill(ascii, (byte) 0);
    }
  }
}
