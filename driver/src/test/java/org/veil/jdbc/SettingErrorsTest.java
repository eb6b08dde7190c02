package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.veil.config.VeilProperty;

/**
 * A malformed {@code veil.*} setting fails the connection with an {@link SQLException} (SQLSTATE
 * 22023 naming the setting), never with a runtime exception out of the key cache, Caffeine or
 * arithmetic. No server is needed: the settings are checked before pgjdbc is asked to connect,
 * and a connection that gets that far fails on the closed port with pgjdbc's 08001.
 */
class SettingErrorsTest {

  /** Nothing listens on port 1. */
  private static final String URL = "jdbc:veil:postgresql://127.0.0.1:1/app?connectTimeout=2";

  @TempDir
  static Path dir;
  private static Path keyFile;

  @BeforeAll
  static void masterKey() throws IOException {
    keyFile = dir.resolve("master.key");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.write(keyFile, key);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
  }

  /** Settings that would open a connection: one encrypted column and a local master key. */
  private static Properties settings() {
    Properties p = new Properties();
    p.setProperty("user", "app");
    p.setProperty("veil.columns", "customers.ssn");
    p.setProperty("veil.kms", "local");
    p.setProperty("veil.kms.keystore", keyFile.toString());
    return p;
  }

  private static SQLException refusal(Properties settings) {
    Throwable thrown = catchThrowable(() -> new VeilDriver().connect(URL, settings).close());
    assertThat(thrown).isInstanceOf(SQLException.class);
    return (SQLException) thrown;
  }

  private static SQLException refusal(String name, String value) {
    Properties p = settings();
    p.setProperty(name, value);
    return refusal(p);
  }

  @Test
  void theSettingsWithoutAMalformedOneGetAsFarAsTheServer() {
    assertThat(refusal(settings()).getSQLState()).isEqualTo("08001");
  }

  @Test
  void cacheExpireAfterThatIsNoDurationIsAnSqlExceptionNamingTheSetting() {
    SQLException e = refusal("veil.cache.expireAfter", "abc");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat((Throwable) e).hasMessageContaining("veil.cache.expireAfter=abc");
  }

  @Test
  void cacheExpireAfterShorterThanTheDefaultRefreshIsAnSqlExceptionNotIllegalArgument() {
    SQLException e = refusal("veil.cache.expireAfter", "PT1M");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat((Throwable) e).hasMessageContaining("veil.cache.refreshAfter=PT10M")
        .hasMessageContaining("veil.cache.expireAfter=PT1M");
  }

  @Test
  void cacheRefreshAfterZeroIsAnSqlExceptionNotIllegalArgumentFromCaffeine() {
    SQLException e = refusal("veil.cache.refreshAfter", "PT0S");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat((Throwable) e).hasMessageContaining("veil.cache.refreshAfter=PT0S");
  }

  @Test
  void aDurationTooLongToCountIsAnSqlExceptionNotArithmeticException() {
    SQLException e = refusal("veil.cache.grace", "P1000000000000D");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat((Throwable) e).hasMessageContaining("veil.cache.grace=P1000000000000D");
  }

  @Test
  void aNegativeCacheSizeIsAnSqlExceptionNotIllegalArgumentFromCaffeine() {
    SQLException e = refusal("veil.cache.keyMax", "-1");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat((Throwable) e).hasMessageContaining("veil.cache.keyMax=-1");
  }

  @Test
  void aNegativeSqlCacheSizeIsAnSqlExceptionBeforeTheConnectionIsOpened() {
    SQLException e = refusal("veil.sql.cacheSize", "-5");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat((Throwable) e).hasMessageContaining("veil.sql.cacheSize=-5");
  }

  @Test
  void aColumnsEntryOfColonsOnlyIsAnSqlExceptionNotArrayIndexOutOfBounds() {
    SQLException e = refusal("veil.columns", "customers.ssn, ::");
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat(e.getMessage()).contains("veil.columns entry '::' is invalid");
  }

  @Test
  void aRowBoundColumnWithCellsVersion2IsRefusedBeforeTheConnectionIsOpened() {
    Properties p = settings();
    p.setProperty("veil.columns", "customers.ssn:bind=id");
    p.setProperty("veil.cells.version", "2");
    SQLException e = refusal(p);
    assertThat(e.getSQLState()).isEqualTo("22023");
    assertThat(e.getMessage()).contains("public.customers.ssn").contains("veil.cells.version=2");
    assertThat(refusal("veil.cells.version", "4").getSQLState()).isEqualTo("22023");
    assertThat(refusal("veil.cells.version", "2").getSQLState()).as("unbound: gets as far as"
        + " the server").isEqualTo("08001");
  }

  @Test
  void aDataSourceSetterTakesTheValueAndGetConnectionRefusesIt() {
    VeilDataSource ds = new VeilDataSource();
    ds.setUrl(URL);
    ds.setUser("app");
    ds.setColumns("customers.ssn");
    ds.setKmsKeystore(keyFile.toString());
    ds.setCacheExpireAfter("abc");
    Throwable thrown = catchThrowable(() -> ds.getConnection().close());
    assertThat(thrown).isInstanceOf(SQLException.class);
    assertThat(((SQLException) thrown).getSQLState()).isEqualTo("22023");
  }

  static Stream<Arguments> malformedSettings() {
    List<Arguments> cases = new ArrayList<>();
    for (VeilProperty p : VeilProperty.values()) {
      for (String value : List.of("abc", "", "-1", "-PT1M", "PT0S", "P1000000000000D",
          "99999999999999999999", "::", "classpath:none")) {
        cases.add(Arguments.of(p.getName(), value));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("malformedSettings")
  void everyValueOfEverySettingEndsInAnSqlException(String name, String value) {
    SQLException e = refusal(name, value);
    assertThat(e.getSQLState()).as(e.getMessage()).isIn("22023", "08001");
  }
}
