package org.veil.error;

/**
 * Every error Veil raises itself, with the SQLSTATE it is reported under: the one place that
 * maps Veil's errors to SQLSTATEs.
 *
 * <p>The codes are PostgreSQL's own (so pgjdbc users, pools and frameworks classify them as they
 * would the server's) and chosen so that a refusal never costs the application its connection:
 * HikariCP evicts a pooled connection on class {@code 08} and on {@code 0A000},
 * {@code 57P01..57P03}, {@code 01002}, {@code JZ0C0} and {@code JZ0C1}; Veil raises class
 * {@code 08} only while opening a connection, and none of the others. Spring's translators turn
 * class {@code 42} into {@code BadSqlGrammarException}, classes {@code 22}/{@code 23} into
 * {@code DataIntegrityViolationException}, {@code 58} into
 * {@code DataAccessResourceFailureException} and {@code 40001} into a
 * {@code PessimisticLockingFailureException} (retryable). The README's table of SQLSTATEs lists
 * the same constants.
 *
 * <p>Several constants may share a code; each says in what situation Veil raises it. The lower
 * layers raise these through {@link VeilException}; the JDBC layer reports them as
 * {@code SQLException}s; the command-line tools may use the codes directly. This package depends
 * on no other part of Veil.
 */
public enum VeilError {

  // ---------------------------------------------------------------- opening a connection

  /** 08001: Veil refused to open a connection, for a setting that would weaken TLS 1.3. */
  CONNECTION_REFUSED("08001", "Veil refused to open the connection: a setting would weaken"
      + " verify-full over TLS 1.3, or the URL is not one Veil can open"),

  /** 08004: the server's side of a new connection cannot be trusted as configured. */
  CONNECTION_REJECTED("08004", "the server side of a new connection cannot be trusted as"
      + " configured"),

  // ---------------------------------------------------------------- configuration

  /** 22023 invalid_parameter_value: a {@code veil.*} setting is malformed or unknown. */
  INVALID_CONFIGURATION("22023", "a veil.* setting is malformed, unknown, out of range or"
      + " contradicts another"),

  /** 42703 undefined_column: a configured encrypted column, or its table, does not exist. */
  UNDEFINED_COLUMN("42703", "a configured encrypted column, or its table, does not exist"),

  /** 42804 datatype_mismatch: a column type or a bound value cannot be used as it is. */
  DATATYPE_MISMATCH("42804", "an encrypted column's type cannot hold a cell, or a value cannot"
      + " be converted to the column's type"),

  // ---------------------------------------------------------------- statements

  /** 42000: SQL, or a JDBC call, that Veil cannot serve on an encrypted column. */
  OPERATION_REFUSED("42000", "SQL or a JDBC call that Veil cannot serve on an encrypted column"
      + " (an operator the server would compute on ciphertext, SQL Veil cannot analyse, COPY,"
      + " an updatable result set)"),

  /** 42501 insufficient_privilege: a literal value aimed at an encrypted column. */
  PLAINTEXT_REFUSED("42501", "a literal value aimed at an encrypted column, which would reach"
      + " the server as plaintext"),

  /** 22P02 invalid_text_representation: an opened value is not valid for the type asked for. */
  INVALID_VALUE("22P02", "the value of an encrypted column is not valid for the type a getter"
      + " asked for"),

  /** 58030 io_error: the stream bound to an encrypted column could not be read. */
  STREAM_UNREADABLE("58030", "the stream bound to an encrypted column could not be read"),

  /**
   * 40001 serialization_failure: an encrypted column was converted from text to bytea while a
   * transaction ran, after a statement had bound its value as text; running the transaction
   * again succeeds.
   */
  COLUMN_CONVERTED("40001", "an encrypted column was converted from text to bytea under a"
      + " running transaction; run the transaction again"),

  /**
   * 55000 object_not_in_prerequisite_state: a statement's unqualified table names came to mean
   * other tables (the search path changed) after values were bound for the old ones, or one SQL
   * text changes the search path and then names an encrypted table without a schema.
   */
  SEARCH_PATH_CHANGED("55000", "a statement's table names came to mean other tables after its"
      + " values were bound, or one text changes the search path before naming an encrypted"
      + " table without a schema"),

  /**
   * 25P02 in_failed_sql_transaction: the session's search path had to be read while the
   * transaction has failed; roll back first.
   */
  SEARCH_PATH_UNREADABLE("25P02", "the search path had to be read while the transaction has"
      + " failed"),

  // ---------------------------------------------------------------- reading and keys

  /** 22000 data_exception: a stored value is not a Veil cell, or fails authentication. */
  CELL_INVALID("22000", "a stored value is not a Veil cell, or fails authentication (altered,"
      + " truncated, moved from another column)"),

  /**
   * 25006 read_only_sql_transaction: a key had to be created or rotated, and none of the URL's
   * hosts answered as a primary (keys are written on a primary and replicate to standbys).
   */
  PRIMARY_NEEDED("25006", "a key had to be written to veil_keys and no host of the URL answered"
      + " as a primary"),

  /** 58000 system_error: the key provider failed or did not answer in time. */
  KEY_PROVIDER_FAILED("58000", "the key provider failed, or did not answer in time"),

  // ---------------------------------------------------------------- command-line jobs

  /** 40001 serialization_failure: rows or keys a job works on kept changing under it. */
  JOB_CONFLICT("40001", "rows or keys a job works on changed under it; run it again"),

  /** 55P03 lock_not_available: a job could not take a lock in the attempts it was given. */
  LOCK_NOT_AVAILABLE("55P03", "a job could not take the lock it needs"),

  /** 55000 object_not_in_prerequisite_state: a table or job is not ready for a command. */
  NOT_READY("55000", "a table, column, key or job is not in the state the command needs"),

  /** 42P01 undefined_table: the table a command names does not exist. */
  UNDEFINED_TABLE("42P01", "the table a command names does not exist"),

  /** 42602 invalid_name: a name given to a command is not a valid table name. */
  INVALID_NAME("42602", "a name given to a command is not a valid [schema.]table"),

  /** 42622 name_too_long: a name a command would create exceeds PostgreSQL's 63 bytes. */
  NAME_TOO_LONG("42622", "a name a command would create is longer than PostgreSQL's 63 bytes"),

  /** 42710 duplicate_object: a constraint a command would create exists already, not as Veil's. */
  DUPLICATE_OBJECT("42710", "a constraint a command would create exists already and is not"
      + " Veil's"),

  /** 42701 duplicate_column: a column a command would create exists already. */
  DUPLICATE_COLUMN("42701", "a column a command would create exists already");

  private final String sqlState;
  private final String meaning;

  VeilError(String sqlState, String meaning) {
    this.sqlState = sqlState;
    this.meaning = meaning;
  }

  /** The five-character SQLSTATE this error is reported under; never null. */
  public String sqlState() {
    return sqlState;
  }

  /** What the error means, in one line, for documentation; never null. */
  public String meaning() {
    return meaning;
  }
}
