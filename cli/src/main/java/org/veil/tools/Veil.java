package org.veil.tools;

import java.io.PrintWriter;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.veil.crypto.KeyUnavailableException;
import org.veil.error.ServerState;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.keys.KeyStoreException;
import org.veil.kms.KeyProviderException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Veil command-line tool: migrate plaintext into cells, rotate keys, take a column out of
 * Veil, guard columns in the database, and show where things stand. Run it as
 * {@code java -jar veil-cli-<version>-all.jar} or
 * {@code java -cp <veil-cli, veil-driver and their dependencies> org.veil.tools.Veil}.
 *
 * <p>Exit codes, so that a script can tell "run it again" from "fix something first":
 * <ul>
 *   <li>{@link #DONE} 0: done.</li>
 *   <li>{@link #FAILED} 1: failed on something that may pass (a lost connection, a lock, a key
 *       provider that did not answer, a conflict); when a job had started, every batch that
 *       committed stays done and the same command resumes it.</li>
 *   <li>{@link #USAGE} 2: bad usage: the command line does not parse (an unknown option, a
 *       missing one, a value of the wrong type).</li>
 *   <li>{@link #CELLS_FAILED} 3: done, but some cells did not open (or values could not be
 *       sealed) and were left as they are; the warnings name them.</li>
 *   <li>{@link #REFUSED} 4: refused: running again does not help until the cause is fixed (a
 *       configuration error, an option's value the command refuses, a missing table or column,
 *       bad credentials, an index on a column to convert, a table not ready for the command, a
 *       key that cannot be used).</li>
 * </ul>
 * Which of 1 and 4 an error gets follows its SQLSTATE (or its {@link VeilError}), never its
 * message ({@link #exitCode}).
 */
@Command(name = "veil", mixinStandardHelpOptions = true,
    versionProvider = Veil.Version.class,
    description = "Re-encrypt, migrate, rotate and guard jobs for Veil-encrypted PostgreSQL"
        + " columns.",
    subcommands = {EncryptExisting.class, DecryptColumn.class, RotateBranch.class,
        RotateMaster.class, Status.class, Guard.class, CommandLine.HelpCommand.class})
public final class Veil {

  /** Exit code 0: done. */
  public static final int DONE = 0;
  /**
   * Exit code 1: failed on something that may pass when run again (a connection lost, a lock
   * not taken, a key provider that did not answer); a job that had started resumes.
   */
  public static final int FAILED = 1;
  /** Exit code 2: the command line does not parse (picocli's own code for bad usage). */
  public static final int USAGE = CommandLine.ExitCode.USAGE;
  /** Exit code 3: done, but some cells did not open or values could not be sealed. */
  public static final int CELLS_FAILED = 3;
  /** Exit code 4: refused; running again does not help until the cause is fixed. */
  public static final int REFUSED = 4;

  /** The exit codes as {@code --help} lists them. */
  static final Map<String, String> EXIT_CODES = exitCodes();

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the tool without exiting the JVM; returns the exit code. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Veil());
    cli.setExecutionExceptionHandler(Veil::failed);
    describeExitCodes(cli);
    return cli.execute(args);
  }

  private static void describeExitCodes(CommandLine cli) {
    cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(EXIT_CODES);
    cli.getSubcommands().values().forEach(Veil::describeExitCodes);
  }

  private static Map<String, String> exitCodes() {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put(DONE + "", "Done.");
    codes.put(FAILED + "", "Failed, and may pass when run again (connection, lock, key provider,"
        + " conflict); a job that had started resumes where it stopped.");
    codes.put(USAGE + "", "Bad usage: the command line does not parse.");
    codes.put(CELLS_FAILED + "", "Done, but some cells did not open or values could not be"
        + " sealed; they were left as they are (see the warnings).");
    codes.put(REFUSED + "", "Refused: running again does not help until the cause is fixed"
        + " (configuration, an option's value, missing table or column, credentials, an index"
        + " on a column to convert, a table not ready, a key that cannot be used).");
    return java.util.Collections.unmodifiableMap(codes);
  }

  private static int failed(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    if (e instanceof SQLException sql) {
      err.println("veil " + cli.getCommandName() + ": " + sql.getMessage()
          + (sql.getSQLState() == null ? "" : " [SQLSTATE " + sql.getSQLState() + "]"));
    } else if (e instanceof VeilException veil) {
      err.println("veil " + cli.getCommandName() + ": " + veil.getMessage()
          + " [SQLSTATE " + veil.error().sqlState() + "]");
    } else if (e instanceof GeneralSecurityException || e instanceof IllegalArgumentException) {
      err.println("veil " + cli.getCommandName() + ": " + e.getMessage());
    } else {
      err.println("veil " + cli.getCommandName() + ": " + e);
      e.printStackTrace(err);
    }
    int code = exitCode(e);
    if (cli.getCommand() instanceof TableCommand command && command.jobStarted()) {
      if (code == FAILED) {
        err.println("Nothing is lost: every batch that committed stays done; run the same"
            + " command again to resume.");
      } else {
        err.println("Every batch that committed stays done; once the cause is fixed, the same"
            + " command resumes the job.");
      }
    }
    return code;
  }

  /**
   * The exit code for a command that failed with {@code e}: {@link #REFUSED} when what the
   * error is (its {@link VeilError}, its SQLSTATE's class) says that running again cannot help
   * until something is changed, else {@link #FAILED}.
   */
  static int exitCode(Throwable e) {
    if (e instanceof IllegalArgumentException) {
      return REFUSED; // an option's value the command checked, e.g. a key id no keyring has
    }
    if (e instanceof VeilException veil) {
      return switch (veil.error()) {
        case KEY_PROVIDER_FAILED, PRIMARY_NEEDED, JOB_CONFLICT, LOCK_NOT_AVAILABLE,
            COLUMN_CONVERTED -> FAILED;
        default -> REFUSED;
      };
    }
    if (e instanceof SQLException sql) {
      return exitCode(sql.getSQLState());
    }
    if (e instanceof KeyStoreException store) {
      return exitCode(store.sqlState());
    }
    if (e instanceof KeyUnavailableException) {
      // As its cause says: the key store or the key provider failed (as it failed), or the key
      // cannot be used (not in the store, under a master key not configured, its row altered).
      Throwable cause = e.getCause();
      if (cause instanceof KeyStoreException store) {
        return exitCode(store.sqlState());
      }
      if (cause instanceof KeyProviderException provider) {
        return provider.isUnavailable() ? FAILED : REFUSED;
      }
      return REFUSED;
    }
    if (e instanceof GeneralSecurityException) {
      return REFUSED;
    }
    return FAILED;
  }

  /** By SQLSTATE class, as {@link ServerState#mayPassWhenRetried} tells them apart. */
  private static int exitCode(String sqlState) {
    return ServerState.mayPassWhenRetried(sqlState) ? FAILED : REFUSED;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Veil.class.getPackage().getImplementationVersion();
      return new String[] {"veil " + (v == null ? "(development build)" : v)};
    }
  }
}
