package org.veil.jdbc;

import org.veil.catalog.StorageForm;
import org.veil.crypto.CellShape;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.postgresql.util.PGobject;
import org.veil.config.ColumnPolicy;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellColumn;
import org.veil.crypto.Opened;
import org.veil.error.VeilError;
import org.veil.crypto.KeyUnavailableException;

/**
 * Veil cells found where Veil traced no encrypted column: recognised in a few comparisons,
 * opened when they can only be one column's value, refused otherwise. Never returned as data.
 *
 * <p>The rule. A result column that the server traces to a base column (a table's or a view's)
 * is that column: if it is not configured, a cell in it is refused, because the column has an
 * identity of its own, and a cell copied there from an encrypted column must not open (the
 * guarantee of a column's context). A value with no base column (a function's result, in a
 * result set or in {@code RETURNS TABLE}/{@code SETOF} rows, an expression, an OUT parameter of
 * a function or procedure) has no column identity to protect: a cell there is opened under the
 * configured column whose context authenticates it, since its associated data names that
 * context and it opens under no other. A cell that authenticates under no configured column's
 * context (its column is not configured, or it was altered) is refused. So is the cell of a
 * row-bound column ({@code :bind=}): its associated data holds its row's binding value too, and a
 * value with no column of its own comes with no row.
 *
 * <p>Warning: whoever can change a function can make it return another encrypted column's
 * value; Veil opens it as that column's value (a cell in a table column cannot be moved so).
 *
 * <p>Immutable and thread-safe; one per runtime.
 */
final class UntracedCells {

  /** A cell opened where no column names it: its value and the column it was sealed for. */
  record Found(ColumnPolicy column, Object value) {}

  private final CellCodec codec;
  /** One configured column per context and mode, in configuration order; none row-bound. */
  private final List<ColumnPolicy> candidates;
  /** What the cryptography knows of each candidate, in the same order. */
  private final List<CellColumn> cellColumns;
  /**
   * The row-bound columns, for messages: their cells open only with their row's binding value,
   * which a value with no column of its own does not come with.
   */
  private final String rowBound;

  UntracedCells(CellCodec codec, Collection<ColumnPolicy> columns) {
    this.codec = codec;
    Set<String> seen = new LinkedHashSet<>();
    List<ColumnPolicy> list = new ArrayList<>();
    List<String> bound = new ArrayList<>();
    for (ColumnPolicy column : columns) {
      if (column.isRowBound()) {
        bound.add(column.qualifiedName() + " (:bind=" + column.bindingColumn() + ")");
      } else if (seen.add(column.mode() + " " + column.context())) {
        list.add(column);
      }
    }
    this.candidates = List.copyOf(list);
    this.cellColumns = list.stream().map(ColumnPolicy::cellColumn).toList();
    this.rowBound = String.join(", ", bound);
  }

  /**
   * Whether {@code value}, as pgjdbc returns it for a column of storage form {@code form},
   * starts like a cell: a few comparisons, no decoding. A bytea column's value read as text is
   * PostgreSQL's text output of the bytes; a text column's read as bytes is its UTF-8.
   */
  static boolean startsLikeCell(Object value, StorageForm form) {
    boolean binary = form == StorageForm.BINARY;
    if (value instanceof byte[] bytes) {
      return binary ? CellShape.looksLikeCell(bytes) : CellShape.startsLikeTextCell(bytes);
    }
    if (value instanceof String text) {
      return binary ? CellShape.startsLikeByteaText(text) : CellShape.startsLikeTextCell(text);
    }
    return value instanceof PGobject object && CellShape.startsLikeTextCell(object.getValue());
  }

  /**
   * Whether {@code value}, an OUT parameter as pgjdbc holds it (bytes for bytea, a string or
   * {@code PGobject} for text types), starts like a cell.
   */
  static boolean startsLikeCell(Object value) {
    if (value instanceof byte[] bytes) {
      return CellShape.looksLikeCell(bytes);
    }
    if (value instanceof String text) {
      return CellShape.startsLikeTextCell(text);
    }
    return value instanceof PGobject object && CellShape.startsLikeTextCell(object.getValue());
  }

  /** The cell bytes of a value that {@link #startsLikeCell} accepted; null when not decodable. */
  byte[] cellOf(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    String text = value instanceof PGobject object ? object.getValue() : (String) value;
    return CellShape.fromText(text);
  }

  /**
   * Opens {@code cell}, found at {@code where} (a result column or OUT parameter, for messages)
   * with no column of its own, under the configured column whose context it was sealed for.
   *
   * @param cell the bytes, or null when the value started like a cell but does not decode
   * @throws SQLException (22000) when no configured column's context opens it; (58000) when its
   *     key cannot be obtained
   */
  Found open(byte[] cell, String where) throws SQLException {
    if (cell == null || !CellShape.looksLikeCell(cell)) {
      throw SqlErrors.of(VeilError.CELL_INVALID, where + " holds a value that starts like a Veil cell but is not"
          + " one (altered, or truncated). Veil does not return it as data.");
    }
    for (int i = 0; i < candidates.size(); i++) {
      ColumnPolicy column = candidates.get(i);
      Opened opened;
      try {
        opened = codec.openIfSealedFor(cellColumns.get(i), cell);
      } catch (KeyUnavailableException e) {
        throw SqlErrors.of(VeilError.KEY_PROVIDER_FAILED, where + " holds a Veil cell whose key cannot be obtained: "
            + e.getMessage(), e);
      } catch (GeneralSecurityException e) {
        // Malformed whatever the column: the failure does not depend on the context tried.
        throw SqlErrors.of(VeilError.CELL_INVALID, where + " holds a Veil cell that does not open (key "
            + CellShape.keyIdOf(cell) + "): altered, truncated, or written with another key store."
            + " Veil does not return it as data.", e);
      }
      if (opened != null) {
        return new Found(column, opened.value());
      }
    }
    throw SqlErrors.of(VeilError.CELL_INVALID, where + " holds a Veil cell that opens under the context of no"
        + " configured column (key id " + CellShape.keyIdOf(cell) + "): the column it was sealed for"
        + " is not in veil.columns, or the cell was altered. Configure that column (or a column"
        + " with its :context=), or select the encrypted column itself."
        + (rowBound.isEmpty() ? "" : " If it is a cell of a column bound to its row ("
            + rowBound + "), it opens only where its row's binding value comes with it, which a"
            + " function's result or an OUT parameter does not: select that column from its"
            + " table or view, with its binding column."));
  }

  /**
   * The refusal of a cell in {@code where}, a result column whose base column {@code base}
   * ({@code schema.table.column}) is not configured.
   */
  static SQLException refused(String where, String base) {
    return SqlErrors.of(VeilError.CELL_INVALID, where + " holds a Veil cell, but Veil cannot trace it to an"
        + " encrypted column: it comes from " + base + ", which is not configured (a view that"
        + " renames the column, or a copy of a cell). Select the encrypted column itself, under"
        + " its own name, or configure " + base + " in veil.columns with the :context= of the"
        + " column the cells were sealed for.");
  }
}
