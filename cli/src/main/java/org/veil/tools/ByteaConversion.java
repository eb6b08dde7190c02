package org.veil.tools;

import static org.veil.tools.TableTarget.quote;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellShapeSql;
import org.veil.error.VeilError;
import org.veil.jdbc.CellGuard;
import org.veil.tools.ConversionRecord.State;
import org.veil.tools.TableTarget.Column;
import org.veil.catalog.StorageForm;

/**
 * Converts the encrypted text columns of one table to bytea while the application reads and
 * writes it ({@code encrypt-existing --convert-to-bytea}). {@code ALTER COLUMN … TYPE bytea}
 * would rewrite the table under an exclusive lock and could not seal plaintext; instead, for each
 * text column {@code c}:
 *
 * <ol>
 *   <li>{@link #prepare}: a bytea shadow column {@code c__veil_bytea}, and a trigger
 *       ({@code BEFORE INSERT OR UPDATE OF c}) that keeps it in step with what the application
 *       writes: the bytes of a text cell, NULL for anything else, so that the job does that row;
 *   <li>the job fills the shadows of every row ({@link #rewrite}): the job table's ranges,
 *       batches and compare-and-set, sealing plaintext as encrypt-existing does;
 *   <li>{@link #swap}: one short transaction under an exclusive lock that waits at most
 *       {@code --lock-timeout}, and is tried again: rows still missing are finished, the trigger
 *       goes, {@code c} becomes {@code c__veil_text}, the shadow becomes {@code c}, and the job
 *       table records it in the same transaction;
 *   <li>{@link #dropKeptAside}, on request: drops {@code c__veil_text}.
 * </ol>
 *
 * A NOT NULL column passes its NOT NULL on through a {@code CHECK (shadow IS NOT NULL)} that is
 * validated before the swap, so that the swap does not scan the table under its lock; in the
 * same way each shadow gets its database-side guard ({@link TableGuards}) before the swap, which
 * renames it to the column's guard (and the text column's guard to the kept-aside one).
 *
 * <p>{@link Direction#TO_TEXT} is the way back ({@code decrypt-column --convert-to-text}): the
 * same steps with a shadow {@code c__veil_plain} of the column's type before the conversion to
 * bytea (else text), which the trigger empties whenever the application changes {@code c} and
 * the job fills with the plaintext of {@code c}'s cells; the swap keeps the bytea column as
 * {@code c__veil_cells}. No shadow is guarded (it holds plaintext).
 *
 * <p>Workers that run the same command, and runs after a kill, take up where the conversion
 * stands: every step that changes the schema runs under one advisory lock of the table's
 * conversions (both directions), and every decision it takes (whether to start, whether a name
 * is taken, whether to swap, what to drop) is made on the recorded state and the catalog as
 * read under that lock; nothing read before it decides anything. One per run.
 */
final class ByteaConversion {

  /** Which way a conversion goes: text to bytea ({@code encrypt-existing}), or back. */
  enum Direction {
    TO_BYTEA(StorageForm.TEXT, StorageForm.BINARY, "__veil_bytea", "__veil_text",
        "__veil_to_bytea", "encrypt-existing --convert-to-bytea"),
    TO_TEXT(StorageForm.BINARY, StorageForm.TEXT, "__veil_plain", "__veil_cells",
        "__veil_to_text", "decrypt-column --convert-to-text");

    final StorageForm from;
    final StorageForm to;
    final String shadowSuffix;
    final String keptAsideSuffix;
    final String triggerSuffix;
    final String command;

    Direction(StorageForm from, StorageForm to, String shadowSuffix, String keptAsideSuffix,
        String triggerSuffix, String command) {
      this.from = from;
      this.to = to;
      this.shadowSuffix = shadowSuffix;
      this.keptAsideSuffix = keptAsideSuffix;
      this.triggerSuffix = triggerSuffix;
      this.command = command;
    }

    Direction reverse() {
      return this == TO_BYTEA ? TO_TEXT : TO_BYTEA;
    }

    /** "bytea" or "text": the type the columns end up with, for messages. */
    String toType() {
      return this == TO_BYTEA ? "bytea" : "text";
    }

    String fromType() {
      return reverse().toType();
    }
  }

  /** Resolves the table to convert, on the connection it is given. */
  interface Resolver {
    TableTarget resolve(Connection pg) throws SQLException;
  }

