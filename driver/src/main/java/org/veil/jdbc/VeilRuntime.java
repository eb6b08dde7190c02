package org.veil.jdbc;

import org.veil.catalog.StorageForm;
import org.veil.crypto.CellShape;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.postgresql.util.PGobject;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.VeilConfig;
import org.veil.config.VeilProperty;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellColumn;
import org.veil.crypto.RowSeal;
import org.veil.crypto.ValueType;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.keys.ConnectionSource;
import org.veil.keys.KeyHierarchy;
import org.veil.keys.KeyStoreConnections;
import org.veil.keys.KeyStoreException;
import org.veil.crypto.KeyUnavailableException;
import org.veil.metrics.VeilMetrics;
import org.veil.sql.SearchPathSource;
import org.veil.sql.StatementAnalyzer;
import org.veil.sql.StatementPlan;

/**
 * What the connections of one configuration share, built once from it: the column catalog, the
 * statement analysis cache and the cell codec with its key cache. The JDBC wrappers ask it what
 * a parameter or result column is and to seal or open values; this is where the crypto layer's
 * {@link GeneralSecurityException}s and statement analysis's {@link VeilException}s become
 * {@link SQLException}s, once ({@link SqlErrors}).
 *
 * <p>A configuration with no encrypted columns builds none of it, needs no key settings, and
 * pays nothing per statement. Thread-safe; one per data source, never static.
 */
final class VeilRuntime {

  private final VeilConfig config;
  private final ColumnCatalog catalog;
  private final KeyHierarchy keys;
  private final CellCodec codec;
  /** What the cryptography knows of each configured column, made once per column. */
  private final ConcurrentMap<ColumnPolicy, CellColumn> cellColumns = new ConcurrentHashMap<>();
  private final boolean plaintextReads;
  private final int analyzerCacheSize;
  private final ConnectionSource ownConnections;
  private final UntracedCells untracedCells;
  private final DeferredTables deferredTables;
  private final VeilMetrics metrics;
  /** Configured columns and the view columns that expose them; set by the first connection. */
  private volatile EncryptedColumns columns;
  private volatile StatementAnalyzer analyzer;

  /**
   * @param ownConnections Veil's own short-lived connections (never the application's) to the
   *     database of this runtime: for the key store (reads from the server the application is
   *     on, writes to a primary), and to read the catalog while an application transaction has
   *     failed (a read)
   * @throws VeilException when the key settings are incomplete or the key provider cannot start
   */
  VeilRuntime(VeilConfig config, KeyStoreConnections ownConnections) throws VeilException {
    this(config, ownConnections, new VeilMetrics(null));
  }

  /**
   * As {@link #VeilRuntime(VeilConfig, KeyStoreConnections)}, counting into {@code metrics}
   * (shared by the runtimes of one data source or driver).
   */
  VeilRuntime(VeilConfig config, KeyStoreConnections ownConnections, VeilMetrics metrics)
      throws VeilException {
    this.config = config;
    this.metrics = metrics;
    this.analyzerCacheSize = VeilProperty.SQL_CACHE_SIZE.getInt(config.toProperties());
    this.catalog = new ColumnCatalog(config.columns());
    this.plaintextReads = config.allowsPlaintextReads();
    this.columns = config.columns();
    this.ownConnections = ownConnections.reads();
    this.keys = config.columns().isEmpty() ? null
        : KeyHierarchy.open(config.toProperties(), ownConnections, metrics.keyCounters());
    this.codec = keys == null ? null : keys.codec();
    this.untracedCells = codec == null ? null : new UntracedCells(codec, config.columns().all());
    this.deferredTables = new DeferredTables(catalog, config.entityNames(), this.ownConnections);
  }

