package org.veil.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.veil.crypto.KeyUnavailableException;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.kms.KeyProviderException;

/** Which failures ask to run again (1) and which to fix something first (4), by category. */
class VeilExitCodesTest {

  @Test
  void theCodesAreDistinct() {
    assertThat(java.util.Set.of(Veil.DONE, Veil.FAILED, Veil.USAGE, Veil.CELLS_FAILED,
        Veil.REFUSED)).hasSize(5);
    assertThat(Veil.USAGE).isEqualTo(2);
  }

  @Test
  void serverFailuresThatMayPassExitWithOne() {
    for (String state : new String[] {"08006", "08001", "40001", "40P01", "55P03", "53300",
        "57P01", "58000", "25006", "XX000"}) {
      assertThat(Veil.exitCode(new SQLException("x", state))).as(state).isEqualTo(Veil.FAILED);
    }
  }

  @Test
  void refusalsThatRunningAgainCannotFixExitWithFour() {
    for (String state : new String[] {"42P01", "42703", "28P01", "28000", "22023", "55000",
        "42501", "0A000", "3D000"}) {
      assertThat(Veil.exitCode(new SQLException("x", state))).as(state)
          .isEqualTo(Veil.REFUSED);
    }
  }

  @Test
  void veilErrorsExitByWhatTheyAre() {
    assertThat(Veil.exitCode(new VeilException(VeilError.INVALID_CONFIGURATION, "x")))
        .isEqualTo(Veil.REFUSED);
    assertThat(Veil.exitCode(new VeilException(VeilError.CONNECTION_REFUSED, "x")))
        .isEqualTo(Veil.REFUSED);
    assertThat(Veil.exitCode(new VeilException(VeilError.KEY_PROVIDER_FAILED, "x")))
        .isEqualTo(Veil.FAILED);
    assertThat(Veil.exitCode(new VeilException(VeilError.JOB_CONFLICT, "x")))
        .isEqualTo(Veil.FAILED);
    assertThat(Veil.exitCode(new IllegalArgumentException("--retire x is not a key id")))
        .isEqualTo(Veil.REFUSED);
  }

  @Test
  void aKeyThatCannotBeUsedIsRefusedAndAProviderOutageMayPass() {
    assertThat(Veil.exitCode(new KeyUnavailableException("k", "not configured", null)))
        .isEqualTo(Veil.REFUSED);
    assertThat(Veil.exitCode(new KeyUnavailableException("k", "down",
        new KeyProviderException("timed out", true)))).isEqualTo(Veil.FAILED);
    assertThat(Veil.exitCode(new KeyUnavailableException("k", "denied",
        new KeyProviderException("access denied", false)))).isEqualTo(Veil.REFUSED);
  }

  @Test
  void helpListsTheExitCodes() {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      exit = Veil.run("--help");
    } finally {
      System.setOut(out);
    }
    String help = captured.toString(StandardCharsets.UTF_8);
    assertThat(exit).isZero();
    assertThat(help).contains("Exit codes:").containsPattern("(?m)^\\s+1\\s+Failed")
        .containsPattern("(?m)^\\s+4\\s+Refused");
  }
}
