package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.veil.error.VeilError;
import org.veil.metrics.VeilDiagnostics;

/**
 * The diagnostics a driver and a data source hand out count the refusals of their own
 * connections, and only theirs. No server: the refusals come before pgjdbc is asked to connect.
 */
class DiagnosticsTest {

  /** Nothing listens on port 1. */
  private static final String URL = "jdbc:veil:postgresql://127.0.0.1:1/app?connectTimeout=2";

  private static Properties settings(String name, String value) {
    Properties p = new Properties();
    p.setProperty("user", "app");
    p.setProperty(name, value);
    return p;
  }

  @Test
  void aDriverCountsTheSettingsItRefusesByReason() {
    VeilDriver driver = new VeilDriver();
    Throwable weak = catchThrowable(() -> driver.connect(URL, settings("sslmode", "require")));
    Throwable malformed = catchThrowable(() -> driver.connect(URL,
        settings("veil.sql.cacheSize", "lots")));
    assertThat(weak).isInstanceOf(SQLException.class);
    assertThat(((SQLException) weak).getSQLState())
        .isEqualTo(VeilError.CONNECTION_REFUSED.sqlState());
    assertThat(((SQLException) malformed).getSQLState())
        .isEqualTo(VeilError.INVALID_CONFIGURATION.sqlState());
    assertThat(driver.diagnostics().refusals(VeilError.CONNECTION_REFUSED)).isEqualTo(1);
    assertThat(driver.diagnostics().refusals(VeilError.INVALID_CONFIGURATION)).isEqualTo(1);
    assertThat(new VeilDriver().diagnostics().refusals(VeilError.CONNECTION_REFUSED)).isZero();
  }

  @Test
  void aDataSourceUnwrapsToItsOwnDiagnostics() throws SQLException {
    VeilDataSource ds = new VeilDataSource();
    ds.setUrl("jdbc:veil:postgresql://127.0.0.1:1/app?connectTimeout=2&sslmode=require");
    assertThat(ds.isWrapperFor(VeilDiagnostics.class)).isTrue();
    assertThat(catchThrowable(() -> ds.getConnection("app", null)))
        .isInstanceOf(SQLException.class);
    VeilDiagnostics diagnostics = ds.unwrap(VeilDiagnostics.class);
    assertThat(diagnostics).isSameAs(ds.unwrap(VeilDiagnostics.class));
    assertThat(diagnostics.refusals(VeilError.CONNECTION_REFUSED)).isEqualTo(1);
    assertThat(new VeilDataSource().unwrap(VeilDiagnostics.class)
        .refusals(VeilError.CONNECTION_REFUSED)).isZero();
  }
}
