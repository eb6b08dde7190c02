package org.veil.tools;

import java.io.PrintWriter;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import org.veil.error.VeilException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Veil command-line tool: migrate plaintext into cells, rotate keys, take a column out of
 * Veil, guard columns in the database, and show where things stand. Run it as
 * {@code java -jar veil-driver-<version>-cli.jar} or
 * {@code java -cp <driver and dependencies> org.veil.tools.Veil}.
 *
 * <p>Exit codes: 0 done; 1 failed (the message says why; a data job can be run again and
 * resumes); 2 bad usage; 3 done, but some cells did not open and were left as they are.
 */
@Command(name = "veil", mixinStandardHelpOptions = true,
    versionProvider = Veil.Version.class,
    description = "Re-encrypt, migrate, rotate and guard jobs for Veil-encrypted PostgreSQL"
        + " columns.",
    subcommands = {EncryptExisting.class, DecryptColumn.class, RotateBranch.class,
        RotateMaster.class, Status.class, Guard.class, CommandLine.HelpCommand.class})
public final class Veil {

  static final int CELLS_FAILED = 3;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the tool without exiting the JVM; returns the exit code. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Veil());
    cli.setExecutionExceptionHandler(Veil::failed);
    return cli.execute(args);
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
    err.println("Nothing is lost: every batch that committed stays done; run the same command"
        + " again to resume.");
    return 1;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Veil.class.getPackage().getImplementationVersion();
      return new String[] {"veil " + (v == null ? "(development build)" : v)};
    }
  }
}
