package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures everything logged through java.util.logging (where pgjdbc, Veil's System.Logger and
 * Caffeine write) while the integration tests run, and fails each test class after which a
 * registered secret (a master key, the database password, a plaintext written to an encrypted
 * column) appears in a log line or in the message of a logged exception.
 *
 * <p>Registered for every test class through {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled}.
 */
public final class NoSecretsInLogs implements AfterAllCallback {

  private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
  private static final List<String> LINES = java.util.Collections.synchronizedList(
      new ArrayList<>());
  private static final Logger VEIL = Logger.getLogger("org.veil");
  private static final Logger PGJDBC = Logger.getLogger("org.postgresql");

  static {
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        StringBuilder line = new StringBuilder(String.valueOf(r.getMessage()));
        if (r.getParameters() != null) {
          for (Object p : r.getParameters()) {
            line.append(' ').append(p);
          }
        }
        for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
          line.append(' ').append(t);
        }
        LINES.add(line.toString());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    capture.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(capture);
    VEIL.setLevel(Level.ALL);
    PGJDBC.setLevel(Level.FINE);
  }

  /** A value that must never be logged; its hex and base64 forms are watched too. */
  public static void register(String secret) {
    SECRETS.add(secret);
  }

  public static void register(byte[] secret) {
    SECRETS.add(HexFormat.of().formatHex(secret));
    SECRETS.add(Base64.getEncoder().encodeToString(secret));
  }

  /** How many lines were captured so far; a test checks the capture works at all. */
  static int capturedLines() {
    return LINES.size();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> lines;
    synchronized (LINES) {
      lines = new ArrayList<>(LINES);
    }
    for (String secret : SECRETS) {
      assertThat(lines).as("log lines captured up to the end of "
          + context.getDisplayName()).noneMatch(line -> line.contains(secret));
    }
  }
}
