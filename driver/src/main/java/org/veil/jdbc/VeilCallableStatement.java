package org.veil.jdbc;

import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.CallableStatement;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Locale;
import java.util.Map;
import org.veil.config.ColumnPolicy;
import org.veil.error.VeilError;
import org.veil.sql.NamedArguments;
import org.veil.sql.StatementPlan;

/**
 * A callable statement seen through Veil: its parameters and results as a prepared statement's,
 * and two things more.
 *
 * <p>OUT parameters ({@code {? = call f(?)}}, a procedure's OUT and INOUT parameters) have no
 * column of their own: one that holds a Veil cell is opened under the configured column whose
 * context the cell authenticates under, and refused when there is none; it is never returned as
 * data ({@link UntracedCells}). A cell is recognised whatever type the parameter was registered
 * with (register a bytea result as {@code Types.BINARY}, a text one as {@code VARCHAR}), and
 * every getter converts the opened value as for an encrypted column. A refcursor comes back as a
 * Veil result set.
 *
 * <p>Named parameters ({@code setString("p_ssn", …)}): when the SQL text passes the name to a
 * {@code ?} in PostgreSQL's named notation ({@code p_ssn => ?}) and that parameter binds an
 * encrypted column, the value is bound by index, so it is sealed; when the text does not say
 * which {@code ?} the name is and the statement may mention an encrypted table, the setter is
 * refused (42501); otherwise pgjdbc's named setter takes it. Named OUT getters are pgjdbc's.
 *
 * <p>Not thread-safe, like the statement it wraps.
 */
final class VeilCallableStatement extends ForwardingCallableStatement<CallableStatement> {

  /** What {@link #out} answers when pgjdbc's own getter should: the value is not a cell. */
  private static final Object PGJDBC = new Object();

  private final String sql;
  private final VeilRuntime runtime;
  /** Argument names the SQL passes to a {@code ?} by named notation; read on first use. */
  private Map<String, Integer> namedArguments;
  /** The column whose context opened the last OUT value, for conversion errors. */
  private ColumnPolicy openedAs;

  VeilCallableStatement(CallableStatement delegate, VeilConnection connection,
      StatementPlan plan, String sql) {
    super(delegate, connection, plan);
    this.sql = sql;
    this.runtime = connection.runtime();
  }

  @Override
  protected int namedParameter(String name) throws SQLException {
    if (!runtime.encryptsAnything() || name == null) {
      return 0;
    }
    if (namedArguments == null) {
      namedArguments = NamedArguments.of(sql);
    }
    Integer index = namedArguments.get(name);
    if (index == null) {
      index = namedArguments.get(name.toLowerCase(Locale.ROOT));
    }
    if (index != null) {
      return encrypted(index) != null ? index : 0;
    }
    if (runtime.mayMentionEncrypted(sql)) {
      throw runtime.refusal(VeilError.PLAINTEXT_REFUSED, "named parameter " + name
          + " of a statement that may write to an encrypted column cannot be traced to a ?"
          + " (the call does not pass it as " + name + " => ?), so Veil cannot tell whether to"
          + " seal it. Bind it by index, or pass it in named notation: " + name + " => ?");
    }
    return 0;
  }

  /**
   * The opened value of OUT parameter {@code i} when it holds a cell (setting
   * {@link #openedAs}), else {@link #PGJDBC}. pgjdbc holds OUT values as objects, so looking costs
   * an array read and a few comparisons.
   */
  private Object out(int i) throws SQLException {
    if (!runtime.encryptsAnything()) {
      return PGJDBC;
    }
    Object raw = delegate.getObject(i);
    if (!UntracedCells.startsLikeCell(raw)) {
      return PGJDBC;
    }
    UntracedCells cells = runtime.untracedCells();
    UntracedCells.Found found = cells.open(cells.cellOf(raw), "OUT parameter " + i);
    openedAs = found.column();
    return found.value();
  }

