package org.veil.tools;

import static org.veil.tools.TableTarget.quote;

import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.util.PSQLState;
import org.veil.error.ServerState;
import org.veil.error.VeilError;
import org.veil.jdbc.CellGuard;
import org.veil.tools.TableTarget.Column;
import org.veil.catalog.StorageForm;

/**
 * The database-side guards ({@link CellGuard}) of some encrypted columns of one table: where they
 * stand, adding them, validating them and dropping them.
 *
 * <p>A guard is added {@code NOT VALID} in one short transaction (the {@code ALTER TABLE} takes
 * an exclusive lock for milliseconds, waited for at most the lock timeout and tried again, as
 * {@link StepLock} does), from then on PostgreSQL checks every row written; then
 * {@code VALIDATE CONSTRAINT} checks the rows stored before it in a transaction of its own, which
 * blocks no reader or writer. A column without plaintext therefore gets its guard without any
 * long lock. Stateless between calls apart from the names.
 */
final class TableGuards {

  /** Where a column's guard stands. */
  enum State {
    /** No constraint by the guard's name. */
    MISSING("no guard"),
    /** Checks new and updated rows; the rows stored before it were not checked. */
    NOT_VALID("guard not valid: new and updated rows are checked, rows stored before it are"
        + " not"),
    /** Made for another set of cell format versions (its comment differs). */
    OUTDATED("guard made for other cell formats"),
    /** A constraint of the guard's name that is not a check of this column alone. */
    FOREIGN("a constraint of the guard's name that is not Veil's guard of this column"),
    /** Current and validated: no stored value is anything but NULL or of a cell's shape. */
    VALID("guarded");

    final String description;

    State(String description) {
      this.description = description;
    }
  }

  /** A column's guard: its name and where it stands. */
  record Guard(Column column, String name, State state) {}

  /** Seals the plaintext of the rows that match an SQL filter; returns how many it rewrote. */
  interface Sealer {
    long seal(String filter) throws SQLException, GeneralSecurityException,
        InterruptedException;
  }

  /** PostgreSQL's check_violation: a stored or written value that a guard refuses. */
  static final String CHECK_VIOLATION = PSQLState.CHECK_VIOLATION.getState();

  /** PostgreSQL's insufficient_privilege: here, a role that does not own the table. */
  static final String NOT_OWNER = ServerState.INSUFFICIENT_PRIVILEGE.sqlState();

  private static final String STATE_QUERY = "SELECT w.column_name, k.oid IS NOT NULL,"
      + " k.contype = 'c' AND k.conkey = ARRAY[a.attnum], k.convalidated,"
      + " pg_catalog.obj_description(k.oid, 'pg_constraint'), a.attnum IS NOT NULL"
      + " FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS w(column_name, guard)"
      + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = CAST(? AS regclass)"
      + "   AND a.attname = w.column_name AND a.attnum > 0 AND NOT a.attisdropped"
      + " LEFT JOIN pg_catalog.pg_constraint k ON k.conrelid = CAST(? AS regclass)"
      + "   AND k.conname = w.guard";

  private final String schema;
  private final String table;
  private final List<Column> columns;
  private final StepLock steps;
  private final PrintStream log;

  /**
   * @param columns the columns to guard, by their names in the table now and how they store
   *     cells (a bytea shadow of a text column is guarded as bytea)
   * @param steps runs each schema change under its lock timeout and an advisory lock
   */
  TableGuards(String schema, String table, List<Column> columns, StepLock steps,
      PrintStream log) {
    this.schema = schema;
    this.table = table;
    this.columns = List.copyOf(columns);
    this.steps = steps;
    this.log = log;
  }

  /** The advisory lock that the guard steps of {@code schema.table} take. */
  static long lockId(String schema, String table) {
    return (0x56475244L << 32) | (("guard|" + schema + "." + table).hashCode() & 0xffffffffL);
  }

  /** A step runner for guard changes on {@code schema.table} outside any conversion. */
  static StepLock steps(String schema, String table, int lockTimeoutMillis, int lockAttempts,
      PrintStream log) {
    return new StepLock(schema + "." + table, lockId(schema, table), lockTimeoutMillis,
        lockAttempts, log);
  }

