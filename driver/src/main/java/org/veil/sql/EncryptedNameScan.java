package org.veil.sql;

import java.util.ArrayList;
import java.util.List;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;

/**
 * The fallback for SQL that cannot be analysed: a case-insensitive search for the name of an
 * encrypted column together with the name of its table. Substring matching errs toward refusing,
 * which is the safe direction.
 */
final class EncryptedNameScan {

  private EncryptedNameScan() {}

  /** The encrypted columns whose table and column names both occur in {@code sql}. */
  static List<ColumnPolicy> mentioned(EncryptedColumns columns, String sql) {
    List<ColumnPolicy> mentioned = new ArrayList<>();
    for (ColumnPolicy column : columns.all()) {
      if (contains(sql, column.table()) && contains(sql, column.column())) {
        mentioned.add(column);
      }
    }
    return mentioned;
  }

  /** The encrypted columns of every encrypted table whose name occurs in {@code sql}. */
  static List<ColumnPolicy> tablesMentioned(EncryptedColumns columns, String sql) {
    List<ColumnPolicy> mentioned = new ArrayList<>();
    for (ColumnPolicy column : columns.all()) {
      if (contains(sql, column.table())) {
        mentioned.add(column);
      }
    }
    return mentioned;
  }

  /** Refuses {@code sql} as unanalysable when it names an encrypted column of a table it names. */
  static void refuseIfMentioned(EncryptedColumns columns, String sql) {
    List<ColumnPolicy> mentioned = mentioned(columns, sql);
    if (!mentioned.isEmpty()) {
      throw RefusedStatement.unanalysable(mentioned.get(0));
    }
  }

  private static boolean contains(String haystack, String needle) {
    int max = haystack.length() - needle.length();
    for (int i = 0; i <= max; i++) {
      if (haystack.regionMatches(true, i, needle, 0, needle.length())) {
        return true;
      }
    }
    return false;
  }
}