  /**
   * Checks the settings a runtime for {@code config} will read, before a connection is opened
   * for it (the runtime itself is built after connecting, for the database reached).
   *
   * @throws VeilException {@link VeilError#INVALID_CONFIGURATION} for a malformed setting
   */
  static void checkSettings(VeilConfig config) throws VeilException {
    Properties props = config.toProperties();
    VeilProperty.SQL_CACHE_SIZE.getInt(props);
    VeilProperty.GUARD.getChoice(props);
    if (!config.columns().isEmpty()) {
      KeyHierarchy.checkSettings(props);
      if (VeilProperty.CELLS_VERSION.getChoice(props).equals("2")) {
        for (ColumnPolicy column : config.columns().all()) {
          if (column.isRowBound()) {
            throw new VeilException(VeilError.INVALID_CONFIGURATION, "column "
                + column.qualifiedName() + " is bound to its row (:bind="
                + column.bindingColumn() + "), which format v2 cannot carry: "
                + VeilProperty.CELLS_VERSION.getName() + "=2 is for a rolling upgrade from an"
                + " older Veil; set :bind once every instance runs this version and writes v3");
          }
        }
      }
    }
  }

  /** Releases the key provider and its cached keys; runtimes live as long as their driver. */
  void close() {
    if (keys != null) {
      keys.close();
    }
  }

  VeilConfig config() {
    return config;
  }

  /** What this runtime counts into. */
  VeilMetrics metrics() {
    return metrics;
  }

  /** A refusal for {@code reason} ({@link SqlErrors#of(VeilError, String)}), counted. */
  SQLException refusal(VeilError reason, String message) {
    return refused(reason, SqlErrors.of(reason, message));
  }

  /** A refusal for {@code reason} with its cause, counted. */
  SQLException refusal(VeilError reason, String message, Throwable cause) {
    return refused(reason, SqlErrors.of(reason, message, cause));
  }

  /** Counts {@code refusal}, made by {@link SqlErrors} for {@code reason}, and returns it. */
  private SQLException refused(VeilError reason, SQLException refusal) {
    metrics.refused(reason);
    return refusal;
  }

  boolean encryptsAnything() {
    return codec != null;
  }

  /** The cell codec, for tools and tests; null when nothing is encrypted. */
  CellCodec codec() {
    return codec;
  }

  /** The key hierarchy, for tools and tests; null when nothing is encrypted. */
  KeyHierarchy keys() {
    return keys;
  }

  /** What the cryptography knows of {@code column}. */
  CellColumn cell(ColumnPolicy column) {
    CellColumn cell = cellColumns.get(column);
    return cell != null ? cell : cellColumns.computeIfAbsent(column, ColumnPolicy::cellColumn);
  }

  /**
   * Called with each new pgjdbc connection, before the application sees it. The first checks
   * the configured columns against the database; until one succeeds, each connection tries.
   */
  void onConnect(Connection pg) throws SQLException {
    if (codec == null || analyzer != null) {
      return;
    }
    synchronized (this) {
      if (analyzer == null) {
        catalog.check(pg);
        GuardCheck.atFirstConnection(config, pg);
        useViews(catalog.viewColumns(pg));
      }
    }
  }

  /**
   * Called after SQL text ran on {@code pg}: if it may have created, replaced or dropped a view,
   * the view columns that expose encrypted columns are found again, so that writes through a
   * view made after the first connection are sealed too.
   */
  void afterExecute(String sql, Connection pg) throws SQLException {
    if (codec != null && mayChangeViews(sql)) {
      synchronized (this) {
        useViews(catalog.viewColumns(pg));
      }
    }
  }

