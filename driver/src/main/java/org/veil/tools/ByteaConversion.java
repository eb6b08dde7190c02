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
import org.veil.crypto.CellShape;
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
 * renames it to the column's guard (and the text column's guard to the kept-aside one). Each step
 * runs under an advisory lock and reads the recorded state first, so workers that run the same
 * command, and runs after a kill, take up where the conversion stands. One per run.
 */
final class ByteaConversion {

  /**
   * A text column to convert, or converted by an earlier run.
   *
   * @param index the column's position among the target's columns
   */
  record Converted(Column column, int index, String shadow, String keptAside, String check,
      State state) {}

  private final TableTarget target;
  private final ConversionRecord record;
  private final ConversionOptions options;
  private final PrintStream log;
  private final List<Converted> columns;
  private final List<Converted> converting = new ArrayList<>();
  private final StepLock steps;

  private ByteaConversion(TableTarget target, JobTable jobs, ConversionOptions options,
      PrintStream log, List<Converted> columns) {
    this.target = target;
    this.record = new ConversionRecord(jobs, target);
    this.options = options;
    this.log = log;
    this.columns = List.copyOf(columns);
    columns.stream().filter(c -> c.state() == State.NEW || c.state() == State.BACKFILL)
        .forEach(converting::add);
    this.steps = options == null ? null : new StepLock(target, jobs, options, log);
  }

  /**
   * The conversion of {@code target}'s columns as recorded in the job table.
   *
   * @param startNew whether text columns with no conversion recorded are to be converted (else
   *     only recorded conversions are shown, as {@code status} does)
   */
  static ByteaConversion of(Connection pg, TableTarget target, JobTable jobs,
      ConversionOptions options, PrintStream log, boolean startNew) throws SQLException {
    Map<String, State> recorded = new ConversionRecord(jobs, target).states(pg);
    List<Converted> columns = new ArrayList<>();
    List<Column> all = target.columns();
    for (int i = 0; i < all.size(); i++) {
      Column c = all.get(i);
      State state = recorded.get(c.name());
      boolean text = c.form() == StorageForm.TEXT;
      if (state == null && text && startNew) {
        state = State.NEW;
      } else if (state == null) {
        continue;
      } else if (text != (state == State.NEW || state == State.BACKFILL)) {
        throw new SQLException(c.policy().qualifiedName() + " is " + (text ? "text" : "bytea")
            + ", but " + jobs.conversions() + " records its conversion as " + state
            + "; someone changed the table by hand. Delete that row if the column is as it"
            + " should be.", VeilError.NOT_READY.sqlState());
      }
      columns.add(new Converted(c, i, derived(c, "__veil_bytea"), derived(c, "__veil_text"),
          derived(c, "__veil_not_null"), state));
    }
    return new ByteaConversion(target, jobs, options, log, columns);
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
    return target.table() + "__veil_to_bytea";
  }

  private String function() {
    return quote(target.schema()) + "." + quote(trigger());
  }

  private List<String> names(List<Converted> list) {
    return list.stream().map(c -> c.column().name()).toList();
  }

  /**
   * Refuses, changing nothing, when a column to convert has objects bound to it, a default or
   * privileges, or when another conversion of other columns of the table is under way.
   */
  void check(Connection pg) throws SQLException {
    if (converting.isEmpty()) {
      return;
    }
    Map<String, State> recorded = record.states(pg);
    List<String> others = new ArrayList<>();
    recorded.forEach((column, state) -> {
      if (state == State.BACKFILL && !names(converting).contains(column)) {
        others.add(column);
      }
    });
    if (!others.isEmpty()) {
      throw new SQLException("a conversion of " + target.qualifiedName() + " " + others
          + " to bytea is under way; finish it first (run it again), or convert those columns"
          + " in this run too", VeilError.NOT_READY.sqlState());
    }
    ConversionCheck.refuseTakenNames(target.attributes(pg).keySet(), target, converting,
        trigger());
    ConversionCheck.refuseBlocked(pg, target, names(converting), trigger(),
        "Nothing was changed.");
  }

  /** The table with each converting column's shadow after the columns, for the job. */
  TableTarget shadowedTarget() {
    List<Column> shadows = new ArrayList<>();
    for (Converted c : converting) {
      shadows.add(new Column(c.column().policy(), StorageForm.BINARY, c.shadow()));
    }
    return target.plus(shadows);
  }

  /** What the job does to each row of {@link #shadowedTarget()}. */
  CellRewrite rewrite(CellCodec codec, System.Logger log) {
    int[] shadowed = converting.stream().mapToInt(Converted::index).toArray();
    return CellRewrite.fillShadows(codec, target.columns(), shadowed, log);
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
    Map<String, State> recorded = record.states(c);
    State least = State.DROPPED;
    for (Converted col : converting) {
      State s = recorded.getOrDefault(col.column().name(), State.NEW);
      least = s.ordinal() < least.ordinal() ? s : least;
    }
    return least;
  }

