package org.veil.sql;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which JDBC parameter a {@code CallableStatement} parameter name stands for, as far as the SQL
 * text says: PostgreSQL's named notation, {@code f(p_ssn => ?)} or {@code f(p_ssn := ?)}. The
 * {@code ?}s are numbered as pgjdbc numbers them (a {@code {? = call …}} result is 1), skipping
 * those in strings, quoted identifiers, dollar quotes and comments, and pgjdbc's {@code ??}.
 * A name passed by position cannot be found here: that needs the routine's definition.
 */
public final class NamedArguments {

  private NamedArguments() {}

  /**
   * The parameter index of each argument name (folded as PostgreSQL folds unquoted names) that
   * {@code sql} passes in named notation straight to a {@code ?}. Scanned once per statement.
   */
  public static Map<String, Integer> of(String sql) {
    Map<String, Integer> indexes = new HashMap<>();
    int n = sql.length();
    int parameter = 0;
    String lastName = null;
    boolean arrow = false;
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '-' && next == '-') {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
        continue;
      }
      if (c == '/' && next == '*') {
        i = StatementSplitter.endOfBlockComment(sql, i);
        continue;
      }
      String name = null;
      boolean wasArrow = arrow;
      arrow = false;
      if (c == '\'') {
        i = StatementSplitter.endOfString(sql, i,
            StatementSplitter.isEscapeStringPrefix(sql, i));
      } else if (c == '"') {
        int end = StatementSplitter.endOfQuoted(sql, i, '"');
        name = sql.substring(i + 1, Math.max(i + 1, end - 1)).replace("\"\"", "\"");
        i = end;
      } else if (c == '$' && (i == 0 || !StatementSplitter.isIdentifierPart(sql.charAt(i - 1)))
          && StatementSplitter.dollarTagEnd(sql, i) > 0) {
        i = StatementSplitter.endOfDollarQuoted(sql, i, StatementSplitter.dollarTagEnd(sql, i));
      } else if (Character.isLetter(c) || c == '_') {
        int end = i + 1;
        while (end < n && (Character.isLetterOrDigit(sql.charAt(end))
            || sql.charAt(end) == '_' || sql.charAt(end) == '$')) {
          end++;
        }
        name = sql.substring(i, end).toLowerCase(Locale.ROOT);
        i = end;
      } else if ((c == '=' && next == '>') || (c == ':' && next == '=')) {
        arrow = lastName != null;
        i += 2;
        continue; // keep lastName for the ? that follows
      } else if (c == '?' && next == '?') {
        i += 2;
      } else if (c == '?') {
        parameter++;
        if (wasArrow) {
          indexes.putIfAbsent(lastName, parameter);
        }
        i++;
      } else {
        i++;
      }
      lastName = name;
    }
    return indexes;
  }
}