  /** DDL (CREATE, ALTER, DROP) that mentions a view; costs a scan of the leading keyword. */
  static boolean mayChangeViews(String sql) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == ';') {
        i++;
      } else if (sql.startsWith("--", i)) {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
      } else if (sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else {
        break;
      }
    }
    boolean ddl = sql.regionMatches(true, i, "create", 0, 6)
        || sql.regionMatches(true, i, "alter", 0, 5) || sql.regionMatches(true, i, "drop", 0, 4);
    if (!ddl) {
      return false;
    }
    for (int j = i, last = n - 4; j <= last; j++) {
      if (sql.regionMatches(true, j, "view", 0, 4)) {
        return true;
      }
    }
    return false;
  }

  private void useViews(List<ColumnPolicy> views) throws SQLException {
    List<ColumnPolicy> all = new ArrayList<>(config.columns().all());
    all.addAll(views);
    EncryptedColumns effective;
    try {
      effective = EncryptedColumns.of(all);
    } catch (IllegalArgumentException conflict) {
      throw SqlErrors.of(VeilError.INVALID_CONFIGURATION,
          "a view column conflicts with veil.columns: "
          + conflict.getMessage(), conflict);
    }
    if (analyzer == null || !effective.all().equals(columns.all())) {
      columns = effective;
      analyzer = new StatementAnalyzer(effective, analyzerCacheSize);
    }
  }

  /**
   * Which parameters of {@code sql} bind encrypted columns, with its unqualified table names
   * resolved in {@code session}; refuses SQL that would leak.
   */
  StatementPlan plan(String sql, SearchPathSource session) throws SQLException {
    if (codec != null) {
      refuseWritesUnderOtherNames(sql);
    }
    try {
      return analyzer == null ? StatementPlan.PLAIN : analyzer.analyzePrepared(sql, session);
    } catch (VeilException refused) {
      throw planFailure(refused);
    }
  }

  /** The plan of {@code plan}'s text under {@code session}'s search path now. */
  StatementPlan refresh(StatementPlan plan, SearchPathSource session) throws SQLException {
    try {
      return analyzer == null ? plan : analyzer.refresh(plan, session);
    } catch (VeilException refused) {
      throw planFailure(refused);
    }
  }

  /**
   * Refuses SQL text for a plain {@code Statement} that aims a literal at an encrypted column.
   *
   * @return its plan, which tells what running it may change in the session
   */
  StatementPlan checkUnprepared(String sql, SearchPathSource session) throws SQLException {
    if (codec != null) {
      refuseWritesUnderOtherNames(sql);
    }
    try {
      return analyzer == null ? StatementPlan.PLAIN : analyzer.checkUnprepared(sql, session);
    } catch (VeilException refused) {
      throw planFailure(refused);
    }
  }

  /**
   * A refusal as the application sees it; when the search path could not be read because the
   * connection broke, the connection's own SQLSTATE (class 08) is kept, so that pools drop it.
   */
  private SQLException planFailure(VeilException refused) {
    if (refused.getCause() instanceof SQLException cause && cause.getSQLState() != null
        && cause.getSQLState().startsWith("08")) {
      return new SQLException(refused.getMessage(), cause.getSQLState(), cause);
    }
    return refused(refused.error(), SqlErrors.of(refused));
  }

  private void refuseWritesUnderOtherNames(String sql) throws SQLException {
    try {
      deferredTables.refuseWritesUnderOtherNames(sql, columns);
    } catch (SQLException e) {
      // DeferredTables refuses with UNDEFINED_COLUMN only; a failed catalog read is not counted.
      if (VeilError.UNDEFINED_COLUMN.sqlState().equals(e.getSQLState())) {
        metrics.refused(VeilError.UNDEFINED_COLUMN);
      }
      throw e;
    }
  }

  /** Whether {@code sql} may mention an encrypted table (a search for their names). */
  boolean mayMentionEncrypted(String sql) {
    return codec != null && columns.mayMention(sql);
  }

  /** Which columns of a pgjdbc result are encrypted. */
  ResultColumns resultColumns(ResultSetMetaData result) throws SQLException {
    return codec == null || result == null ? ResultColumns.NONE
        : ResultColumns.of(result, columns);
  }

  RowSeal newRow() {
    return codec.beginRow();
  }

  /**
   * Seals {@code value} for {@code column} and binds the cell to parameter {@code index}, as
   * bytes or in text form as the catalog says the column stores it.
   *
   * <p>The cell is the one copy of the value Veil makes: pgjdbc sends it from its bytes
   * ({@link CellWriter}), or holds its text form, which is all that is kept of a text cell.
   *
   * @param binding the canonical binding value of the cell's row ({@link RowBinding}) for a
   *     row-bound column; null for any other, and never null for a row-bound one
   * @return the cell's text form when it was bound so (so that it can be bound again as bytes if
   *     the column turns out to have been converted to bytea), else null
   */
  String bind(PreparedStatement pg, Connection pgConnection, int index, ColumnPolicy column,
      ValueType type, Object value, Calendar calendar, RowSeal row, byte[] binding)
      throws SQLException {
    requireBinding(column, binding);
    Object coerced;
    try {
      coerced = ParameterValues.coerce(value, type, calendar, column);
    } catch (SQLException e) {
      // ParameterValues raises nothing but its own DATATYPE_MISMATCH refusals.
      if (VeilError.DATATYPE_MISMATCH.sqlState().equals(e.getSQLState())) {
        metrics.refused(VeilError.DATATYPE_MISMATCH);
      }
      throw e;
    }
    byte[] cell;
    try {
      cell = codec.seal(row, cell(column), type, coerced, binding);
    } catch (GeneralSecurityException e) {
      throw cryptoFailure(column, e);
    }
    if (catalog.form(column, pgConnection) == StorageForm.BINARY) {
      pg.setObject(index, new CellWriter(cell));
      return null;
    }
    String text = CellShape.toText(cell);
    pg.setObject(index, textCell(text));
    return text;
  }

  /**
   * A text cell typed {@code text}, never left for the server to infer (as pgjdbc's
   * {@code stringtype=unspecified} leaves strings): a bytea column would take the text as bytea
   * input and store its characters instead of refusing it.
   */
  static PGobject textCell(String text) throws SQLException {
    PGobject typed = new PGobject();
    typed.setType("text");
    typed.setValue(text);
    return typed;
  }

  /**
   * Binds SQL NULL with the type of the column's storage, so the server accepts it.
   *
   * @return whether it was bound as text (refused by a column converted to bytea since)
   */
  boolean bindNull(PreparedStatement pg, Connection pgConnection, int index,
      ColumnPolicy column) throws SQLException {
    StorageForm form = catalog.form(column, pgConnection);
    form.bind(pg, index, null);
    return form == StorageForm.TEXT;
  }

  /**
   * Which of {@code boundAsText}, columns whose cells a statement bound in text form, are stored
   * as bytea now: converted since the catalog was read. Unless the catalog knows that already
   * (another statement found out), reads it again for their tables, through {@code pg} when it
   * is outside a transaction, else (the failure has ended the transaction) through a connection
   * of Veil's own. The columns' new forms serve every later statement.
   */
  Set<ColumnPolicy> convertedToBytea(Collection<ColumnPolicy> boundAsText, Connection pg,
      boolean inTransaction) throws SQLException {
    Set<ColumnPolicy> known = new LinkedHashSet<>();
    for (ColumnPolicy column : boundAsText) {
      if (catalog.form(column, pg) == StorageForm.BINARY) {
        known.add(column); // cached: bound before, so no query
      }
    }
    if (known.size() == boundAsText.size()) {
      return known;
    }
    if (!inTransaction) {
      return catalog.reread(boundAsText, pg);
    }
    try (Connection own = ownConnections.open()) {
      return catalog.reread(boundAsText, own);
    }
  }

  /**
   * A row-bound column's cells are sealed and opened with their row's binding value, any other
   * column's without: a path that lost the binding value fails here, never seals or opens a
   * cell unbound.
   */
  private void requireBinding(ColumnPolicy column, byte[] binding) throws SQLException {
    if (column.isRowBound() != (binding != null)) {
      throw refused(VeilError.OPERATION_REFUSED, SqlErrors.of(VeilError.OPERATION_REFUSED,
          "encrypted column "
          + column.qualifiedName() + (column.isRowBound() ? " is bound to its row by "
          + column.qualifiedBindingColumn() + ", and Veil has no binding value for this cell"
          : " is not bound to its row, and Veil was given a binding value for it")
          + "; nothing was sealed or opened."));
    }
  }

  /**
   * The canonical binding value of {@code value}, bound for the binding column of row-bound
   * {@code column} (or written as a literal in the SQL text), normalised by that column's type.
   *
   * @throws SQLException (42804) when the value does not parse for the type
   */
  byte[] bindingOf(ColumnPolicy column, Object value, Connection pgConnection)
      throws SQLException {
    return RowBinding.ofWritten(catalog.bindingType(column, pgConnection), value, column);
  }

  /** Reads the binding value of a result's current row, for one row-bound column. */
  interface RowBindingReader {
    /**
     * The canonical binding value in the current row of {@code result}.
     *
     * @throws SQLException when the result holds no binding value for the row
     */
    byte[] read(ResultSet result) throws SQLException;
  }

  /**
   * Opens the value of encrypted column {@code index} of {@code result}: null for SQL NULL, the
   * stored value as it is for a non-cell when {@code veil.plaintextReads=allow}, else the
   * opened value.
   *
   * @param binding for a row-bound column, where the row's binding value is read (only when the
   *     column holds a cell); null for any other
   */
  Object open(ColumnPolicy column, StorageForm form, ResultSet result, int index,
      RowBindingReader binding) throws SQLException {
    byte[] cell;
    if (form == StorageForm.BINARY) {
      byte[] raw = result.getBytes(index);
      if (raw == null) {
        return null;
      }
      if (!CellShape.looksLikeCell(raw)) {
        return notACell(column, raw);
      }
      cell = raw;
    } else {
      // pgjdbc's getBytes of a text column is the value's UTF-8 bytes as received, not a copy;
      // the cell is decoded from them, where getString would make a string first.
      byte[] raw = result.getBytes(index);
      if (raw == null) {
        return null;
      }
      cell = CellShape.fromText(raw);
      if (cell == null) {
        return notACell(column, result.getString(index));
      }
    }
    // A cell decoded from its text form is Veil's own: opened over its bytes, not into more.
    // A bytea cell may be pgjdbc's row itself (binary transfer), read again by a later getter.
    return open(column, cell, binding == null ? null : binding.read(result),
        form != StorageForm.BINARY);
  }

  /**
   * Opens {@code cell} of {@code column}.
   *
   * @param binding the canonical binding value of the cell's row for a row-bound column; null
   *     for any other, and never null for a row-bound one
   */
  Object open(ColumnPolicy column, byte[] cell, byte[] binding) throws SQLException {
    return open(column, cell, binding, false);
  }

  /** As {@link #open(ColumnPolicy, byte[], byte[])}; {@code inPlace}: {@code cell} is Veil's own. */
  private Object open(ColumnPolicy column, byte[] cell, byte[] binding, boolean inPlace)
      throws SQLException {
    requireBinding(column, binding);
    try {
      return (inPlace ? codec.openInPlace(cell(column), cell, binding)
          : codec.open(cell(column), cell, binding)).value();
    } catch (GeneralSecurityException e) {
      throw cryptoFailure(column, e);
    }
  }

  /** What Veil does with cells where it traced no encrypted column; null when nothing is. */
  UntracedCells untracedCells() {
    return untracedCells;
  }

  private Object notACell(ColumnPolicy column, Object raw) throws SQLException {
    if (plaintextReads) {
      return raw;
    }
    throw refused(VeilError.CELL_INVALID, SqlErrors.of(VeilError.CELL_INVALID,
        "encrypted column " + column.qualifiedName() + " holds a value that"
        + " is not a Veil cell (plaintext stored before encryption was configured?). Migrate it"
        + " with the re-encrypt job, or set veil.plaintextReads=allow for the migration window."));
  }

  /** {@link #toSqlException}, counted. */
  private SQLException cryptoFailure(ColumnPolicy column, GeneralSecurityException e) {
    metrics.refused(cryptoError(e));
    return toSqlException(column, e);
  }

  private static VeilError cryptoError(GeneralSecurityException e) {
    return !(e instanceof KeyUnavailableException) ? VeilError.CELL_INVALID
        : e.getCause() instanceof KeyStoreException store
            && VeilError.PRIMARY_NEEDED.sqlState().equals(store.sqlState())
            ? VeilError.PRIMARY_NEEDED
        : VeilError.KEY_PROVIDER_FAILED;
  }

  /** The SQLException for a crypto failure on {@code column}: the one place they are mapped. */
  static SQLException toSqlException(ColumnPolicy column, GeneralSecurityException e) {
    VeilError error = cryptoError(e);
    String message = e.getMessage();
    if (message == null || !message.contains(column.qualifiedName())) {
      message = column.qualifiedName() + ": " + message;
    }
    if (error == VeilError.CELL_INVALID && column.isRowBound()) {
      message = message + " (its cells are bound to their row by "
          + column.qualifiedBindingColumn() + ", so a cell moved from another row fails too,"
          + " as does one whose row's " + column.bindingColumn() + " changed without it)";
    }
    return SqlErrors.of(error, message, e);
  }
}
