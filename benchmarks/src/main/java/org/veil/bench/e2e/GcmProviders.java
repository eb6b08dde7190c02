package org.veil.bench.e2e;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.sql.SQLException;
import org.veil.crypto.GcmProvider;

/**
 * The per-row AES-GCM provider of Veil's codec, as the benchmarks choose and report it: the
 * driver's documented override {@code -Dorg.veil.crypto.provider=auto|jdk|accp}, read when a
 * codec is built ({@link GcmProvider#fastest()}), and the providers it stands for. Used by one
 * thread at a time ({@link #with} sets a JVM-wide property).
 */
public final class GcmProviders {

  /** The driver's system property that chooses the provider. */
  public static final String PROPERTY = "org.veil.crypto.provider";
  private static final String ACCP_CLASS =
      "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  private GcmProviders() {}

  /** What the run chose: the property's value, {@code auto} when unset. */
  public static String runChoice() {
    return System.getProperty(PROPERTY, "auto");
  }

  /**
   * The provider {@code choice} ({@code auto}, {@code jdk}, {@code accp}) stands for here.
   *
   * @throws GeneralSecurityException for {@code accp} when ACCP is absent or unhealthy
   */
  public static GcmProvider named(String choice) throws GeneralSecurityException {
    switch (choice) {
      case "jdk": return GcmProvider.jdk();
      case "accp": return GcmProvider.accp();
      case "auto": return GcmProvider.fastest();
      default: throw new GeneralSecurityException(PROPERTY + "=" + choice
          + " is not one of auto, jdk, accp");
    }
  }

  /** Whether ACCP is on the class path and healthy. */
  public static boolean accpHealthy() {
    try {
      GcmProvider.accp();
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * One line for the report: which provider the run's choice gives on this JDK, and ACCP's
   * version or why it is not usable.
   */
  public static String describe() {
    StringBuilder b = new StringBuilder();
    try {
      b.append(PROPERTY).append('=').append(runChoice()).append(" gives ")
          .append(named(runChoice()).name());
    } catch (GeneralSecurityException e) {
      b.append(PROPERTY).append('=').append(runChoice()).append(" fails: ").append(e.getMessage());
    }
    b.append(" on JDK ").append(Runtime.version().feature()).append("; ");
    try {
      GcmProvider.accp();
      b.append("Amazon Corretto Crypto Provider ").append(accpVersion()).append(" on the class"
          + " path and healthy");
    } catch (GeneralSecurityException e) {
      b.append("ACCP not usable: ").append(e.getMessage());
    }
    return b.toString();
  }

  /** ACCP's version string, read once for the report (never on a measured path). */
  private static String accpVersion() {
    try {
      Provider p = (Provider) Class.forName(ACCP_CLASS).getField("INSTANCE").get(null);
      return p.getVersionStr();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return "(version unknown)";
    }
  }

  /** Opens a connection. */
  @FunctionalInterface
  public interface Connect<T> {
    T open() throws SQLException;
  }

  /**
   * Runs {@code connect} with the property set to {@code choice}, then restores it: the first
   * connection of a configuration builds its codec, which reads the property then.
   */
  public static synchronized <T> T with(String choice, Connect<T> connect) throws SQLException {
    String before = System.getProperty(PROPERTY);
    System.setProperty(PROPERTY, choice);
    try {
      return connect.open();
    } finally {
      if (before == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, before);
      }
    }
  }
}
