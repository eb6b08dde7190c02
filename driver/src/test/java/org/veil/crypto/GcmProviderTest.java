package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;

class GcmProviderTest {

  @Test
  void theCodecRunsOnTheProviderTheBuildAskedFor() throws Exception {
    // The build runs the crypto tests twice: org.veil.crypto.provider=jdk, then =accp.
    String asked = System.getProperty(GcmProvider.PROPERTY, "auto");
    CellCodec codec = CellCodec.builder().keys(TestKeys.random()).build();
    if (asked.equals("accp")) {
      assertThat(codec.provider().name()).isEqualTo("AmazonCorrettoCryptoProvider");
      assertThat(codec.threadCiphers().gcm.getProvider().getName())
          .isEqualTo("AmazonCorrettoCryptoProvider");
    } else if (asked.equals("jdk")) {
      assertThat(codec.provider().name()).isEqualTo("SunJCE");
    }
    assertThat(codec.toString()).contains(codec.provider().name());
  }

  @Test
  void anUnknownProviderNameIsRefused() {
    String before = System.getProperty(GcmProvider.PROPERTY);
    System.setProperty(GcmProvider.PROPERTY, "openssl");
    try {
      assertThatThrownBy(GcmProvider::fastest).isInstanceOf(GeneralSecurityException.class)
          .hasMessageContaining("auto, jdk, accp");
    } finally {
      if (before == null) {
        System.clearProperty(GcmProvider.PROPERTY);
      } else {
        System.setProperty(GcmProvider.PROPERTY, before);
      }
    }
  }
}
