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
import org.veil.config.ColumnPolicy;
import org.veil.error.VeilError;

/**
 * A result set seen through Veil: getters on encrypted columns open the cell and convert the
 * value as pgjdbc would convert the column it came from; other columns are pgjdbc's, untouched.
 *
 * <p>Which columns are encrypted comes from the server's row description (base table and column
 * of each result column), looked up on first use, so aliases, joins, views and RETURNING need no
 * parsing. Getters by label find the column, then use the getter by index. Not thread-safe, like
 * the result set it wraps.
 */
final class VeilResultSet extends ForwardingResultSet<ResultSet> {

  private final VeilStatement<?> statement;
  private final VeilRuntime runtime;
  private final boolean plain;
  private ResultColumns columns;

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

  /** The policy of result column {@code index}, or null when it is not encrypted. */
  private ColumnPolicy encrypted(int index) throws SQLException {
    if (columns == null) {
      columns = statement == null ? ResultColumns.NONE
          : runtime.resultColumns(delegate.getMetaData());
    }
    return columns.policy(index);
  }

  /**
   * A value of a column not traced to an encrypted one, checked not to be a cell that reached
   * the result another way (a renaming view, an expression).
   */
  private <T> T untraced(T value, int index) throws SQLException {
    if (!plain && (value instanceof String || value instanceof byte[])) {
      runtime.refuseUntracedCell(value, delegate, index);
    }
    return value;
  }

  /** The opened value of an encrypted column; null for SQL NULL. */
  private Object open(int index, ColumnPolicy policy) throws SQLException {
    return runtime.open(policy, columns.form(index), delegate, index);
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
    encrypted(1);
    return columns.first() == null ? md
        : new VeilResultSetMetaData(md, columns, runtime.config());
  }

  @Override
  public String getString(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return untraced(delegate.getString(i), i);
    }
    Object v = open(i, p);
    return v == null ? null : ValueConversions.toString(v);
  }

  @Override
  public String getNString(int i) throws SQLException {
    return encrypted(i) == null ? delegate.getNString(i) : getString(i);
  }

  @Override
  public Object getObject(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return untraced(delegate.getObject(i), i);
    }
    Object v = open(i, p);
    return v == null ? null : ValueConversions.toJdbcObject(v);
  }

  @Override
  public <T> T getObject(int i, Class<T> type) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return untraced(delegate.getObject(i, type), i);
    }
    Object v = open(i, p);
    return v == null ? null : ValueConversions.toType(v, type, p);
  }

  @Override
  public Object getObject(int i, Map<String, Class<?>> map) throws SQLException {
    return encrypted(i) == null ? delegate.getObject(i, map) : getObject(i);
  }

  @Override
  public boolean getBoolean(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return delegate.getBoolean(i);
    }
    Object v = open(i, p);
    return v != null && ValueConversions.toBoolean(v, p);
  }

  @Override
  public byte getByte(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getByte(i)
        : (byte) integral(i, p, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
  }

  @Override
  public short getShort(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getShort(i)
        : (short) integral(i, p, Short.MIN_VALUE, Short.MAX_VALUE, "short");
  }

  @Override
  public int getInt(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getInt(i)
        : (int) integral(i, p, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
  }

  @Override
  public long getLong(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getLong(i)
        : integral(i, p, Long.MIN_VALUE, Long.MAX_VALUE, "long");
  }

  private long integral(int i, ColumnPolicy p, long min, long max, String type)
      throws SQLException {
    Object v = open(i, p);
    return v == null ? 0 : ValueConversions.toLong(v, p, min, max, type);
  }

  @Override
  public float getFloat(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return delegate.getFloat(i);
    }
    Object v = open(i, p);
    return v == null ? 0 : (float) ValueConversions.toDouble(v, p);
  }

  @Override
  public double getDouble(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return delegate.getDouble(i);
    }
    Object v = open(i, p);
    return v == null ? 0 : ValueConversions.toDouble(v, p);
  }

  @Override
  public BigDecimal getBigDecimal(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return delegate.getBigDecimal(i);
    }
    Object v = open(i, p);
    return v == null ? null : ValueConversions.toBigDecimal(v, p);
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(int i, int scale) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return delegate.getBigDecimal(i, scale);
    }
    BigDecimal d = getBigDecimal(i);
    return d == null ? null : d.setScale(scale, RoundingMode.HALF_EVEN);
  }

  @Override
  public byte[] getBytes(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    if (p == null) {
      return untraced(delegate.getBytes(i), i);
    }
    Object v = open(i, p);
    return v == null ? null : ValueConversions.toBytes(v);
  }

  @Override
  public Date getDate(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getDate(i) : openedDate(i, p, null);
  }

  @Override
  public Date getDate(int i, Calendar cal) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getDate(i, cal) : openedDate(i, p, cal);
  }

  private Date openedDate(int i, ColumnPolicy p, Calendar cal) throws SQLException {
    Object v = open(i, p);
    return v == null ? null : ValueConversions.toDate(v, cal, p);
  }

  @Override
  public Time getTime(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getTime(i) : openedTime(i, p, null);
  }

  @Override
  public Time getTime(int i, Calendar cal) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getTime(i, cal) : openedTime(i, p, cal);
  }

  private Time openedTime(int i, ColumnPolicy p, Calendar cal) throws SQLException {
    Object v = open(i, p);
    return v == null ? null : ValueConversions.toTime(v, cal, p);
  }

  @Override
  public Timestamp getTimestamp(int i) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getTimestamp(i) : openedTimestamp(i, p, null);
  }

  @Override
  public Timestamp getTimestamp(int i, Calendar cal) throws SQLException {
    ColumnPolicy p = encrypted(i);
    return p == null ? delegate.getTimestamp(i, cal) : openedTimestamp(i, p, cal);
  }

  private Timestamp openedTimestamp(int i, ColumnPolicy p, Calendar cal) throws SQLException {
    Object v = open(i, p);
    return v == null ? null : ValueConversions.toTimestamp(v, cal, p);
  }

  @Override
  public Reader getCharacterStream(int i) throws SQLException {
    if (encrypted(i) == null) {
      return delegate.getCharacterStream(i);
    }
    String s = getString(i);
    return s == null ? null : new StringReader(s);
  }

  @Override
  public Reader getNCharacterStream(int i) throws SQLException {
    return encrypted(i) == null ? delegate.getNCharacterStream(i) : getCharacterStream(i);
  }

  @Override
  public InputStream getBinaryStream(int i) throws SQLException {
    if (encrypted(i) == null) {
      return delegate.getBinaryStream(i);
    }
    byte[] bytes = getBytes(i);
    return bytes == null ? null : new ByteArrayInputStream(bytes);
  }

  @Override
  public InputStream getAsciiStream(int i) throws SQLException {
    if (encrypted(i) == null) {
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
      throw SqlErrors.of(VeilError.OPERATION_REFUSED,
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
    encrypted(1);
    ColumnPolicy p = columns.first();
    if (p != null) {
      throw SqlErrors.of(VeilError.OPERATION_REFUSED,
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