  /**
   * A text column to convert, or converted by an earlier run.
   *
   * @param index the column's position among the target's columns
   */
  record Converted(Column column, int index, String shadow, String keptAside, String check,
      State state) {}

  private final TableTarget target;
  private final Direction direction;
  private final ConversionRecord record;
  private final ConversionOptions options;
  private final PrintStream log;
  private final List<Converted> columns;
  private final List<Converted> converting = new ArrayList<>();
  private final StepLock steps;

  private ByteaConversion(TableTarget target, Direction direction, JobTable jobs,
      ConversionOptions options, PrintStream log, List<Converted> columns) {
    this.target = target;
    this.direction = direction;
    this.record = new ConversionRecord(jobs, target, direction);
    this.options = options;
    this.log = log;
    this.columns = List.copyOf(columns);
    columns.stream().filter(c -> c.state() == State.NEW || c.state() == State.BACKFILL)
        .forEach(converting::add);
    this.steps = options == null ? null : new StepLock(target, jobs, options, log);
  }

  /**
   * The table as {@code resolve} finds it and the conversion of its columns {@code direction}
   * as recorded, both read in one snapshot (a read-only repeatable-read transaction): a swap
   * commits its renames and its record together, so the two agree, however far other workers
   * are. Columns of the form it converts from with no conversion recorded are to be converted.
   */
  static ByteaConversion read(Database db, Resolver resolve, JobTable jobs, Direction direction,
      ConversionOptions options, PrintStream log) throws SQLException {
    try (Connection pg = db.open()) {
      pg.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      pg.setAutoCommit(false);
      pg.setReadOnly(true);
      ByteaConversion conversion = of(pg, resolve.resolve(pg), jobs, direction, options, log,
          true);
      pg.commit();
      return conversion;
    }
  }

  /** The table as {@link #read} found it, with each column's form then. */
  TableTarget target() {
    return target;
  }

  /**
   * The conversion of {@code target}'s columns as recorded in the job table.
   *
   * @param startNew whether text columns with no conversion recorded are to be converted (else
   *     only recorded conversions are shown, as {@code status} does)
   */
  static ByteaConversion of(Connection pg, TableTarget target, JobTable jobs,
      ConversionOptions options, PrintStream log, boolean startNew) throws SQLException {
    return of(pg, target, jobs, Direction.TO_BYTEA, options, log, startNew);
  }

  /**
   * The conversion {@code direction} of {@code target}'s columns as recorded; {@code target}'s
   * forms must have been read in the same snapshot as {@code pg} reads the record now, else a
   * swap in between looks like a change by hand ({@link #read} does that).
   */
  static ByteaConversion of(Connection pg, TableTarget target, JobTable jobs,
      Direction direction, ConversionOptions options, PrintStream log, boolean startNew)
      throws SQLException {
    ConversionRecord record = new ConversionRecord(jobs, target, direction);
    Map<String, State> recorded = record.states(pg);
    List<Converted> columns = new ArrayList<>();
    List<Column> all = target.columns();
    for (int i = 0; i < all.size(); i++) {
      Column c = all.get(i);
      State state = recorded.get(c.name());
      boolean before = c.form() == direction.from;
      if (state == null && before && startNew) {
        state = State.NEW;
      } else if (state == null) {
        continue;
      } else if (before != (state == State.NEW || state == State.BACKFILL)) {
        throw new SQLException(c.policy().qualifiedName() + " is "
            + (before ? direction.fromType() : direction.toType()) + ", but " + record.table()
            + " records its conversion to " + direction.toType() + " as " + state
            + "; someone changed the table by hand. Delete that row if the column is as it"
            + " should be.", VeilError.NOT_READY.sqlState());
      }
      columns.add(new Converted(c, i, derived(c, direction.shadowSuffix),
          derived(c, direction.keptAsideSuffix), derived(c, "__veil_not_null"), state));
    }
    return new ByteaConversion(target, direction, jobs, options, log, columns);
  }

