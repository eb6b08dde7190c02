package org.veil.catalog;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import org.veil.config.ColumnPolicy;
import org.veil.crypto.CellShape;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * How an encrypted column holds its cells: as the cell's bytes in a {@code bytea} column, or as
 * {@code veil:} + base64 ({@link CellShape#toText}) in a {@code text} (or unconstrained
 * {@code varchar}) column. The one place that knows both forms, for the driver's parameters and
 * results and for the tools' jobs alike. Stateless.
 */
public enum StorageForm {

  /** A {@code bytea} column: the cell's bytes as they are. */
  BINARY {
    @Override
    public Object store(byte[] cell) {
      return cell;
    }

    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return rs.getBytes(index);
    }

    @Override
    public void bind(PreparedStatement ps, int index, Object stored) throws SQLException {
      if (stored == null) {
        ps.setNull(index, Types.BINARY);
      } else {
        ps.setBytes(index, (byte[]) stored);
      }
    }
  },

  /** A {@code text} column: {@code veil:} + base64 of the cell's bytes. */
  TEXT {
    @Override
    public Object store(byte[] cell) {
      return CellShape.toText(cell);
    }

    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return rs.getString(index);
    }

    @Override
    public void bind(PreparedStatement ps, int index, Object stored) throws SQLException {
      if (stored == null) {
        ps.setNull(index, Types.VARCHAR);
      } else {
        ps.setString(index, (String) stored);
      }
    }
  };

  /**
   * The value a column of this form stores for {@code cell}: the bytes ({@code byte[]}) or the
   * text ({@code String}).
   */
  public abstract Object store(byte[] cell);

  /**
   * The cell that {@code stored} holds, or null when it is not a cell (plaintext). A non-null
   * value as {@link #read} returns it: the bytes of a {@code byte[]}, the text form of a
   * {@code String}. Either is recognised whatever this form is, since converting a column from
   * one form to the other hands one form's values to the other's.
   */
  public byte[] cellOf(Object stored) {
    if (stored instanceof byte[] bytes) {
      return CellShape.looksLikeCell(bytes) ? bytes : null;
    }
    return CellShape.fromText((String) stored);
  }

  /** Reads column {@code index} of the current row as this form stores it; null for SQL NULL. */
  public abstract Object read(ResultSet rs, int index) throws SQLException;

  /** Binds {@code stored} (what {@link #store} or {@link #read} gave; null for SQL NULL). */
  public abstract void bind(PreparedStatement ps, int index, Object stored) throws SQLException;

  /**
   * The form of {@code column}, whose catalog type is {@code typeName} (a domain's base type)
   * with type modifier {@code typmod}.
   *
   * @throws VeilException {@link VeilError#DATATYPE_MISMATCH} naming the column when its type
   *     cannot hold a cell, with the {@code ALTER TABLE} that fixes it
   */
  public static StorageForm of(ColumnPolicy column, String typeName, int typmod)
      throws VeilException {
    String table = column.schema() + "." + column.table();
    switch (typeName) {
      case "bytea":
        return BINARY;
      case "text":
        return TEXT;
      case "varchar":
        if (typmod < 0) {
          return TEXT;
        }
        throw new VeilException(VeilError.DATATYPE_MISMATCH,
            column.qualifiedName() + " is varchar(" + (typmod - 4) + "), too short for an"
            + " encrypted value, which is longer than the plaintext. Fix: ALTER TABLE " + table
            + " ALTER COLUMN " + column.column() + " TYPE text (or bytea, recommended)");
      default:
        throw new VeilException(VeilError.DATATYPE_MISMATCH,
            column.qualifiedName() + " is of type " + typeName + ", which cannot hold an"
            + " encrypted value. Fix: ALTER TABLE " + table + " ALTER COLUMN "
            + column.column() + " TYPE bytea USING NULL (an empty column), or TYPE text USING "
            + column.column() + "::text to keep existing values for migration with"
            + " veil.plaintextReads=allow");
    }
  }
}
