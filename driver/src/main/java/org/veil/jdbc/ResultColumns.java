package org.veil.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import org.postgresql.PGResultSetMetaData;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;

/**
 * How Veil reads each column of one result: which columns are encrypted, from the base table
 * and column the server reports for each result column, and how their cells are stored, from
 * the type it reports (so that a column converted from text to bytea while the application runs
 * is read right at once, whatever the column catalog still remembers); and, for the others of
 * type bytea or text, what a Veil cell found in them means ({@link UntracedCells}). Immutable.
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

  static final ResultColumns NONE = new ResultColumns(null, null, null);

  private final ColumnPolicy[] policies;
  private final ColumnCatalog.StorageForm[] forms;
  private final Reading[] readings;

  private ResultColumns(ColumnPolicy[] policies, ColumnCatalog.StorageForm[] forms,
      Reading[] readings) {
    this.policies = policies;
    this.forms = forms;
    this.readings = readings;
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
    ColumnCatalog.StorageForm[] forms = new ColumnCatalog.StorageForm[count];
    Reading[] readings = new Reading[count];
    boolean any = false;
    for (int i = 1; i <= count; i++) {
      int type = md.getColumnType(i);
      ColumnCatalog.StorageForm form = type == Types.BINARY ? ColumnCatalog.StorageForm.BINARY
          : isText(type) ? ColumnCatalog.StorageForm.TEXT : null;
      String table = base.getBaseTableName(i);
      boolean hasBase = table != null && !table.isEmpty();
      ColumnPolicy p = hasBase
          ? columns.find(base.getBaseSchemaName(i), table, base.getBaseColumnName(i)) : null;
      Reading reading;
      if (p != null) {
        reading = Reading.ENCRYPTED;
        form = type == Types.BINARY ? ColumnCatalog.StorageForm.BINARY
            : ColumnCatalog.StorageForm.TEXT;
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
    }
    return any ? new ResultColumns(policies, forms, readings) : NONE;
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

  /** How column {@code index} holds a cell: bytes, or text; null when it cannot hold one. */
  ColumnCatalog.StorageForm form(int index) {
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
