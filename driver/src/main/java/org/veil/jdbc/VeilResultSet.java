package org.veil.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;
import org.postgresql.PGResultSetMetaData;
import org.veil.catalog.StorageForm;
import org.veil.config.ColumnPolicy;
import org.veil.error.VeilError;
import org.veil.jdbc.ResultColumns.Reading;

/**
 * A result set seen through Veil: getters on encrypted columns open the cell and convert the
 * value as pgjdbc would convert the column it came from; other columns are pgjdbc's, except that
 * a Veil cell found in one is never handed back as data ({@link UntracedCells}): refused in a
 * base column that is not configured, opened by its context where there is no base column (a
 * function's result, an expression).
 *
 * <p>Which columns are encrypted comes from the server's row description (base table and column
 * of each result column), looked up on first use, so aliases, joins, views and RETURNING need no
 * parsing. A getter on a bytea or text column that is not encrypted checks the value it got from
 * pgjdbc with a few comparisons; a refcursor's result set comes back wrapped. Getters by label
 * find the column, then use the getter by index. Not thread-safe, like the result set it wraps.
 */
final class VeilResultSet extends ForwardingResultSet<ResultSet> {

  /** What {@link #opened} answers when pgjdbc's own getter should: the value is not a cell. */
  private static final Object PGJDBC = new Object();

  private final VeilStatement<?> statement;
  private final VeilRuntime runtime;
  private final boolean plain;
  private ResultColumns columns;
  /** The column whose policy opened the last value, for conversion errors. */
  private ColumnPolicy openedAs;

  /**
   * @param statement the statement that produced it, or null for a metadata result, for which
   *     {@link #getStatement()} answers null as JDBC prescribes
   */
  VeilResultSet(ResultSet delegate, VeilStatement<?> statement, VeilRuntime runtime) {
    super(delegate);
    this.statement = statement;
    this.runtime = runtime;
    this.plain = !runtime.encryptsAnything();
  }

  private ResultColumns columns() throws SQLException {
    if (columns == null) {
      columns = statement == null ? ResultColumns.NONE
          : runtime.resultColumns(delegate.getMetaData());
    }
    return columns;
  }

  /** How column {@code index} is read. */
  private Reading reading(int index) throws SQLException {
    return plain ? Reading.AS_IS : columns().reading(index);
  }

  /** The policy of result column {@code index}, or null when it is not encrypted. */
  private ColumnPolicy encrypted(int index) throws SQLException {
    return plain ? null : columns().policy(index);
  }

  /**
   * For typed getters: the opened value of column {@code i} (null for SQL NULL) when it is
   * encrypted or holds a cell that opens by its context, else {@link #PGJDBC}.
   */
  private Object opened(int i) throws SQLException {
    Reading r = reading(i);
    if (r == Reading.ENCRYPTED) {
      openedAs = columns.policy(i);
      return open(i, openedAs);
    }
    if (r == Reading.CELL_BY_CONTEXT) {
      byte[] raw = delegate.getBytes(i); // a text column's bytes are pgjdbc's own, not a copy
      if (UntracedCells.startsLikeCell(raw, columns.form(i))) {
        return untracedCell(i, r);
      }
    }
    return PGJDBC;
  }

  /** Whether {@code value}, which pgjdbc's getter returned for column {@code i}, is a cell. */
  private boolean holdsCell(Reading r, int i, Object value) {
    return (r == Reading.CELL_BY_CONTEXT || r == Reading.CELL_REFUSED)
        && UntracedCells.startsLikeCell(value, columns.form(i));
  }

  /**
   * The value of the cell in column {@code i}, which Veil did not trace to an encrypted column:
   * refused in a base column, opened by its context otherwise (setting {@link #openedAs}).
   */
  private Object untracedCell(int i, Reading r) throws SQLException {
    String where = "result column " + i + " (" + delegate.getMetaData().getColumnLabel(i) + ")";
    if (r == Reading.CELL_REFUSED) {
      PGResultSetMetaData md = delegate.getMetaData().unwrap(PGResultSetMetaData.class);
      throw UntracedCells.refused(where, md.getBaseSchemaName(i) + "."
          + md.getBaseTableName(i) + "." + md.getBaseColumnName(i));
    }
    UntracedCells cells = runtime.untracedCells();
    Object raw = columns.form(i) == StorageForm.BINARY ? delegate.getBytes(i)
        : delegate.getString(i);
    UntracedCells.Found found = cells.open(cells.cellOf(raw), where);
    openedAs = found.column();
    return found.value();
  }

