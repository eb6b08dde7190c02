package org.veil.jdbc;

import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import org.veil.config.EncryptedColumns;
import org.veil.crypto.CellCodec;
import org.veil.keys.KeyHierarchy;

/**
 * What the benchmarks need from inside the driver that it does not offer publicly: the cell
 * codec of a Veil connection (for its key counters), emptying its row-key cache, and the
 * result-column lookup.
 *
 * <p>This class lives in the benchmarks module but in package {@code org.veil.jdbc}: the driver
 * is not a named module and both jars are on the class path of one class loader, so a class of
 * the same package name may call the driver's package-private members ({@link VeilConnection},
 * {@link VeilRuntime}, {@link ResultColumns}). Nothing in the driver is changed or loaded
 * differently; only benchmarks use this.
 */
public final class VeilInternals {

  private VeilInternals() {}

  /** The cell codec behind a connection from {@code jdbc:veil:}, or null if it encrypts nothing. */
  public static CellCodec codec(Connection connection) throws SQLException {
    return connection.unwrap(VeilConnection.class).runtime().codec();
  }

  /** The key hierarchy behind a connection from {@code jdbc:veil:}, or null. */
  public static KeyHierarchy keys(Connection connection) throws SQLException {
    return connection.unwrap(VeilConnection.class).runtime().keys();
  }

  /**
   * Drops what the codec derived from keys (directly wrapped row keys it cached, column keys, this
   * thread's row key memo), as after a restart; the branch keys stay cached: that is Veil's design
   * (one KMS call per branch key per cache lifetime), not a warm-cache effect.
   */
  public static void forgetRowKeys(Connection connection) throws SQLException {
    CellCodec codec = codec(connection);
    if (codec != null) {
      codec.clear();
    }
  }

  /**
   * The result-column lookup as {@link VeilPreparedStatement} and {@link VeilResultSet} do it:
   * base columns from pgjdbc's metadata, storage forms from the result's column types.
   */
  public static final class ResultColumnLookup {
    private final EncryptedColumns columns;

    public ResultColumnLookup(EncryptedColumns known) {
      this.columns = known;
    }

    /** Which columns of {@code md} are encrypted; returns how many, so nothing is dead code. */
    public int lookUp(ResultSetMetaData md) throws SQLException {
      ResultColumns r = ResultColumns.of(md, columns);
      int n = 0;
      for (int i = 1, count = md.getColumnCount(); i <= count; i++) {
        if (r.policy(i) != null) {
          n++;
        }
      }
      return n;
    }
  }
}