  private static String derived(Column c, String suffix) throws SQLException {
    String name = c.name() + suffix;
    if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw new SQLException(c.policy().qualifiedName() + ": the name " + name + " that the"
          + " conversion would give a column is longer than PostgreSQL's 63 bytes; rename the"
          + " column first", VeilError.NAME_TOO_LONG.sqlState());
    }
    return name;
  }

  /** Whether columns remain to be converted (as opposed to converted by an earlier run). */
  boolean converts() {
    return !converting.isEmpty();
  }

  private String trigger() {
    return target.table() + direction.triggerSuffix;
  }

  private String function() {
    return quote(target.schema()) + "." + quote(trigger());
  }

  private List<String> names(List<Converted> list) {
    return list.stream().map(c -> c.column().name()).toList();
  }

  /**
   * Refuses, changing nothing, when a column to convert has objects bound to it, a default or
   * privileges, or when another conversion of other columns of the table is under way: decided
   * under the conversions' lock, on the record and the catalog as read under it (a step that
   * changes nothing). {@link #prepare} checks the same before it starts.
   */
  void check(Database db) throws SQLException, GeneralSecurityException, InterruptedException {
    if (converting.isEmpty()) {
      return;
    }
    steps.run(db, "check the conversion of", c -> {
      Map<String, State> recorded = record.states(c);
      if (least(recorded) == State.NEW) {
        checkLocked(c, recorded);
      }
      return false;
    });
  }

  /** {@link #check}'s refusals, on {@code c}, which holds the lock; {@code recorded} read on it. */
  private void checkLocked(Connection c, Map<String, State> recorded) throws SQLException {
    List<String> others = new ArrayList<>();
    recorded.forEach((column, state) -> {
      if (state == State.BACKFILL && !names(converting).contains(column)) {
        others.add(column);
      }
    });
    if (!others.isEmpty()) {
      throw new SQLException("a conversion of " + target.qualifiedName() + " " + others
          + " to " + direction.toType() + " is under way; finish it first (run it again), or"
          + " convert those columns in this run too", VeilError.NOT_READY.sqlState());
    }
    List<String> back = new ArrayList<>();
    record.reverseStates(c).forEach((column, state) -> {
      if (state == State.BACKFILL) {
        back.add(column);
      }
    });
    if (!back.isEmpty()) {
      throw new SQLException("a conversion of " + target.qualifiedName() + " " + back
          + " to " + direction.fromType() + " is under way; finish it first (run "
          + direction.reverse().command + " again)", VeilError.NOT_READY.sqlState());
    }
    ConversionCheck.refuseTakenNames(target.attributes(c).keySet(), target, converting,
        recorded.keySet(), trigger());
    ConversionCheck.refuseBlocked(c, target, names(converting), trigger(),
        direction.toType(), "Nothing was changed.");
  }

  /** The table with each converting column's shadow after the columns, for the job. */
  TableTarget shadowedTarget() {
    List<Column> shadows = new ArrayList<>();
    for (Converted c : converting) {
      shadows.add(new Column(c.column().policy(), direction.to, c.shadow()));
    }
    return target.plus(shadows);
  }

  /**
   * SQL true for the rows of {@link #shadowedTarget()} that a finished job still has to do
   * ({@link LeftOver}): a shadow not filled, or a value in the columns the job rewrites in place
   * that is not in their end form (plaintext to bytea: no plaintext left; back to text: no cell
   * left, except in the bytea columns being converted, which hold cells until the swap).
   */
  String leftOver() {
    List<Column> columns = new ArrayList<>(shadowedTarget().columns());
    if (direction == Direction.TO_BYTEA) {
      return "(" + LeftOver.plaintext(columns) + ") OR (" + pending() + ")";
    }
    for (Converted c : converting) {
      columns.remove(c.column());
    }
    return "(" + LeftOver.cells(columns) + ") OR (" + pending() + ")";
  }

  /** What the job does to each row of {@link #shadowedTarget()}. */
  CellRewrite rewrite(CellCodec codec, System.Logger log) {
    int[] shadowed = converting.stream().mapToInt(Converted::index).toArray();
    return direction == Direction.TO_BYTEA
        ? CellRewrite.fillShadows(codec, target.columns(), shadowed, log)
        : PlaintextShadows.of(codec, target.columns(), shadowed, log);
  }

  /** SQL true for the rows whose shadows are still to be filled. */
  String pending() {
    List<String> terms = new ArrayList<>();
    for (Converted c : converting) {
      terms.add("(" + quote(c.shadow()) + " IS NULL AND " + quote(c.column().name())
          + " IS NOT NULL)");
    }
    return String.join(" OR ", terms);
  }

  /** The conversion's state now: the least advanced of its columns' recorded states. */
  private State stateNow(Connection c) throws SQLException {
    return least(record.states(c));
  }

  private State least(Map<String, State> recorded) {
    State least = State.DROPPED;
    for (Converted col : converting) {
      State s = recorded.getOrDefault(col.column().name(), State.NEW);
      least = s.ordinal() < least.ordinal() ? s : least;
    }
    return least;
  }

  /**
   * Adds the shadow columns and the trigger that keeps them in step, and records the conversion
   * (a short lock on the table), after {@link #check}'s refusals, all under the conversions'
   * lock and decided on what is read under it; does nothing when a worker has done so already.
   *
   * @return false when another worker has swapped the columns meanwhile: nothing left to do
   */
  boolean prepare(Database db, String job) throws SQLException, GeneralSecurityException,
      InterruptedException {
    boolean[] swapped = {false};
    steps.run(db, "add the " + direction.toType() + " shadow columns and their trigger to",
        c -> {
      Map<String, State> recorded = record.states(c);
      State now = least(recorded);
      swapped[0] = now.ordinal() > State.BACKFILL.ordinal();
      if (now != State.NEW) {
        return true;
      }
      checkLocked(c, recorded);
      try (Statement s = c.createStatement()) {
        StringBuilder updateOf = new StringBuilder();
        for (Converted col : converting) {
          String type = direction == Direction.TO_BYTEA ? "bytea"
              : record.originalType(c, col.column().name());
          s.execute("ALTER TABLE " + target.sqlName() + " ADD COLUMN IF NOT EXISTS "
              + quote(col.shadow()) + " " + type);
          s.execute("COMMENT ON COLUMN " + target.sqlName() + "." + quote(col.shadow())
              + " IS " + literal("Veil: the " + direction.toType() + " column that will"
                  + " replace " + col.column().name() + " (veil " + direction.command
                  + "); kept in step by a trigger"));
          updateOf.append(updateOf.length() == 0 ? "" : ", ")
              .append(quote(col.column().name()));
        }
        s.execute(triggerFunction());
        s.execute("DROP TRIGGER IF EXISTS " + quote(trigger()) + " ON " + target.sqlName());
        s.execute("CREATE TRIGGER " + quote(trigger()) + " BEFORE INSERT OR UPDATE OF "
            + updateOf + " ON " + target.sqlName() + " FOR EACH ROW EXECUTE FUNCTION "
            + function() + "()");
      }
      record.started(c, job, converting);
      log.println("added " + converting.stream().map(Converted::shadow).toList() + " to "
          + target.qualifiedName() + ", kept in step by trigger " + trigger());
      return true;
    });
    return !swapped[0];
  }

  /**
   * The trigger function: a text cell's bytes into the shadow, NULL for anything else (SQL NULL,
   * plaintext, text that is not of a cell's shape as the guards define it, {@link CellShapeSql}).
   */
  private String triggerFunction() {
    StringBuilder body = new StringBuilder();
    if (direction == Direction.TO_TEXT) {
      // The server cannot open a cell: a changed value empties the shadow, and the job (or the
      // swap's catching up) fills it again.
      for (Converted col : converting) {
        String column = quote(col.column().name());
        String empty = "    NEW." + quote(col.shadow()) + " := NULL;\n";
        // OLD is not read for an INSERT.
        body.append("  IF TG_OP = 'INSERT' THEN\n").append(empty).append("  ELSIF NEW.")
            .append(column).append(" IS DISTINCT FROM OLD.").append(column).append(" THEN\n")
            .append(empty).append("  END IF;\n");
      }
      return "CREATE OR REPLACE FUNCTION " + function() + "() RETURNS trigger LANGUAGE plpgsql"
          + " AS $veil$\nBEGIN\n" + body + "  RETURN NEW;\nEND\n$veil$";
    }
    for (Converted col : converting) {
      String text = "NEW." + quote(col.column().name());
      body.append("  cell := CASE WHEN ").append(CellShapeSql.textShape(text))
          .append(" THEN ").append(CellShapeSql.textCellBytes(text)).append(" END;\n  NEW.")
          .append(quote(col.shadow())).append(" := CASE WHEN ")
          .append(CellShapeSql.binaryShape("cell")).append(" THEN cell END;\n");
    }
    return "CREATE OR REPLACE FUNCTION " + function() + "() RETURNS trigger LANGUAGE plpgsql"
        + " AS $veil$\nDECLARE\n  cell bytea;\nBEGIN\n" + body + "  RETURN NEW;\nEND\n$veil$";
  }

  /**
   * Swaps the filled shadows in for the text columns. Before each attempt, rows the application
   * wrote since the job passed them (plaintext, from writers that do not use Veil yet) are done
   * online; the swap itself finishes the few left under its lock, or gives way and catches up
   * again when there are more than a batch.
   */
  void swap(Database db, TableJob worker) throws SQLException, GeneralSecurityException,
      InterruptedException {
    for (int round = 1; ; round++) {
      if (stateNow(db) != State.BACKFILL) {
        return;
      }
      try {
        long caught = worker.catchUp(pending());
        if (caught > 0) {
          log.println("did " + caught + " rows that the application wrote after the job had"
              + " passed them");
        }
        refuseUnsealed(worker);
        if (notNullChecked(db, worker) && shadowsGuarded(db) && steps.run(db,
            "swap the " + direction.toType() + " columns in for the " + direction.fromType()
                + " columns of", c -> swapLocked(c, worker))) {
          return;
        }
      } catch (SQLException e) {
        if (stateNow(db) != State.BACKFILL) {
          return; // another worker swapped meanwhile, so the shadows are gone
        }
        throw e;
      }
      if (round >= options.lockAttempts) {
        throw new SQLException("rows of " + target.qualifiedName() + " keep getting values in "
            + names(converting) + (direction == Direction.TO_BYTEA ? " that are not Veil"
                + " cells, faster than the swap can do them: an application still writes there"
                + " without Veil. Switch every writer to Veil, then run the same command again."
                : " faster than the swap can open them: let the writes calm down (or give a"
                + " larger --batch-size), then run the same command again."),
            VeilError.NOT_READY.sqlState());
      }
    }
  }

  /**
   * Refuses the swap once the worker has left values it could not seal (in rows whose binding
   * column is NULL): those rows have no bytea value, and the swap would move their values aside.
   */
  private void refuseUnsealed(TableJob worker) throws SQLException {
    long failed = worker.tally().failed;
    if (failed > 0 && direction == Direction.TO_TEXT) {
      throw new SQLException(failed + " values of " + target.qualifiedName() + " "
          + names(converting) + " could not be opened into text (see the warnings), so they"
          + " have no text value yet; the swap to text was not done, and the conversion waits"
          + " where it is. Fix those rows and run the same command again.",
          VeilError.NOT_READY.sqlState());
    }
    if (failed > 0) {
      throw new SQLException(failed + " values of " + target.qualifiedName() + " "
          + names(converting) + " could not be sealed (see the warnings: their rows' binding"
          + " columns are NULL), so they have no bytea value yet; the swap to bytea was not"
          + " done, and the conversion waits where it is. Fix those rows and run the same"
          + " command again.", VeilError.NOT_READY.sqlState());
    }
  }

  private State stateNow(Database db) throws SQLException {
    try (Connection c = db.open()) {
      return stateNow(c);
    }
  }

  private boolean swapLocked(Connection c, TableJob worker) throws SQLException,
      GeneralSecurityException {
    try (Statement s = c.createStatement()) {
      s.execute("LOCK TABLE " + target.sqlName() + " IN ACCESS EXCLUSIVE MODE");
      if (stateNow(c) != State.BACKFILL) {
        return true;
      }
      ConversionCheck.refuseBlocked(c, target, names(converting), trigger(),
          direction.toType(), "The swap was not done; the conversion waits where it is until they are gone.");
      int finished = worker.finishLocked(c, pending());
      if (finished < 0) {
        return false;
      }
      refuseUnsealed(worker);
      for (Converted col : converting) {
        String table = "ALTER TABLE " + target.sqlName();
        String text = quote(col.column().name());
        if (isNotNull(c, col.column().name())) {
          // With the validated check in place, SET NOT NULL does not scan the table.
          s.execute(table + " ALTER COLUMN " + quote(col.shadow()) + " SET NOT NULL");
          s.execute(table + " DROP CONSTRAINT IF EXISTS " + quote(col.check()));
          s.execute(table + " ALTER COLUMN " + text + " DROP NOT NULL");
        }
        String comment = target.attributes(c).get(col.column().name()).comment();
        s.execute(table + " RENAME COLUMN " + text + " TO " + quote(col.keptAside()));
        s.execute(table + " RENAME COLUMN " + quote(col.shadow()) + " TO " + text);
        s.execute("COMMENT ON COLUMN " + target.sqlName() + "." + text + " IS "
            + (comment == null ? "NULL" : literal(comment)));
        s.execute("COMMENT ON COLUMN " + target.sqlName() + "." + quote(col.keptAside())
            + " IS " + literal("Veil: " + col.column().name() + " as it was before its"
                + " conversion to " + direction.toType() + "; drop it with veil "
                + direction.command + " --drop-old"));
      }
      for (Converted col : converting) {
        // The guards follow their columns: the text column's to its kept-aside name, the
        // shadow's to the column's name, so that the bytea column is guarded from the swap on.
        String table = "ALTER TABLE " + target.sqlName();
        String textGuard = CellGuard.constraintName(col.column().name());
        String shadowGuard = CellGuard.constraintName(col.shadow());
        String asideGuard = CellGuard.constraintName(col.keptAside());
        if (hasConstraint(c, textGuard)) {
          s.execute(table + " DROP CONSTRAINT IF EXISTS " + quote(asideGuard));
          s.execute(table + " RENAME CONSTRAINT " + quote(textGuard) + " TO "
              + quote(asideGuard));
        }
        if (hasConstraint(c, shadowGuard)) {
          s.execute(table + " RENAME CONSTRAINT " + quote(shadowGuard) + " TO "
              + quote(textGuard));
        }
      }
      s.execute("DROP TRIGGER " + quote(trigger()) + " ON " + target.sqlName());
      s.execute("DROP FUNCTION " + function() + "()");
    }
    record.reached(c, names(converting), State.SWAPPED);
    log.println("swapped " + names(converting) + " of " + target.qualifiedName() + " to "
        + direction.toType() + "; the " + direction.fromType() + " columns are kept as "
        + converting.stream().map(Converted::keptAside).toList()
        + ": drop them with --drop-old once nothing needs them");
    return true;
  }

  /**
   * For NOT NULL text columns: a {@code CHECK (shadow IS NOT NULL)}, added NOT VALID under a
   * short lock once every row has its shadow, then validated without blocking writers; the swap
   * then sets NOT NULL without scanning. False when too many rows were missing under the lock.
   */
  private boolean notNullChecked(Database db, TableJob worker) throws SQLException,
      GeneralSecurityException, InterruptedException {
    boolean missing = false;
    try (Connection c = db.open()) {
      for (Converted col : converting) {
        missing |= isNotNull(c, col.column().name()) && !hasCheck(c, col);
      }
    }
    if (missing && !steps.run(db, "add NOT NULL checks for the shadow columns of", c -> {
      try (Statement s = c.createStatement()) {
        s.execute("LOCK TABLE " + target.sqlName() + " IN ACCESS EXCLUSIVE MODE");
        if (stateNow(c) != State.BACKFILL) {
          return true;
        }
        if (worker.finishLocked(c, pending()) < 0) {
          return false;
        }
        for (Converted col : converting) {
          if (isNotNull(c, col.column().name()) && !hasCheck(c, col)) {
            s.execute("ALTER TABLE " + target.sqlName() + " ADD CONSTRAINT "
                + quote(col.check()) + " CHECK (" + quote(col.shadow()) + " IS NOT NULL)"
                + " NOT VALID");
          }
        }
      }
      return true;
    })) {
      return false;
    }
    for (Converted col : converting) {
      steps.run(db, "validate the NOT NULL check of the shadow column of", c -> {
        if (stateNow(c) == State.BACKFILL && hasCheck(c, col)) {
          try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + target.sqlName() + " VALIDATE CONSTRAINT "
                + quote(col.check()));
          }
        }
        return true;
      });
    }
    return true;
  }

  /**
   * Guards the bytea shadows as the bytea columns they will be ({@link TableGuards}): added NOT
   * VALID under a short lock, then validated without blocking writers, so that the swap hands the
   * new columns over guarded and takes no long lock to do it.
   */
  private boolean shadowsGuarded(Database db) throws SQLException, GeneralSecurityException,
      InterruptedException {
    if (direction == Direction.TO_TEXT) {
      return true; // the shadows hold plaintext, which no guard admits
    }
    List<Column> shadows = new ArrayList<>();
    for (Converted col : converting) {
      shadows.add(new Column(col.column().policy(), StorageForm.BINARY, col.shadow()));
    }
    TableGuards guards = new TableGuards(target.schema(), target.table(), shadows, steps, log);
    guards.addNotValid(db);
    guards.validate(db);
    return true;
  }

  private boolean isNotNull(Connection c, String column) throws SQLException {
    org.veil.catalog.CatalogColumns.Attribute a = target.attributes(c).get(column);
    return a != null && a.notNull();
  }

  private boolean hasCheck(Connection c, Converted col) throws SQLException {
    return hasConstraint(c, col.check());
  }

  private boolean hasConstraint(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_constraint"
        + " WHERE conrelid = CAST(? AS regclass) AND conname = ?")) {
      ps.setString(1, target.sqlName());
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Drops the kept-aside columns of swapped conversions (a short lock on the table): those the
   * record, read under the conversions' lock, shows as swapped, so that of several workers one
   * drops them and records it.
   */
  void dropKeptAside(Database db) throws SQLException, GeneralSecurityException,
      InterruptedException {
    List<Converted> dropped = new ArrayList<>();
    steps.run(db, "drop the kept-aside " + direction.fromType() + " columns of", c -> {
      dropped.clear();
      Map<String, State> recorded = record.states(c);
      for (Converted col : columns) {
        if (recorded.get(col.column().name()) == State.SWAPPED) {
          dropped.add(col);
        }
      }
      if (dropped.isEmpty()) {
        return true;
      }
      try (Statement s = c.createStatement()) {
        for (Converted col : dropped) {
          s.execute("ALTER TABLE " + target.sqlName() + " DROP COLUMN IF EXISTS "
              + quote(col.keptAside()));
        }
      }
      record.reached(c, names(dropped), State.DROPPED);
      return true;
    });
    if (dropped.isEmpty()) {
      log.println("no kept-aside " + direction.fromType() + " column of "
          + target.qualifiedName() + " to drop");
    } else {
      log.println("dropped " + dropped.stream().map(Converted::keptAside).toList() + " from "
          + target.qualifiedName());
    }
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /**
   * One line per column of the conversion: where it stands and, before the swap, how many rows
   * have no bytea value yet (one scan of the table).
   */
  List<String> describe(Connection pg) throws SQLException {
    List<String> lines = new ArrayList<>();
    Map<String, Long> missing = new HashMap<>();
    if (!converting.isEmpty()) {
      StringBuilder sql = new StringBuilder("SELECT ");
      for (int i = 0; i < converting.size(); i++) {
        Converted col = converting.get(i);
        String text = quote(col.column().name());
        sql.append(i == 0 ? "" : ", ").append("count(*) FILTER (WHERE ").append(text)
            .append(" IS NOT NULL").append(col.state() == State.NEW ? ""
                : " AND " + quote(col.shadow()) + " IS NULL").append(')');
      }
      try (Statement s = pg.createStatement();
          ResultSet rs = s.executeQuery(sql.append(" FROM ").append(target.sqlName())
              .toString())) {
        rs.next();
        for (int i = 0; i < converting.size(); i++) {
          missing.put(converting.get(i).column().name(), rs.getLong(i + 1));
        }
      }
    }
    String to = direction.toType();
    String from = direction.fromType();
    for (Converted col : columns) {
      String name = col.column().name();
      lines.add(switch (col.state()) {
        case NEW -> name + ": " + from + ", to convert to " + to + ": not started; "
            + missing.get(name) + " rows to copy into a new column " + col.shadow();
        case BACKFILL -> name + ": " + from + ", converting to " + to + ": " + missing.get(name)
            + " rows still to copy into " + col.shadow();
        case SWAPPED -> name + ": " + to + ", converted from " + from + "; the old " + from
            + " column is kept as " + col.keptAside() + ": drop it with " + direction.command
            + " --drop-old";
        case DROPPED -> name + ": " + to + ", converted from " + from + "; the old " + from
            + " column was dropped";
      });
    }
    return lines;
  }
}