  /** The opened value of an encrypted column; null for SQL NULL. */
  private Object open(int index, ColumnPolicy policy) throws SQLException {
    ResultColumns.Binding binding = columns.binding(index);
    if (binding != null) {
      binding.requireColumn(); // even for SQL NULL: the getter fails alike in every row
    }
    return runtime.open(policy, columns.form(index), delegate, index, binding);
  }

  // Overridden java.sql.ResultSet methods

  @Override
  public Statement getStatement() {
    return statement;
  }

  /** For encrypted columns, the type their values have for the application. */
  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    ResultSetMetaData md = delegate.getMetaData();
    if (plain) {
      return md;
    }
    return columns().first() == null ? md
        : new VeilResultSetMetaData(md, columns, runtime.config());
  }

  @Override
  public String getString(int i) throws SQLException {
    Reading r = reading(i);
    if (r == Reading.ENCRYPTED) {
      Object v = open(i, columns.policy(i));
      return v == null ? null : ValueConversions.toString(v);
    }
    String s = delegate.getString(i);
    return holdsCell(r, i, s) ? ValueConversions.toString(untracedCell(i, r)) : s;
  }

  @Override
  public String getNString(int i) throws SQLException {
    return reading(i) == Reading.AS_IS ? delegate.getNString(i) : getString(i);
  }

  @Override
  public Object getObject(int i) throws SQLException {
    Reading r = reading(i);
    if (r == Reading.ENCRYPTED) {
      Object v = open(i, columns.policy(i));
      return v == null ? null : ValueConversions.toJdbcObject(v);
    }
    Object o = delegate.getObject(i);
    if (r == Reading.REF_CURSOR && o instanceof ResultSet cursor) {
      return new VeilResultSet(cursor, statement, runtime);
    }
    return holdsCell(r, i, o) ? ValueConversions.toJdbcObject(untracedCell(i, r)) : o;
  }

  @Override
  public <T> T getObject(int i, Class<T> type) throws SQLException {
    Reading r = reading(i);
    if (r == Reading.ENCRYPTED) {
      ColumnPolicy p = columns.policy(i);
      Object v = open(i, p);
      return v == null ? null : ValueConversions.toType(v, type, p);
    }
    if (r == Reading.REF_CURSOR && type == ResultSet.class) {
      return type.cast(getObject(i));
    }
    if (r == Reading.CELL_BY_CONTEXT && type != String.class && type != byte[].class
        && type != Object.class) {
      Object v = opened(i); // before pgjdbc, which cannot convert a cell's bytes to the type
      if (v != PGJDBC) {
        return ValueConversions.toType(v, type, openedAs);
      }
    }
    T o = delegate.getObject(i, type);
    if (holdsCell(r, i, o)) {
      Object v = untracedCell(i, r);
      return ValueConversions.toType(v, type, openedAs);
    }
    return o;
  }

  @Override
  public Object getObject(int i, Map<String, Class<?>> map) throws SQLException {
    return reading(i) == Reading.AS_IS ? delegate.getObject(i, map) : getObject(i);
  }

  @Override
  public boolean getBoolean(int i) throws SQLException {
    Object v = opened(i);
    if (v == PGJDBC) {
      return delegate.getBoolean(i);
    }
    return v != null && ValueConversions.toBoolean(v, openedAs);
  }

  @Override
  public byte getByte(int i) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getByte(i)
        : (byte) integral(v, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
  }

  @Override
  public short getShort(int i) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getShort(i)
        : (short) integral(v, Short.MIN_VALUE, Short.MAX_VALUE, "short");
  }

  @Override
  public int getInt(int i) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getInt(i)
        : (int) integral(v, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
  }

  @Override
  public long getLong(int i) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getLong(i) : integral(v, Long.MIN_VALUE, Long.MAX_VALUE, "long");
  }

  private long integral(Object v, long min, long max, String type) throws SQLException {
    return v == null ? 0 : ValueConversions.toLong(v, openedAs, min, max, type);
  }

  @Override
  public float getFloat(int i) throws SQLException {
    Object v = opened(i);
    if (v == PGJDBC) {
      return delegate.getFloat(i);
    }
    return v == null ? 0 : (float) ValueConversions.toDouble(v, openedAs);
  }

  @Override
  public double getDouble(int i) throws SQLException {
    Object v = opened(i);
    if (v == PGJDBC) {
      return delegate.getDouble(i);
    }
    return v == null ? 0 : ValueConversions.toDouble(v, openedAs);
  }

  @Override
  public BigDecimal getBigDecimal(int i) throws SQLException {
    Object v = opened(i);
    if (v == PGJDBC) {
      return delegate.getBigDecimal(i);
    }
    return v == null ? null : ValueConversions.toBigDecimal(v, openedAs);
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(int i, int scale) throws SQLException {
    Object v = opened(i);
    if (v == PGJDBC) {
      return delegate.getBigDecimal(i, scale);
    }
    return v == null ? null
        : ValueConversions.toBigDecimal(v, openedAs).setScale(scale, RoundingMode.HALF_EVEN);
  }

  @Override
  public byte[] getBytes(int i) throws SQLException {
    Reading r = reading(i);
    if (r == Reading.ENCRYPTED) {
      Object v = open(i, columns.policy(i));
      // Opened bytes are a new array each time, the caller's alone: no copy of them is needed.
      return v == null ? null : v instanceof byte[] bytes ? bytes : ValueConversions.toBytes(v);
    }
    byte[] b = delegate.getBytes(i);
    return holdsCell(r, i, b) ? ValueConversions.toBytes(untracedCell(i, r)) : b;
  }

  @Override
  public Date getDate(int i) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getDate(i) : openedDate(v, null);
  }

  @Override
  public Date getDate(int i, Calendar cal) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getDate(i, cal) : openedDate(v, cal);
  }

  private Date openedDate(Object v, Calendar cal) throws SQLException {
    return v == null ? null : ValueConversions.toDate(v, cal, openedAs);
  }

  @Override
  public Time getTime(int i) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getTime(i) : openedTime(v, null);
  }

  @Override
  public Time getTime(int i, Calendar cal) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getTime(i, cal) : openedTime(v, cal);
  }

  private Time openedTime(Object v, Calendar cal) throws SQLException {
    return v == null ? null : ValueConversions.toTime(v, cal, openedAs);
  }

  @Override
  public Timestamp getTimestamp(int i) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getTimestamp(i) : openedTimestamp(v, null);
  }

  @Override
  public Timestamp getTimestamp(int i, Calendar cal) throws SQLException {
    Object v = opened(i);
    return v == PGJDBC ? delegate.getTimestamp(i, cal) : openedTimestamp(v, cal);
  }

  private Timestamp openedTimestamp(Object v, Calendar cal) throws SQLException {
    return v == null ? null : ValueConversions.toTimestamp(v, cal, openedAs);
  }

  /*
   * Streams: pgjdbc builds them from getString or getBytes too, so reading through those (and
   * checking for a cell on the way) costs nothing more.
   */

  @Override
  public Reader getCharacterStream(int i) throws SQLException {
    if (reading(i) == Reading.AS_IS) {
      return delegate.getCharacterStream(i);
    }
    String s = getString(i);
    return s == null ? null : new StringReader(s);
  }

  @Override
  public Reader getNCharacterStream(int i) throws SQLException {
    return reading(i) == Reading.AS_IS ? delegate.getNCharacterStream(i) : getCharacterStream(i);
  }

  @Override
  public InputStream getBinaryStream(int i) throws SQLException {
    if (reading(i) == Reading.AS_IS) {
      return delegate.getBinaryStream(i);
    }
    byte[] bytes = getBytes(i);
    return bytes == null ? null : new ByteArrayInputStream(bytes);
  }

  @Override
  public InputStream getAsciiStream(int i) throws SQLException {
    if (reading(i) == Reading.AS_IS) {
      return delegate.getAsciiStream(i);
    }
    String s = getString(i);
    return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public java.sql.Blob getBlob(int i) throws SQLException {
    refuseIfEncrypted(i, "getBlob");
    return delegate.getBlob(i);
  }

  @Override
  public java.sql.Clob getClob(int i) throws SQLException {
    refuseIfEncrypted(i, "getClob");
    return delegate.getClob(i);
  }

  @Override
  public java.sql.NClob getNClob(int i) throws SQLException {
    refuseIfEncrypted(i, "getNClob");
    return delegate.getNClob(i);
  }

  @Override
  public java.sql.Array getArray(int i) throws SQLException {
    refuseIfEncrypted(i, "getArray");
    return delegate.getArray(i);
  }

  @Override
  public java.sql.Ref getRef(int i) throws SQLException {
    refuseIfEncrypted(i, "getRef");
    return delegate.getRef(i);
  }

  @Override
  public java.sql.RowId getRowId(int i) throws SQLException {
    refuseIfEncrypted(i, "getRowId");
    return delegate.getRowId(i);
  }

  @Override
  public java.sql.SQLXML getSQLXML(int i) throws SQLException {
    refuseIfEncrypted(i, "getSQLXML");
    return delegate.getSQLXML(i);
  }

  @Override
  public java.net.URL getURL(int i) throws SQLException {
    refuseIfEncrypted(i, "getURL");
    return delegate.getURL(i);
  }

  @Deprecated
  @Override
  public InputStream getUnicodeStream(int i) throws SQLException {
    refuseIfEncrypted(i, "getUnicodeStream");
    return delegate.getUnicodeStream(i);
  }

  @Deprecated
  @Override
  public InputStream getUnicodeStream(String label) throws SQLException {
    return plain ? delegate.getUnicodeStream(label) : getUnicodeStream(findColumn(label));
  }

  private void refuseIfEncrypted(int i, String getter) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p != null) {
      throw runtime.refusal(VeilError.OPERATION_REFUSED,
          getter + " cannot read encrypted column " + p.qualifiedName()
          + "; use getString, getBytes, getObject or a typed getter");
    }
  }

  /** Refused on encrypted columns: the staged values would reach the server as plaintext. */
  @Override
  public void updateRow() throws SQLException {
    refuseUpdatesIfEncrypted();
    delegate.updateRow();
  }

  @Override
  public void insertRow() throws SQLException {
    refuseUpdatesIfEncrypted();
    delegate.insertRow();
  }

  private void refuseUpdatesIfEncrypted() throws SQLException {
    ColumnPolicy p = plain ? null : columns().first();
    if (p != null) {
      throw runtime.refusal(VeilError.OPERATION_REFUSED,
          "this updatable result set includes encrypted column "
          + p.qualifiedName() + ", whose new value would be sent as plaintext. Use an UPDATE"
          + " or INSERT statement with parameters instead.");
    }
  }

  @Override
  public String toString() {
    return "VeilResultSet[" + delegate + "]";
  }

  // Getters by label: pgjdbc's own when nothing is encrypted, else the getter by index above.

  @Override
  public String getString(String label) throws SQLException {
    return plain ? delegate.getString(label) : getString(findColumn(label));
  }

  @Override
  public String getNString(String label) throws SQLException {
    return plain ? delegate.getNString(label) : getNString(findColumn(label));
  }

  @Override
  public Object getObject(String label) throws SQLException {
    return plain ? delegate.getObject(label) : getObject(findColumn(label));
  }

  @Override
  public <T> T getObject(String label, Class<T> type) throws SQLException {
    return plain ? delegate.getObject(label, type) : getObject(findColumn(label), type);
  }

  @Override
  public Object getObject(String label, Map<String, Class<?>> map) throws SQLException {
    return plain ? delegate.getObject(label, map) : getObject(findColumn(label), map);
  }

  @Override
  public boolean getBoolean(String label) throws SQLException {
    return plain ? delegate.getBoolean(label) : getBoolean(findColumn(label));
  }

  @Override
  public byte getByte(String label) throws SQLException {
    return plain ? delegate.getByte(label) : getByte(findColumn(label));
  }

  @Override
  public short getShort(String label) throws SQLException {
    return plain ? delegate.getShort(label) : getShort(findColumn(label));
  }

  @Override
  public int getInt(String label) throws SQLException {
    return plain ? delegate.getInt(label) : getInt(findColumn(label));
  }

  @Override
  public long getLong(String label) throws SQLException {
    return plain ? delegate.getLong(label) : getLong(findColumn(label));
  }

  @Override
  public float getFloat(String label) throws SQLException {
    return plain ? delegate.getFloat(label) : getFloat(findColumn(label));
  }

  @Override
  public double getDouble(String label) throws SQLException {
    return plain ? delegate.getDouble(label) : getDouble(findColumn(label));
  }

  @Override
  public BigDecimal getBigDecimal(String label) throws SQLException {
    return plain ? delegate.getBigDecimal(label) : getBigDecimal(findColumn(label));
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(String label, int scale) throws SQLException {
    return plain ? delegate.getBigDecimal(label, scale)
        : getBigDecimal(findColumn(label), scale);
  }

  @Override
  public byte[] getBytes(String label) throws SQLException {
    return plain ? delegate.getBytes(label) : getBytes(findColumn(label));
  }

  @Override
  public Date getDate(String label) throws SQLException {
    return plain ? delegate.getDate(label) : getDate(findColumn(label));
  }

  @Override
  public Date getDate(String label, Calendar cal) throws SQLException {
    return plain ? delegate.getDate(label, cal) : getDate(findColumn(label), cal);
  }

  @Override
  public Time getTime(String label) throws SQLException {
    return plain ? delegate.getTime(label) : getTime(findColumn(label));
  }

  @Override
  public Time getTime(String label, Calendar cal) throws SQLException {
    return plain ? delegate.getTime(label, cal) : getTime(findColumn(label), cal);
  }

  @Override
  public Timestamp getTimestamp(String label) throws SQLException {
    return plain ? delegate.getTimestamp(label) : getTimestamp(findColumn(label));
  }

  @Override
  public Timestamp getTimestamp(String label, Calendar cal) throws SQLException {
    return plain ? delegate.getTimestamp(label, cal) : getTimestamp(findColumn(label), cal);
  }

  @Override
  public Reader getCharacterStream(String label) throws SQLException {
    return plain ? delegate.getCharacterStream(label) : getCharacterStream(findColumn(label));
  }

  @Override
  public Reader getNCharacterStream(String label) throws SQLException {
    return plain ? delegate.getNCharacterStream(label) : getNCharacterStream(findColumn(label));
  }

  @Override
  public InputStream getBinaryStream(String label) throws SQLException {
    return plain ? delegate.getBinaryStream(label) : getBinaryStream(findColumn(label));
  }

  @Override
  public InputStream getAsciiStream(String label) throws SQLException {
    return plain ? delegate.getAsciiStream(label) : getAsciiStream(findColumn(label));
  }

  @Override
  public java.sql.Blob getBlob(String label) throws SQLException {
    return plain ? delegate.getBlob(label) : getBlob(findColumn(label));
  }

  @Override
  public java.sql.Clob getClob(String label) throws SQLException {
    return plain ? delegate.getClob(label) : getClob(findColumn(label));
  }

  @Override
  public java.sql.NClob getNClob(String label) throws SQLException {
    return plain ? delegate.getNClob(label) : getNClob(findColumn(label));
  }

  @Override
  public java.sql.Array getArray(String label) throws SQLException {
    return plain ? delegate.getArray(label) : getArray(findColumn(label));
  }

  @Override
  public java.sql.Ref getRef(String label) throws SQLException {
    return plain ? delegate.getRef(label) : getRef(findColumn(label));
  }

  @Override
  public java.sql.RowId getRowId(String label) throws SQLException {
    return plain ? delegate.getRowId(label) : getRowId(findColumn(label));
  }

  @Override
  public java.sql.SQLXML getSQLXML(String label) throws SQLException {
    return plain ? delegate.getSQLXML(label) : getSQLXML(findColumn(label));
  }

  @Override
  public java.net.URL getURL(String label) throws SQLException {
    return plain ? delegate.getURL(label) : getURL(findColumn(label));
  }
}