  /** A refcursor's result set, read through Veil. */
  private ResultSet cursor(Object value) {
    return new VeilResultSet((ResultSet) value, this, runtime);
  }

  // Overridden java.sql.CallableStatement methods

  @Override
  public String getString(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getString(i) : ValueConversions.toString(v);
  }

  @Override
  public String getNString(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getNString(i) : ValueConversions.toString(v);
  }

  @Override
  public Reader getCharacterStream(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getCharacterStream(i)
        : new StringReader(ValueConversions.toString(v));
  }

  @Override
  public Reader getNCharacterStream(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getNCharacterStream(i)
        : new StringReader(ValueConversions.toString(v));
  }

  @Override
  public byte[] getBytes(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getBytes(i) : ValueConversions.toBytes(v);
  }

  @Override
  public Object getObject(int i) throws SQLException {
    Object v = out(i);
    if (v != PGJDBC) {
      return ValueConversions.toJdbcObject(v);
    }
    Object o = delegate.getObject(i);
    return o instanceof ResultSet ? cursor(o) : o;
  }

  @Override
  public Object getObject(int i, Map<String, Class<?>> map) throws SQLException {
    Object v = out(i);
    if (v != PGJDBC) {
      return ValueConversions.toJdbcObject(v);
    }
    Object o = delegate.getObject(i, map);
    return o instanceof ResultSet ? cursor(o) : o;
  }

  @Override
  public <T> T getObject(int i, Class<T> type) throws SQLException {
    Object v = out(i);
    if (v != PGJDBC) {
      return ValueConversions.toType(v, type, openedAs);
    }
    T o = delegate.getObject(i, type);
    return o instanceof ResultSet ? type.cast(cursor(o)) : o;
  }

  @Override
  public boolean getBoolean(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getBoolean(i) : ValueConversions.toBoolean(v, openedAs);
  }

  @Override
  public byte getByte(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getByte(i)
        : (byte) ValueConversions.toLong(v, openedAs, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
  }

  @Override
  public short getShort(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getShort(i)
        : (short) ValueConversions.toLong(v, openedAs, Short.MIN_VALUE, Short.MAX_VALUE, "short");
  }

  @Override
  public int getInt(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getInt(i)
        : (int) ValueConversions.toLong(v, openedAs, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
  }

  @Override
  public long getLong(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getLong(i)
        : ValueConversions.toLong(v, openedAs, Long.MIN_VALUE, Long.MAX_VALUE, "long");
  }

  @Override
  public float getFloat(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getFloat(i) : (float) ValueConversions.toDouble(v, openedAs);
  }

  @Override
  public double getDouble(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getDouble(i) : ValueConversions.toDouble(v, openedAs);
  }

  @Override
  public BigDecimal getBigDecimal(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getBigDecimal(i) : ValueConversions.toBigDecimal(v, openedAs);
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(int i, int scale) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getBigDecimal(i, scale)
        : ValueConversions.toBigDecimal(v, openedAs).setScale(scale, RoundingMode.HALF_EVEN);
  }

  @Override
  public Date getDate(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getDate(i) : ValueConversions.toDate(v, null, openedAs);
  }

  @Override
  public Date getDate(int i, Calendar cal) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getDate(i, cal) : ValueConversions.toDate(v, cal, openedAs);
  }

  @Override
  public Time getTime(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getTime(i) : ValueConversions.toTime(v, null, openedAs);
  }

  @Override
  public Time getTime(int i, Calendar cal) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getTime(i, cal) : ValueConversions.toTime(v, cal, openedAs);
  }

  @Override
  public Timestamp getTimestamp(int i) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getTimestamp(i)
        : ValueConversions.toTimestamp(v, null, openedAs);
  }

  @Override
  public Timestamp getTimestamp(int i, Calendar cal) throws SQLException {
    Object v = out(i);
    return v == PGJDBC ? delegate.getTimestamp(i, cal)
        : ValueConversions.toTimestamp(v, cal, openedAs);
  }
}
