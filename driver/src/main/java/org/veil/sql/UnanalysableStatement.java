package org.veil.sql;

/**
 * Raised when a parsed statement uses syntax that statement analysis does not model. The
 * analyzer then falls back to refusing the statement if it names an encrypted column.
 */
final class UnanalysableStatement extends RuntimeException {

  UnanalysableStatement(String what) {
    super(what, null, false, false);
  }
}
