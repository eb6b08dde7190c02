package org.veil.keys;

import org.veil.crypto.BranchKey;
import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;

import org.veil.crypto.RowSeal;
import org.veil.crypto.ValueType;
import org.veil.kms.FlakyKeyProvider;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderSettings;
import org.veil.kms.LocalKeyProviderFactory;

/**
 * Captures everything logged (java.util.logging, which System.Logger and Caffeine write to)
 * while keys are created, used, rotated, lost and refused, and scans it, every exception
 * message and every toString for key bytes, the keystore password and plaintext values.
 */
class NoSecretsInLogsTest {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);
  static final String PLAINTEXT = "Plaintext-SSN-078-05-1120";
  static final String PASSWORD = "keystore-Password-4711";

  @TempDir
  Path dir;

  @Test
  void noKeyPasswordOrValueReachesALogLineExceptionMessageOrToString() throws Exception {
    List<String> seen = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        seen.add(String.valueOf(r.getMessage()));
        if (r.getParameters() != null) {
          for (Object p : r.getParameters()) {
            seen.add(String.valueOf(p));
          }
        }
        causes(r.getThrown(), seen);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    capture.setLevel(Level.ALL);
    Logger root = Logger.getLogger("");
    Level previous = root.getLevel();
    root.setLevel(Level.ALL);
    root.addHandler(capture);
    List<byte[]> secrets = new ArrayList<>();
    try {
      Path keystore = dir.resolve("master.p12");
      org.veil.kms.LocalKeyGenAccess.create(keystore, PASSWORD);
      KeyProviderSettings settings = KeyProviderSettings.builder()
          .keystore(keystore.toString()).keystorePassword(PASSWORD.toCharArray())
          .environment(n -> null).build();
      seen.add(settings.toString());
      try (KeyProvider local = new LocalKeyProviderFactory().create(settings)) {
        seen.add(local.toString());
        secrets.add(org.veil.kms.LocalKeyGenAccess.masterKey(keystore, PASSWORD));
        scenario(local, seen, secrets);
      }
      FlakyKeyProvider flaky = FlakyKeyProvider.withRandomKey();
      outage(flaky, seen, secrets);
    } finally {
      root.removeHandler(capture);
      root.setLevel(previous);
    }

    assertThat(seen).anyMatch(s -> s.contains("created branch key"));
    assertThat(seen).anyMatch(s -> s.contains("test KMS is down"));
    List<String> forbidden = new ArrayList<>(List.of(PLAINTEXT, PASSWORD));
    for (byte[] secret : secrets) {
      forbidden.add(HexFormat.of().formatHex(secret));
      forbidden.add(HexFormat.of().withUpperCase().formatHex(secret));
      forbidden.add(Base64.getEncoder().encodeToString(secret));
      forbidden.add(new String(secret, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    for (String line : seen) {
      for (String secret : forbidden) {
        assertThat(line).as("a log line, message or toString").doesNotContain(secret);
      }
    }
  }

  private void scenario(KeyProvider provider, List<String> seen, List<byte[]> secrets)
      throws Exception {
    InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
    ManualTicker ticker = new ManualTicker();
    try (TestCodec codec = TestCodec.builder().keyProvider(provider).keyStore(store)
        .ticker(ticker).executor(Runnable::run).build()) {
      RowSeal row = codec.beginRow();
      byte[] cell = codec.seal(row, SSN, ValueType.TEXT, PLAINTEXT);
      byte[] det = codec.seal(row, EMAIL, ValueType.TEXT, PLAINTEXT);
      seen.add(row.toString());
      seen.add(codec.toString());
      seen.add(codec.open(SSN, cell).toString());
      seen.add(codec.counters().toString());
      seen.add(codec.keyRing().toString());
      BranchKey branch = codec.keyRing().key(KeyId.read(cell, 5));
      BranchKey detKey = codec.keyRing().key(KeyId.read(det, 5));
      seen.add(branch.toString());
      seen.add(store.active("default", KeyPurpose.BRANCH).orElseThrow().toString());
      secrets.add(branch.copyOfKeyBytes());
      secrets.add(detKey.copyOfKeyBytes());
      for (int i = 0; i < cell.length; i += 7) {
        byte[] bad = cell.clone();
        bad[i] ^= 0x10;
        expectFailure(() -> codec.open(SSN, bad), seen);
      }
      expectFailure(() -> codec.open(EMAIL, cell), seen);
      expectFailure(() -> codec.open(SSN, PLAINTEXT.getBytes()), seen);
      expectFailure(() -> codec.seal(codec.beginRow(), SSN, ValueType.INT, PLAINTEXT), seen);
    }
  }

  private void outage(FlakyKeyProvider provider, List<String> seen, List<byte[]> secrets)
      throws Exception {
    ManualTicker ticker = new ManualTicker();
    try (TestCodec codec = TestCodec.builder().keyProvider(provider)
        .keyStore(new InMemoryBranchKeyStore()).ticker(ticker).timeout(Duration.ofMillis(200))
        .build()) {
      byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, PLAINTEXT);
      secrets.add(codec.keyRing().key(KeyId.read(cell, 5)).copyOfKeyBytes());
      provider.down(true);
      ticker.advance(Duration.ofMinutes(11));
      codec.open(SSN, cell);
      Thread.sleep(100); // the background refresh fails and Caffeine logs it
      ticker.advance(Duration.ofMinutes(10));
      codec.open(SSN, cell);
      ticker.advance(Duration.ofHours(2));
      expectFailure(() -> codec.open(SSN, cell), seen);
      expectFailure(() -> codec.seal(codec.beginRow(), SSN, ValueType.TEXT, PLAINTEXT), seen);
    }
  }

  interface Action {
    Object run() throws Exception;
  }

  private static void expectFailure(Action action, List<String> seen) {
    try {
      action.run();
      throw new AssertionError("expected a failure");
    } catch (Exception e) {
      causes(e, seen);
    }
  }

  private static void causes(Throwable t, List<String> seen) {
    for (; t != null; t = t.getCause()) {
      seen.add(String.valueOf(t));
      seen.add(String.valueOf(t.getMessage()));
    }
  }

}
