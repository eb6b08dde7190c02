package org.veil.tools;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.veil.config.ColumnPolicy;
import org.veil.config.VeilConfig;
import org.veil.error.VeilError;
import org.veil.jdbc.CellGuard;
import org.veil.tools.TableGuards.State;
import org.veil.tools.TableTarget.Column;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code guard}: the database-side guards of encrypted columns ({@link CellGuard}), CHECK
 * constraints with which PostgreSQL itself refuses any value that is not a Veil cell, whoever
 * writes it. {@code add} adds and validates them without a long lock, {@code remove} drops them,
 * {@code status} shows where they stand. Needs no key: only the columns ({@code veil.columns}).
 * The tool's role must own the tables.
 */
@Command(name = "guard", mixinStandardHelpOptions = true,
    description = {"Database-side guards: CHECK constraints that make PostgreSQL refuse any value"
        + " in an encrypted column that is not a Veil cell, from any writer (psql, other"
        + " applications, triggers, functions).", "Give add, remove or status."},
    subcommands = {Guard.Add.class, Guard.Remove.class, Guard.Status.class})
final class Guard implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "give a subcommand: add, remove or status");
  }

  /** What the guard subcommands share: the database, the tables and columns, the lock rules. */
  abstract static class GuardCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--table", paramLabel = "[SCHEMA.]TABLE", description = "A table to work on;"
        + " may be repeated (default: every table in veil.columns that exists).")
    List<String> tables = new ArrayList<>();

    @Option(names = "--columns", split = ",", paramLabel = "COLUMN",
        description = "With one --table: only these of its encrypted columns (default: every"
            + " column veil.columns configures for the table).")
    List<String> columns = new ArrayList<>();

    @Option(names = "--lock-timeout", defaultValue = "1000", paramLabel = "MILLISECONDS",
        description = "How long each ALTER TABLE waits for its table lock before it gives way to"
            + " the application and is tried again (default: ${DEFAULT-VALUE}).")
    int lockTimeoutMillis;

    @Option(names = "--lock-attempts", defaultValue = "10", paramLabel = "N",
        description = "How many times an ALTER TABLE is tried (default: ${DEFAULT-VALUE}).")
    int lockAttempts;

    PrintStream log = System.err;

    /** The guards of the tables and columns asked for, as they are in the catalog now. */
    List<TableGuards> guards(Connection pg, VeilConfig veil) throws SQLException {
      if (lockTimeoutMillis < 1 || lockAttempts < 1) {
        throw new IllegalArgumentException("--lock-timeout and --lock-attempts must be at"
            + " least 1");
      }
      if (!columns.isEmpty() && tables.size() != 1) {
        throw new IllegalArgumentException("--columns goes with exactly one --table");
      }
      boolean configured = tables.isEmpty();
      Set<String> names = new LinkedHashSet<>(tables);
      if (configured) {
        for (ColumnPolicy p : veil.columns().all()) {
          names.add(p.schema() + "." + p.table());
        }
        if (names.isEmpty()) {
          throw new IllegalArgumentException("veil.columns names no encrypted column; give"
              + " the application's veil.* settings (--config or -Dveil.columns=…)");
        }
      }
      List<TableGuards> guards = new ArrayList<>();
      for (String name : names) {
        String[] st = TableTarget.schemaAndTable(name);
        List<Column> found;
        try {
          found = TableTarget.encryptedColumns(pg, veil.columns(), st[0], st[1], columns);
        } catch (SQLException e) {
          if (configured
              && VeilError.UNDEFINED_TABLE.sqlState().equals(e.getSQLState())) {
            log.println("there is no table " + st[0] + "." + st[1] + " yet: nothing to guard");
            continue;
          }
          throw e;
        }
        guards.add(new TableGuards(st[0], st[1], found,
            TableGuards.steps(st[0], st[1], lockTimeoutMillis, lockAttempts, log), log));
      }
      return guards;
    }

    /** Runs the subcommand on the guards of each table; returns the exit code. */
    abstract int run(Database db, List<TableGuards> guards) throws Exception;

    @Override
    public Integer call() throws Exception {
      Database db = connection.database();
      VeilConfig veil = connection.veilConfig();
      List<TableGuards> guards;
      try (Connection pg = db.open()) {
        guards = guards(pg, veil);
      }
      return run(db, guards);
    }
  }

  /** {@code guard add}. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Add the guards, NOT VALID (a lock held for milliseconds), then validate"
          + " them without blocking readers or writers. A table whose columns still hold"
          + " plaintext is left unguarded (it says how many rows): seal them first with"
          + " encrypt-existing, which adds the guards itself when it is done; or give"
          + " --not-valid.", "A guard made for older cell formats is replaced. Exit 1 when a"
          + " guard could not be validated."})
  static final class Add extends GuardCommand {

    @Option(names = "--not-valid", description = "Add the guards of columns that still hold"
        + " plaintext anyway, NOT VALID (the other columns' guards are validated): new plaintext"
        + " is refused at once; but every UPDATE of a row that still holds plaintext in a"
        + " guarded column fails too, until encrypt-existing has sealed it. Run guard add again"
        + " afterwards to validate.")
    boolean notValid;

    @Override
    int run(Database db, List<TableGuards> all) throws Exception {
      int exit = 0;
      for (TableGuards guards : all) {
        TableGuards.NonCells plaintext;
        try (Connection pg = db.open()) {
          if (guards.states(pg).stream().allMatch(g -> g.state() == State.VALID)) {
            log.println(guards.qualifiedName() + ": guarded already");
            continue;
          }
          plaintext = guards.nonCells(pg);
        }
        long rows = plaintext.rows();
        if (rows > 0 && !notValid) {
          log.println(guards.qualifiedName() + ": " + rows + " rows hold values that are not"
              + " Veil cells (" + plaintext.describe() + "), so no guard was added. Seal them"
              + " first: veil encrypt-existing --table " + guards.qualifiedName() + " (it adds"
              + " the guards when it is done); or give --not-valid to refuse new plaintext now.");
          exit = Veil.REFUSED;
          continue;
        }
        guards.addNotValid(db);
        if (rows > 0) {
          guards.only(c -> plaintext.perColumn().get(c) == 0).validate(db);
          log.println(guards.qualifiedName() + ": the guards of columns that hold values that"
              + " are not Veil cells (" + plaintext.describe() + ", in " + rows + " rows) are in"
              + " place, not valid; every UPDATE of one of those rows fails until it is sealed."
              + " Run veil encrypt-existing --table " + guards.qualifiedName() + ", then veil"
              + " guard add again.");
          continue;
        }
        try {
          guards.validate(db);
        } catch (SQLException e) {
          if (!TableGuards.CHECK_VIOLATION.equals(e.getSQLState())) {
            throw e;
          }
          long now;
          try (Connection pg = db.open()) {
            now = guards.nonCells(pg).rows();
          }
          log.println(guards.qualifiedName() + ": the guards are in place but not valid: " + now
              + " rows were written with values that are not Veil cells before they were added"
              + " (a writer that does not use Veil). Run veil encrypt-existing --table "
              + guards.qualifiedName() + ", then veil guard add again.");
          exit = Veil.REFUSED;
        }
      }
      return exit;
    }
  }

  /** {@code guard remove}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Drop the guards (a lock held for milliseconds). The database then accepts"
          + " plaintext in those columns again, from any writer.")
  static final class Remove extends GuardCommand {

    @Override
    int run(Database db, List<TableGuards> all) throws Exception {
      for (TableGuards guards : all) {
        List<String> dropped = guards.remove(db);
        log.println(guards.qualifiedName() + ": " + (dropped.isEmpty() ? "no guard to drop"
            : "dropped " + dropped + "; the database accepts plaintext there again"));
      }
      return 0;
    }
  }

  /** {@code guard status}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show each encrypted column's guard: guarded, not valid, made for older cell"
          + " formats, or none. Writes nothing.")
  static final class Status extends GuardCommand {

    PrintStream out = System.out;

    @Override
    int run(Database db, List<TableGuards> all) throws Exception {
      try (Connection pg = db.open()) {
        for (TableGuards guards : all) {
          out.println(guards.qualifiedName() + ":");
          for (TableGuards.Guard g : guards.states(pg)) {
            out.println("  " + g.column().name() + ": " + describe(g, guards.qualifiedName()));
          }
        }
      }
      return 0;
    }
  }

  /** Where a column's guard stands, as the status commands say it, with what to do about it. */
  static String describe(TableGuards.Guard g, String table) {
    String head = g.state().description;
    return switch (g.state()) {
      case VALID -> head + " (" + g.name() + ")";
      case NOT_VALID, OUTDATED -> head + " (" + g.name() + "): run veil guard add --table "
          + table;
      case MISSING -> head + ": run veil guard add --table " + table;
      case FOREIGN -> head + " (" + g.name() + "): rename it, then run veil guard add --table "
          + table;
    };
  }
}
