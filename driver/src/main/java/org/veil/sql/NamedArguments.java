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
        i = endOfBlockComment(sql, i);
        continue;
      }
      String name = null;
      boolean wasArrow = arrow;
      arrow = false;
      if (c == '\'') {
        i = endOfString(sql, i);
      } else if (c == '"') {
        int end = endOfQuoted(sql, i);
        name = sql.substring(i + 1, Math.max(i + 1, end - 1)).replace("\"\"", "\"");
        i = end;
      } else if (c == '$' && dollarTagEnd(sql, i) > 0) {
        int tagEnd = dollarTagEnd(sql, i);
        int close = sql.indexOf(sql.substring(i, tagEnd), tagEnd);
        i = close < 0 ? n : close + (tagEnd - i);
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

  private static int endOfBlockComment(String sql, int start) {
    int depth = 0;
    int i = start;
    while (i < sql.length()) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  /** The index after a string literal starting at {@code start}; backslashes in E'' strings. */
  private static int endOfString(String sql, int start) {
    boolean escapes = start > 0 && (sql.charAt(start - 1) == 'e' || sql.charAt(start - 1) == 'E');
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (escapes && c == '\\') {
        i += 2;
      } else if (c == '\'') {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  private static int endOfQuoted(String sql, int start) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == '"') {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == '"') {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  /** The index after a dollar-quote tag ({@code $$}, {@code $tag$}) at {@code start}, or -1. */
  private static int dollarTagEnd(String sql, int start) {
    if (start > 0 && (Character.isLetterOrDigit(sql.charAt(start - 1))
        || sql.charAt(start - 1) == '_')) {
      return -1;
    }
    int i = start + 1;
    while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i))
        || sql.charAt(i) == '_')) {
      if (i == start + 1 && Character.isDigit(sql.charAt(i))) {
        return -1; // $1 is a positional parameter, not a tag
      }
      i++;
    }
    return i < sql.length() && sql.charAt(i) == '$' ? i + 1 : -1;
  }
}
