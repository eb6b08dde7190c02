package org.veil.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements at top-level semicolons and counts the JDBC {@code ?}
 * placeholders of each, following the lexical rules pgjdbc applies before binding: nothing inside
 * a string literal ({@code '...'}, {@code E'...'} with backslash escapes), a quoted identifier, a
 * dollar-quoted string or a comment ({@code --}, nested {@code /* *\/}) counts, and {@code ??} is
 * an escaped {@code ?} operator, not a placeholder.
 *
 * <p>Assumes {@code standard_conforming_strings = on}, the PostgreSQL default since 9.1.
 */
final class StatementSplitter {

  /** Stands in for pgjdbc's {@code ??}, {@code ??|} and {@code ??&} (jsonb operators). */
  private static final String ESCAPED_QUESTION_MARK_OPERATOR = " @> ";

  private final String sql;
  private final List<SqlSegment> segments = new ArrayList<>();
  private StringBuilder text = new StringBuilder();
  private int parameters;
  private boolean parameterFollowedByDigit;

  private StatementSplitter(String sql) {
    this.sql = sql;
  }

  /** The non-blank statements of {@code sql}, in order. */
  static List<SqlSegment> split(String sql) {
    StatementSplitter splitter = new StatementSplitter(sql);
    splitter.scan();
    return splitter.segments;
  }

  private void scan() {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
      if (c == '\'') {
        i = copy(i, endOfString(sql, i, isEscapeStringPrefix(sql, i)));
      } else if (c == '"') {
        i = copy(i, endOfQuoted(sql, i, '"'));
      } else if (c == '-' && next == '-') {
        i = blank(endOfLine(i));
      } else if (c == '/' && next == '*') {
        i = blank(endOfBlockComment(sql, i));
      } else if (c == '$' && (i == 0 || !isIdentifierPart(sql.charAt(i - 1)))
          && dollarTagEnd(sql, i) > 0) {
        i = copy(i, endOfDollarQuoted(sql, i, dollarTagEnd(sql, i)));
      } else if (c == '?' && next == '?') {
        int end = i + 2;
        if (end < n && (sql.charAt(end) == '|' || sql.charAt(end) == '&')) {
          end++;
        }
        text.append(ESCAPED_QUESTION_MARK_OPERATOR);
        i = end;
      } else if (c == '?') {
        parameters++;
        parameterFollowedByDigit |= Character.isDigit(next);
        text.append(c);
        i++;
      } else if (c == ';') {
        finishSegment();
        i++;
      } else {
        text.append(c);
        i++;
      }
    }
    finishSegment();
  }

  private void finishSegment() {
    SqlSegment segment = new SqlSegment(text.toString(), parameters, parameterFollowedByDigit);
    if (!segment.isBlank() || parameters > 0) {
      segments.add(segment);
    }
    text = new StringBuilder();
    parameters = 0;
    parameterFollowedByDigit = false;
  }

  private int copy(int from, int to) {
    text.append(sql, from, to);
    return to;
  }

  private int blank(int to) {
    text.append(' ');
    return to;
  }

  static boolean isEscapeStringPrefix(String sql, int quote) {
    return quote > 0 && (sql.charAt(quote - 1) == 'e' || sql.charAt(quote - 1) == 'E')
        && (quote == 1 || !isIdentifierPart(sql.charAt(quote - 2)));
  }

  /** The index after the string literal opening at {@code quote}. */
  static int endOfString(String sql, int quote, boolean backslashEscapes) {
    int i = quote + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
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

  static int endOfQuoted(String sql, int open, char quote) {
    int i = open + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  private int endOfLine(int start) {
    int i = start;
    while (i < sql.length() && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
      i++;
    }
    return i;
  }

  static int endOfBlockComment(String sql, int start) {
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

  /** The index after the closing {@code $} of a dollar-quote tag starting at {@code start}, or -1. */
  static int dollarTagEnd(String sql, int start) {
    int i = start + 1;
    if (i < sql.length() && Character.isDigit(sql.charAt(i))) {
      return -1;
    }
    while (i < sql.length()
        && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
      i++;
    }
    return i < sql.length() && sql.charAt(i) == '$' ? i + 1 : -1;
  }

  static int endOfDollarQuoted(String sql, int start, int tagEnd) {
    String tag = sql.substring(start, tagEnd);
    int close = sql.indexOf(tag, tagEnd);
    return close < 0 ? sql.length() : close + tag.length();
  }

  static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