  /** The guards of those of these columns that {@code keep} accepts. */
  TableGuards only(java.util.function.Predicate<Column> keep) {
    return new TableGuards(schema, table, columns.stream().filter(keep).toList(), steps, log);
  }

  String qualifiedName() {
    return schema + "." + table;
  }

  private String sqlName() {
    return quote(schema) + "." + quote(table);
  }

  /**
   * Where each column's guard stands, as the catalog has it now, in the order of the columns.
   *
   * @throws SQLException {@link VeilError#UNDEFINED_COLUMN} when a column is no longer in the
   *     table
   */
  List<Guard> states(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    List<String> guards = new ArrayList<>();
    for (Column col : columns) {
      names.add(col.name());
      guards.add(CellGuard.constraintName(col.name()));
    }
    Map<String, State> found = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(STATE_QUERY)) {
      ps.setArray(1, c.createArrayOf("text", names.toArray()));
      ps.setArray(2, c.createArrayOf("text", guards.toArray()));
      ps.setString(3, sqlName());
      ps.setString(4, sqlName());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!rs.getBoolean(6)) {
            throw new SQLException("table " + qualifiedName() + " has no column "
                + rs.getString(1) + " (any more)", VeilError.UNDEFINED_COLUMN.sqlState());
          }
          State state = !rs.getBoolean(2) ? State.MISSING
              : !rs.getBoolean(3) ? State.FOREIGN
              : !CellGuard.comment().equals(rs.getString(5)) ? State.OUTDATED
              : rs.getBoolean(4) ? State.VALID : State.NOT_VALID;
          found.put(rs.getString(1), state);
        }
      }
    }
    List<Guard> states = new ArrayList<>();
    for (Column col : columns) {
      states.add(new Guard(col, CellGuard.constraintName(col.name()), found.get(col.name())));
    }
    return states;
  }

  /**
   * What a scan found that the guards refuse (values neither NULL nor of a cell's shape).
   *
   * @param perColumn how many such values each column holds
   * @param rows how many rows hold any
   */
  record NonCells(Map<Column, Long> perColumn, long rows) {
    /** {@code "3 in ssn, 1 in email"}. */
    String describe() {
      List<String> parts = new ArrayList<>();
      perColumn.forEach((column, n) -> {
        if (n > 0) {
          parts.add(n + " in " + column.name());
        }
      });
      return String.join(", ", parts);
    }
  }

  /** The values the guards refuse, counted in one scan of the table. */
  NonCells nonCells(Connection c) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (Column col : columns) {
      sql.append("count(*) FILTER (WHERE NOT (").append(predicate(col)).append(")), ");
    }
    sql.append("count(*) FILTER (WHERE ").append(refused()).append(") FROM ").append(sqlName());
    Map<Column, Long> counts = new LinkedHashMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
      rs.next();
      for (int i = 0; i < columns.size(); i++) {
        counts.put(columns.get(i), rs.getLong(i + 1));
      }
      return new NonCells(counts, rs.getLong(columns.size() + 1));
    }
  }

  /** SQL true for the rows that hold a value that a guard of these columns refuses. */
  String refused() {
    List<String> terms = new ArrayList<>();
    for (Column col : columns) {
      terms.add("NOT (" + predicate(col) + ")");
    }
    return String.join(" OR ", terms);
  }

  private static String predicate(Column col) {
    return CellGuard.predicate(quote(col.name()), col.form() == StorageForm.BINARY);
  }

  /**
   * Adds the guards that are missing, and replaces those made for other cell formats, as
   * {@code NOT VALID} constraints: one short transaction for all columns. From its commit on,
   * PostgreSQL refuses any row written with a value that is not a cell in these columns.
   *
   * @throws SQLException {@link VeilError#DUPLICATE_OBJECT} when a constraint of a guard's
   *     name is something else
   */
  void addNotValid(Database db) throws SQLException, GeneralSecurityException,
      InterruptedException {
    List<String> added = new ArrayList<>();
    steps.run(db, "add the guards of " + names() + " to", c -> {
      added.clear();
      try (Statement s = c.createStatement()) {
        for (Guard g : states(c)) {
          if (g.state() == State.FOREIGN) {
            throw new SQLException(qualifiedName() + " has a constraint " + g.name() + " that"
                + " is not Veil's guard of " + g.column().name() + " (the name Veil gives it);"
                + " rename it, then run veil guard add again. Nothing was changed.",
                VeilError.DUPLICATE_OBJECT.sqlState());
          }
          if (g.state() == State.VALID || g.state() == State.NOT_VALID) {
            continue;
          }
          String alter = "ALTER TABLE " + sqlName();
          if (g.state() == State.OUTDATED) {
            s.execute(alter + " DROP CONSTRAINT " + quote(g.name()));
          }
          s.execute(alter + " ADD CONSTRAINT " + quote(g.name()) + " CHECK ("
              + predicate(g.column()) + ") NOT VALID");
          s.execute("COMMENT ON CONSTRAINT " + quote(g.name()) + " ON " + sqlName() + " IS "
              + literal(CellGuard.comment()));
          added.add(g.name());
        }
      }
      return true;
    });
    if (!added.isEmpty()) {
      log.println("added " + added + " to " + qualifiedName() + " (NOT VALID): from now on the"
          + " database refuses any value in " + names() + " that is not a Veil cell");
    }
  }

  /**
   * Validates the guards that are not yet, each in a transaction of its own that blocks no
   * reader or writer (one scan of the table each).
   *
   * @throws SQLException 23514 (check_violation) when a stored value is not a cell; the guard
   *     stays in place, not valid
   */
  void validate(Database db) throws SQLException, GeneralSecurityException,
      InterruptedException {
    for (Column col : columns) {
      String name = CellGuard.constraintName(col.name());
      boolean[] validated = {false};
      steps.run(db, "validate guard " + name + " of", c -> {
        Guard g = states(c).get(columns.indexOf(col));
        if (g.state() == State.NOT_VALID) {
          try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + sqlName() + " VALIDATE CONSTRAINT " + quote(name));
          }
          validated[0] = true;
        }
        return true;
      });
      if (validated[0]) {
        log.println("validated " + name + ": every value stored in " + qualifiedName() + "."
            + col.name() + " is NULL or a Veil cell");
      }
    }
  }

  /**
   * Adds and validates the guards. Rows that hold values that are not cells (written after the
   * job that sealed the table passed them, by a writer that does not use Veil) are sealed by
   * {@code sealer} and validation is tried again, up to {@code attempts} times.
   *
   * @throws SQLException 23514 when values that are not cells remain after every attempt
   */
  void addAndValidate(Database db, Sealer sealer, int attempts) throws SQLException,
      GeneralSecurityException, InterruptedException {
    addNotValid(db);
    for (int attempt = 1; ; attempt++) {
      try {
        validate(db);
        return;
      } catch (SQLException e) {
        if (!CHECK_VIOLATION.equals(e.getSQLState()) || attempt >= attempts) {
          throw e;
        }
      }
      long sealed = sealer.seal(refused());
      log.println("sealed " + sealed + " rows of " + qualifiedName() + " that were written with"
          + " plaintext after the job had passed them; validating the guards again");
    }
  }

  /** Drops the guards there are; returns their names. */
  List<String> remove(Database db) throws SQLException, GeneralSecurityException,
      InterruptedException {
    List<String> dropped = new ArrayList<>();
    try (Connection c = db.open()) {
      if (states(c).stream().allMatch(g -> g.state() == State.MISSING)) {
        return dropped;
      }
    }
    steps.run(db, "drop the guards of " + names() + " from", c -> {
      dropped.clear();
      try (Statement s = c.createStatement()) {
        for (Guard g : states(c)) {
          if (g.state() != State.MISSING && g.state() != State.FOREIGN) {
            s.execute("ALTER TABLE " + sqlName() + " DROP CONSTRAINT " + quote(g.name()));
            dropped.add(g.name());
          }
        }
      }
      return true;
    });
    return dropped;
  }

  private List<String> names() {
    return columns.stream().map(Column::name).toList();
  }

  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
