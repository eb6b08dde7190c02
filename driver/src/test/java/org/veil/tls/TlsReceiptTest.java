package org.veil.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class TlsReceiptTest {

  private static final String TLS12 = "the server offered TLSv1.2; Veil requires TLS 1.3";
  private static final String NO_TLS = "the server does not offer TLS; Veil requires TLS 1.3";

  @Test
  void factoriesFindTheReceiptOfTheirConnectByItsToken() throws TlsRefusedException {
    try (TlsReceipt receipt = TlsReceipt.open()) {
      Properties props = new Properties();
      receipt.stamp(props);
      assertThat(TlsReceipt.forConnect(props, TlsPolicy.SSL_FACTORY_ARG)).isSameAs(receipt);
      assertThat(TlsReceipt.forConnect(props, TlsPolicy.SOCKET_FACTORY_ARG)).isSameAs(receipt);
    }
  }

  @Test
  void factoryWithoutTokenReportsToNoReceipt() throws TlsRefusedException {
    assertThat(TlsReceipt.forConnect(new Properties(), TlsPolicy.SSL_FACTORY_ARG)).isNull();
  }

  @Test
  void factoryMadeAfterItsConnectEndedIsRefused() {
    Properties props = new Properties();
    TlsReceipt receipt = TlsReceipt.open();
    receipt.stamp(props);
    receipt.close();
    assertThatThrownBy(() -> TlsReceipt.forConnect(props, TlsPolicy.SSL_FACTORY_ARG))
        .isInstanceOf(TlsRefusedException.class)
        .hasMessageContaining("this connection attempt was already given up");
  }

  @Test
  void summarySaysEachReasonOnceWithEveryHostItApplies() {
    try (TlsReceipt receipt = TlsReceipt.open()) {
      receipt.refused(new TlsRefusedException("a:5432", TLS12, "enable it", null));
      receipt.refused(new TlsRefusedException("b:5432", NO_TLS, "turn it on", null));
      TlsRefusedException last = new TlsRefusedException("c:5432", TLS12, "enable it", null);
      receipt.refused(last);
      assertThat(receipt.summary(last)).isEqualTo("a:5432, c:5432: " + TLS12
          + ". Fix: enable it. b:5432: " + NO_TLS + ". Fix: turn it on.");
    }
  }

  @Test
  void summaryIncludesTheRefusalPgjdbcReportedThoughNoFactoryRecordedIt() {
    try (TlsReceipt receipt = TlsReceipt.open()) {
      TlsRefusedException last = new TlsRefusedException(null, "no CA file", "set it", null);
      assertThat(receipt.summary(last)).isEqualTo("no CA file. Fix: set it.");
    }
  }

  @Test
  void refusalIsFoundUnderPgjdbcsWrapping() {
    TlsRefusedException refusal = new TlsRefusedException("a:5432", NO_TLS, "turn it on", null);
    Exception wrapped = new java.sql.SQLException("The connection attempt failed.", "08001",
        new RuntimeException(refusal));
    assertThat(TlsRefusedException.findIn(wrapped)).isSameAs(refusal);
    assertThat(TlsRefusedException.findIn(new java.sql.SQLException("other"))).isNull();
  }
}
