package org.veil.jdbc;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;
import org.postgresql.PGResultSetMetaData;
import org.veil.catalog.StorageForm;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.error.VeilError;

/**
 * How Veil reads each column of one result: which columns are encrypted, from the base table
 * and column the server reports for each result column, and how their cells are stored, from
 * the type it reports (so that a column converted from text to bytea while the application runs
 * is read right at once, whatever the column catalog still remembers); and, for the others of
 * type bytea or text, what a Veil cell found in them means ({@link UntracedCells}); and, for a
 * row-bound column ({@code :bind=}), which result columns hold its binding value. Immutable.
 */
final class ResultColumns {

  /** How Veil reads one result column. */
  enum Reading {
    /** Neither bytea nor text, or nothing is encrypted: pgjdbc's value, untouched. */
    AS_IS,
    /** Traced to an encrypted column: opened under its policy. */
    ENCRYPTED,
    /** No base column (a function's result, an expression): a cell opens by its context. */
    CELL_BY_CONTEXT,
    /** A base column that is not encrypted: a cell in it is refused. */
    CELL_REFUSED,
    /** A refcursor: the result set it opens is read through Veil as well. */
    REF_CURSOR
  }

  static final ResultColumns NONE = new ResultColumns(null, null, null, null);

  private final ColumnPolicy[] policies;
  private final StorageForm[] forms;
  private final Reading[] readings;
  /** For each row-bound column, where its binding value is; null when none is row-bound. */
  private final Binding[] bindings;

  private ResultColumns(ColumnPolicy[] policies, StorageForm[] forms,
      Reading[] readings, Binding[] bindings) {
    this.policies = policies;
    this.forms = forms;
    this.readings = readings;
    this.bindings = bindings;
  }

  /**
   * Resolves the columns of {@code result}. pgjdbc looks the base columns up once per
   * connection and table, and knows the types of bytea and text without a query, so a repeated
   * query costs hash lookups, not a catalog query.
   */
  static ResultColumns of(ResultSetMetaData md, EncryptedColumns columns) throws SQLException {
    PGResultSetMetaData base = md.unwrap(PGResultSetMetaData.class);
    int count = md.getColumnCount();
    ColumnPolicy[] policies = new ColumnPolicy[count];
    StorageForm[] forms = new StorageForm[count];
    Reading[] readings = new Reading[count];
    boolean any = false;
    boolean rowBound = false;
    for (int i = 1; i <= count; i++) {
      int type = md.getColumnType(i);
      StorageForm form = type == Types.BINARY ? StorageForm.BINARY
          : isText(type) ? StorageForm.TEXT : null;
      String table = base.getBaseTableName(i);
      boolean hasBase = table != null && !table.isEmpty();
      ColumnPolicy p = hasBase
          ? columns.find(base.getBaseSchemaName(i), table, base.getBaseColumnName(i)) : null;
      Reading reading;
      if (p != null) {
        reading = Reading.ENCRYPTED;
        form = type == Types.BINARY ? StorageForm.BINARY
            : StorageForm.TEXT;
      } else if (type == Types.REF_CURSOR) {
        reading = Reading.REF_CURSOR;
      } else if (form == null) {
        reading = Reading.AS_IS;
      } else {
        reading = hasBase ? Reading.CELL_REFUSED : Reading.CELL_BY_CONTEXT;
      }
      policies[i - 1] = p;
      forms[i - 1] = form;
      readings[i - 1] = reading;
      any |= reading != Reading.AS_IS;
      rowBound |= p != null && p.isRowBound();
    }
    if (!any) {
      return NONE;
    }
    return new ResultColumns(policies, forms, readings,
        rowBound ? bindings(md, base, policies) : null);
  }

  /**
   * Where each row-bound column of a result finds its row's binding value: the result columns
   * whose base column is its binding column. Once per result, not per row.
   */
  private static Binding[] bindings(ResultSetMetaData md, PGResultSetMetaData base,
      ColumnPolicy[] policies) throws SQLException {
    int count = policies.length;
    String[] names = new String[count];
    for (int j = 1; j <= count; j++) {
      String table = base.getBaseTableName(j);
      if (table != null && !table.isEmpty()) {
        String schema = base.getBaseSchemaName(j);
        names[j - 1] = fold(schema == null || schema.isEmpty() ? EncryptedColumns.DEFAULT_SCHEMA
            : schema) + "." + fold(table) + "." + fold(base.getBaseColumnName(j));
      }
    }
    Binding[] bindings = new Binding[count];
    for (int i = 1; i <= count; i++) {
      ColumnPolicy p = policies[i - 1];
      if (p == null || !p.isRowBound()) {
        continue;
      }
      String wanted = p.qualifiedBindingColumn();
      int[] candidates = IntStream.rangeClosed(1, count)
          .filter(j -> wanted.equals(names[j - 1])).toArray();
      bindings[i - 1] = new Binding(p, candidates,
          "result column " + i + " (" + md.getColumnLabel(i) + ")");
    }
    return bindings;
  }

