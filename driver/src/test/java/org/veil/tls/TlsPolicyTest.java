package org.veil.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

class TlsPolicyTest {

  private static Properties props(String name, String value) {
    Properties p = new Properties();
    p.setProperty(name, value);
    return p;
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "sslmode, disable",
      "sslmode, allow",
      "sslmode, prefer",
      "sslmode, require",
      "sslmode, verify-ca",
      "ssl, false",
      "sslfactory, org.postgresql.ssl.NonValidatingFactory",
      "sslfactory, org.postgresql.ssl.DefaultJavaSSLFactory",
      "sslhostnameverifier, com.acme.TrustAll",
      "socketFactory, org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg",
      "gssEncMode, prefer",
      "gssEncMode, require",
      "sslfactoryarg, anything",
      "socketFactoryArg, anything",
  })
  void weakeningSettingIsRefusedNamingIt(String name, String value) {
    assertThatThrownBy(() -> TlsPolicy.check(props(name, value), "connection property"))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("Veil refuses " + name)
        .hasMessageContaining("(connection property)")
        .hasMessageContaining("Fix:")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.CONNECTION_REFUSED);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "sslmode, verify-full",
      "sslmode, VERIFY-FULL",
      "ssl, true",
      "sslfactory, org.veil.tls.Tls13SocketFactory",
      "gssEncMode, disable",
      "gssEncMode, allow",
      "sslfactory, org.postgresql.ssl.LibPQFactory",
      "socketFactory, org.veil.tls.GuardedTcpSocketFactory",
      "sslrootcert, /etc/ssl/db-ca.pem",
  })
  void settingsThatKeepVerifyFullAreAccepted(String name, String value) throws VeilException {
    TlsPolicy.check(props(name, value), "connection property");
  }

  @Test
  void applyForcesVerifyFullVeilsFactoriesAndNoGssEncryption() {
    Properties p = new Properties();
    p.setProperty("sslfactory", "org.postgresql.ssl.LibPQFactory");
    p.setProperty("gssEncMode", "allow");
    TlsPolicy.apply(p);
    assertThat(p).containsEntry("sslmode", "verify-full")
        .containsEntry("sslfactory", "org.veil.tls.Tls13SocketFactory")
        .containsEntry("socketFactory", "org.veil.tls.GuardedTcpSocketFactory")
        .containsEntry("gssEncMode", "disable");
  }
}
