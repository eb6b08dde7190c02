package org.veil.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import org.postgresql.PGResultSetMetaData;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;

/**
 * Which columns of one result are encrypted, from the base table and column the server reports
 * for each result column, and how their cells are stored, from the type it reports: so that a
 * column converted from text to bytea while the application runs is read right at once, whatever
 * the column catalog still remembers. Immutable.
 */
final class ResultColumns {

  static final ResultColumns NONE = new ResultColumns(null, null);

  private final ColumnPolicy[] policies;
  private final ColumnCatalog.StorageForm[] forms;

  private ResultColumns(ColumnPolicy[] policies, ColumnCatalog.StorageForm[] forms) {
    this.policies = policies;
    this.forms = forms;
  }

  /**
   * Resolves the columns of {@code result}. pgjdbc looks the base columns up once per
   * connection and table, and knows the types of bytea and text without a query, so a repeated
   * query costs hash lookups, not a catalog query.
   */
  static ResultColumns of(ResultSetMetaData md, EncryptedColumns columns) throws SQLException {
    PGResultSetMetaData base = md.unwrap(PGResultSetMetaData.class);
    int count = md.getColumnCount();
    ColumnPolicy[] policies = null;
    ColumnCatalog.StorageForm[] forms = null;
    for (int i = 1; i <= count; i++) {
      String table = base.getBaseTableName(i);
      if (table == null || table.isEmpty()) {
        continue;
      }
      ColumnPolicy p = columns.find(base.getBaseSchemaName(i), table, base.getBaseColumnName(i));
      if (p != null) {
        if (policies == null) {
          policies = new ColumnPolicy[count];
          forms = new ColumnCatalog.StorageForm[count];
        }
        policies[i - 1] = p;
        forms[i - 1] = md.getColumnType(i) == Types.BINARY ? ColumnCatalog.StorageForm.BINARY
            : ColumnCatalog.StorageForm.TEXT;
      }
    }
    return policies == null ? NONE : new ResultColumns(policies, forms);
  }

  /** The policy of column {@code index} (1-based), or null when it is not encrypted. */
  ColumnPolicy policy(int index) {
    return policies == null || index < 1 || index > policies.length ? null : policies[index - 1];
  }

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
