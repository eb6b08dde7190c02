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

  /**
   * 42710 duplicate_object: an object Veil would create (a column's database-side guard) exists
   * under its name already and is not Veil's.
   */
  public static final String DUPLICATE_OBJECT = "42710";

  /** 42804 datatype_mismatch: an encrypted column's type cannot hold a cell. */
  public static final String DATATYPE_MISMATCH = "42804";

  /**
   * 40001 serialization_failure: an encrypted column was converted from text to bytea while the
   * transaction ran, after a statement had bound its value in text form; the transaction is
   * aborted and can be retried as it is (Veil binds bytea from then on).
   */
  public static final String COLUMN_CONVERTED = "40001";

  private VeilSqlState() {}
}