  /**
   * Adds the shadow columns and the trigger that keeps them in step, and records the conversion
   * (a short lock on the table); does nothing when a worker has done so already.
   *
   * @return false when another worker has swapped the columns meanwhile: nothing left to do
   */
  boolean prepare(Database db, String job) throws SQLException, GeneralSecurityException,
      InterruptedException {
    boolean[] swapped = {false};
    steps.run(db, "add the bytea shadow columns and their trigger to", c -> {
      State now = stateNow(c);
      swapped[0] = now.ordinal() > State.BACKFILL.ordinal();
      if (now != State.NEW) {
        return true;
      }
      try (Statement s = c.createStatement()) {
        StringBuilder updateOf = new StringBuilder();
        for (Converted col : converting) {
          s.execute("ALTER TABLE " + target.sqlName() + " ADD COLUMN IF NOT EXISTS "
              + quote(col.shadow()) + " bytea");
          s.execute("COMMENT ON COLUMN " + target.sqlName() + "." + quote(col.shadow())
              + " IS " + literal("Veil: the bytea column that will replace "
                  + col.column().name() + " (veil encrypt-existing --convert-to-bytea); kept in"
                  + " step by a trigger"));
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
   * plaintext, text that is not of a cell's shape as the guards define it, {@link CellGuard}).
   */
  private String triggerFunction() {
    StringBuilder body = new StringBuilder();
    int base64At = CellShape.textPrefix().length() + 1;
    for (Converted col : converting) {
      String text = "NEW." + quote(col.column().name());
      body.append("  cell := CASE WHEN ").append(CellGuard.shape(text, false))
          .append(" THEN pg_catalog.decode(pg_catalog.substr(").append(text).append(", ")
          .append(base64At).append("), 'base64') END;\n  NEW.").append(quote(col.shadow()))
          .append(" := CASE WHEN ").append(CellGuard.shape("cell", true))
          .append(" THEN cell END;\n");
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
            "swap the bytea columns in for the text columns of", c -> swapLocked(c, worker))) {
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
            + names(converting) + " that are not Veil cells, faster than the swap can do them:"
            + " an application still writes there without Veil. Switch every writer to Veil,"
            + " then run the same command again.", VeilError.NOT_READY.sqlState());
      }
    }
  }

  /**
   * Refuses the swap once the worker has left values it could not seal (in rows whose binding
   * column is NULL): those rows have no bytea value, and the swap would move their values aside.
   */
  private void refuseUnsealed(TableJob worker) throws SQLException {
    long failed = worker.tally().failed;
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
          "The swap was not done; the conversion waits where it is until they are gone.");
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
                + " conversion to bytea; drop it with veil encrypt-existing --convert-to-bytea"
                + " --drop-old"));
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
    log.println("swapped " + names(converting) + " of " + target.qualifiedName() + " to bytea"
        + "; the text columns are kept as "
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

  /** Drops the kept-aside text columns of swapped conversions (a short lock on the table). */
  void dropKeptAside(Database db) throws SQLException, GeneralSecurityException,
      InterruptedException {
    List<Converted> swapped = new ArrayList<>();
    try (Connection c = db.open()) {
      Map<String, State> recorded = record.states(c);
      for (Converted col : columns) {
        if (recorded.get(col.column().name()) == State.SWAPPED) {
          swapped.add(col);
        }
      }
    }
    if (swapped.isEmpty()) {
      log.println("no kept-aside text column of " + target.qualifiedName() + " to drop");
      return;
    }
    steps.run(db, "drop the kept-aside text columns of", c -> {
      try (Statement s = c.createStatement()) {
        for (Converted col : swapped) {
          s.execute("ALTER TABLE " + target.sqlName() + " DROP COLUMN IF EXISTS "
              + quote(col.keptAside()));
        }
      }
      record.reached(c, names(swapped), State.DROPPED);
      return true;
    });
    log.println("dropped " + swapped.stream().map(Converted::keptAside).toList() + " from "
        + target.qualifiedName());
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
    for (Converted col : columns) {
      String name = col.column().name();
      lines.add(switch (col.state()) {
        case NEW -> name + ": text, to convert to bytea: not started; " + missing.get(name)
            + " rows to copy into a new column " + col.shadow();
        case BACKFILL -> name + ": text, converting to bytea: " + missing.get(name)
            + " rows still to copy into " + col.shadow();
        case SWAPPED -> name + ": bytea, converted from text; the old text column is kept as "
            + col.keptAside() + ": drop it with encrypt-existing --convert-to-bytea --drop-old";
        case DROPPED -> name + ": bytea, converted from text; the old text column was dropped";
      });
    }
    return lines;
  }
}
