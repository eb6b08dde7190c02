package org.veil.jdbc;

/**
 * The SQLSTATE codes Veil's own errors carry, chosen from the standard classes so that
 * applications and pools classify them as they would pgjdbc's.
 */
public final class VeilSqlState {

  /** 08001: the client refused to open the connection (a TLS setting Veil does not allow). */
  public static final String CONNECTION_REFUSED = "08001";

  /** 08004: the server side of the connection cannot be trusted as configured. */
  public static final String CONNECTION_REJECTED = "08004";

  /** 22023 invalid_parameter_value: a veil.* setting is malformed or unknown. */
  public static final String INVALID_CONFIGURATION = "22023";

  /** 0A000 feature_not_supported: SQL or an operation Veil cannot serve on an encrypted column. */
  public static final String NOT_SUPPORTED = "0A000";

  /** 42501 insufficient_privilege: a plaintext literal aimed at an encrypted column. */
  public static final String PLAINTEXT_REFUSED = "42501";

  /** 22000 data_exception: a stored cell failed authentication or is not a Veil cell. */
  public static final String CELL_INVALID = "22000";

  /** 58000 system_error: the key provider failed or did not answer in time. */
  public static final String KEY_PROVIDER_FAILED = "58000";

  /** 42P01 undefined_table / 42703 undefined_column: a configured column does not exist. */
  public static final String UNDEFINED_COLUMN = "42703";

  /** 42804 datatype_mismatch: an encrypted column's type cannot hold a cell. */
  public static final String DATATYPE_MISMATCH = "42804";

  /**
   * 40001 serialization_failure: an encrypted column was converted from text to bytea while the
   * transaction ran, after a statement had bound its value in text form; the transaction is
   * aborted and can be retried as it is (Veil binds bytea from then on).
   */
  public static final String COLUMN_CONVERTED = "40001";

  /**
   * 25P02 in_failed_sql_transaction: Veil must read the session's search path to tell which
   * table a name means, and cannot while the transaction has failed; roll back first.
   */
  public static final String SEARCH_PATH_UNREADABLE = "25P02";

  /**
   * 55000 object_not_in_prerequisite_state: the search path may change between where a table
   * name was resolved and where the server resolves it (parameters bound, or a batch built,
   * before it changed; a later statement of the same text after a SET). Bind again, or run the
   * statements separately.
   */
  public static final String SEARCH_PATH_CHANGED = "55000";

  private VeilSqlState() {}
}
