package org.veil.sql;

/**
 * Where the binding value of a row-bound encrypted parameter is, in the same statement: another
 * {@code ?} parameter, or a literal of the SQL text ({@code :bind=<column>}). Immutable.
 *
 * @param parameter the 1-based index of the parameter that holds the value; 0 for a literal
 * @param literal the literal's value as SQL gives it (a number's digits, a string's content
 *     without quotes), to be normalised by the binding column's type; null for a parameter
 */
public record BindingSource(int parameter, String literal) {

  /** Whether the value is a literal of the SQL text rather than a parameter. */
  public boolean isLiteral() {
    return parameter == 0;
  }
}