  private static String fold(String name) {
    return name == null ? "" : name.toLowerCase(Locale.ROOT);
  }

  /**
   * Where a row-bound column of one result finds its row's binding value: the result columns
   * whose base column is its binding column, read with pgjdbc's {@code getString}, the server's
   * text output. Immutable.
   */
  static final class Binding implements VeilRuntime.RowBindingReader {

    private final ColumnPolicy column;
    private final int[] candidates;
    /** The result column, for messages. */
    private final String where;

    Binding(ColumnPolicy column, int[] candidates, String where) {
      this.column = column;
      this.candidates = candidates;
      this.where = where;
    }

    /**
     * Refuses a result that does not hold the binding column: its column cannot be read, in any
     * row, SQL NULL or not.
     *
     * @throws SQLException (42000) naming the column to add to the SELECT list
     */
    void requireColumn() throws SQLException {
      if (candidates.length == 0) {
        throw SqlErrors.of(VeilError.OPERATION_REFUSED, where + " is encrypted column "
            + column.qualifiedName() + ", whose cells are bound to their row by "
            + column.qualifiedBindingColumn() + " (:bind=" + column.bindingColumn() + "), and"
            + " the result does not hold that column. Add " + column.bindingColumn() + " of "
            + column.schema() + "." + column.table() + " to the SELECT (or RETURNING) list to"
            + " read " + column.column() + ".");
      }
    }

    /**
     * @throws SQLException (42000) when the result has no column that is the binding column, or
     *     several that differ in this row; (22000) when the row's binding value is NULL
     */
    @Override
    public byte[] read(ResultSet result) throws SQLException {
      requireColumn();
      String value = result.getString(candidates[0]);
      for (int k = 1; k < candidates.length; k++) {
        if (!Objects.equals(value, result.getString(candidates[k]))) {
          throw SqlErrors.of(VeilError.OPERATION_REFUSED, where + " is encrypted column "
              + column.qualifiedName() + ", bound to its row by "
              + column.qualifiedBindingColumn() + ", and the result holds "
              + candidates.length + " columns that are " + column.qualifiedBindingColumn()
              + " (a self-join?) with different values in this row, so Veil cannot tell which"
              + " is the cell's row. Read the rows of " + column.schema() + "."
              + column.table() + " in a query that selects " + column.bindingColumn()
              + " once.");
        }
      }
      if (value == null) {
        throw SqlErrors.of(VeilError.CELL_INVALID, where + " holds a cell of encrypted column "
            + column.qualifiedName() + ", bound to its row by "
            + column.qualifiedBindingColumn() + ", and that is NULL in this row: no cell can"
            + " be bound to it (moved from another row, or its " + column.bindingColumn()
            + " cleared). Veil does not return it as data.");
      }
      return RowBinding.ofRead(value);
    }
  }

  /** Types whose values pgjdbc hands back as text, where a text cell could be. */
  private static boolean isText(int type) {
    return switch (type) {
      case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.NCHAR,
          Types.LONGNVARCHAR, Types.OTHER -> true;
      default -> false;
    };
  }

  /** How column {@code index} (1-based) is read; {@link Reading#AS_IS} when out of range. */
  Reading reading(int index) {
    return readings == null || index < 1 || index > readings.length ? Reading.AS_IS
        : readings[index - 1];
  }

  /** The policy of column {@code index} (1-based), or null when it is not encrypted. */
  ColumnPolicy policy(int index) {
    return policies == null || index < 1 || index > policies.length ? null : policies[index - 1];
  }

  /**
   * Where row-bound column {@code index} (1-based) finds its row's binding value; null when the
   * column is not row-bound.
   */
  Binding binding(int index) {
    return bindings == null || index < 1 || index > bindings.length ? null
        : bindings[index - 1];
  }

  /** How column {@code index} holds a cell: bytes, or text; null when it cannot hold one. */
  StorageForm form(int index) {
    return forms[index - 1];
  }

  /** The first encrypted column, or null when there is none. */
  ColumnPolicy first() {
    if (policies != null) {
      for (ColumnPolicy p : policies) {
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }
}
