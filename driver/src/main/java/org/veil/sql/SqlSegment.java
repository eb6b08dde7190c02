package org.veil.sql;

import java.util.Locale;

/**
 * One statement of a possibly multi-statement SQL string, as pgjdbc would number its parameters.
 *
 * @param parserText the statement as handed to JSqlParser: comments blanked out and pgjdbc's
 *     {@code ??} escapes replaced by an operator that JSqlParser accepts
 * @param parameterCount how many {@code ?} placeholders pgjdbc sees in the statement
 * @param parameterFollowedByDigit whether a placeholder is immediately followed by a digit, which
 *     JSqlParser reads as a numbered parameter ({@code ?1}) while pgjdbc reads a plain {@code ?}
 */
record SqlSegment(String parserText, int parameterCount, boolean parameterFollowedByDigit) {

  /** The first keyword, upper case, or the empty string. */
  String firstKeyword() {
    int start = 0;
    while (start < parserText.length() && !Character.isLetter(parserText.charAt(start))) {
      if (!Character.isWhitespace(parserText.charAt(start)) && parserText.charAt(start) != '(') {
        return "";
      }
      start++;
    }
    int end = start;
    while (end < parserText.length() && Character.isLetter(parserText.charAt(end))) {
      end++;
    }
    return parserText.substring(start, end).toUpperCase(Locale.ROOT);
  }

  boolean isBlank() {
    return parserText.isBlank();
  }
}
